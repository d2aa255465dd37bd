"""The account's half of `Client`: login state, login and logout (docs/auth.md), the models
the account can run, and its usage and quota (docs/account.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from oauthpy._checks import positive_number
from oauthpy._errors import InvalidOptionsError
from oauthpy._loop import run_sync

if TYPE_CHECKING:
    from oauthpy._auth.manager import AuthManager
    from oauthpy._events import AuthStatus, ModelInfo
    from oauthpy._runner import Runner
    from oauthpy._usage import AccountUsage


#: default bound on an interactive login (the user has to finish it in a browser)
LOGIN_TIMEOUT_S = 600.0


def _refuse_offline_login() -> None:
    # offline, the CLIs are pointed at the fakes: a real login there would be the user's account
    import sys

    mode = sys.modules.get("oauthpy.testing.offline_mode")
    if mode is not None and mode.active():
        raise InvalidOptionsError(
            "login is not available in offline mode: the agents talk to oauthpy's fake models",
            hint="unset OAUTHPY_OFFLINE (or leave the offline() block) to log in to your account",
        )


class AccountMethods:
    provider: str
    _home: str
    _auth: AuthManager
    _runner: Runner

    async def ausage(self) -> AccountUsage:
        """Async twin of `usage`."""
        from oauthpy import _registry as registry
        from oauthpy._errors import NotSupportedError

        reader = registry.get(self.provider).make_usage_reader(self._runner.provider)
        if reader is None:
            raise NotSupportedError(
                f"{self.provider} tells no quota or usage left through an interface oauthpy can ask",
                hint="a run's own usage and cost are in its result; docs/account.md says why, per agent",
            )
        env, _ = await self._auth.run_env({}, None)
        found: AccountUsage = await reader.read(env, self._home)
        return found

    def usage(self) -> AccountUsage:
        """The account's plan and limits (`AccountUsage`: each `QuotaWindow`'s used percent and
        when it resets), read-only from the vendor's own interface for this client's auth source.
        Fields the vendor does not give are None. `NotSupportedError` where it has no way to
        tell; `AuthRequiredError` when not logged in."""
        return run_sync(self.ausage())

    # -- models ------------------------------------------------------------------------------

    async def amodels(self) -> tuple[ModelInfo, ...]:
        """Async twin of `models`."""
        env, _ = await self._auth.run_env({}, None)
        return await self._runner.provider.models(env)

    def models(self) -> tuple[ModelInfo, ...]:
        """The models this provider can run, as `ModelInfo`.

        Codex reports its own list (``source="vendor"``, from ``model/list``; it needs no
        network). Claude and Gemini have no way to list theirs: these come from oauthpy's
        catalog (``source="catalog"``). A model missing here may still work.
        """
        return run_sync(self.amodels())

    # -- auth ----------------------------------------------------------------------------------

    async def aauth_status(self) -> AuthStatus:
        """Async twin of `auth_status`."""
        return await self._auth.status()

    def auth_status(self) -> AuthStatus:
        """Whether the vendor tool is installed and logged in, for this client's auth source.

        Read-only and bounded in time: it creates and writes nothing. The status names the
        binary and its version, the source asked for and used, the state dir, and the
        ``reason`` and a ``hint`` when not authenticated. Never contains a secret.
        """
        return run_sync(self._auth.status())

    async def aavailable(self) -> bool:
        """Async twin of `available`."""
        status = await self._auth.status()
        return status.installed and status.authenticated

    def available(self) -> bool:
        """Installed and authenticated."""
        return run_sync(self.aavailable())

    async def alogin(
        self,
        *,
        api_key: str | None = None,
        device_code: bool = False,
        timeout: float = LOGIN_TIMEOUT_S,
        provider_options: Mapping[str, object] | None = None,
    ) -> AuthStatus:
        """Async twin of `login`."""
        _refuse_offline_login()
        limit = positive_number("timeout", timeout)
        assert limit is not None
        return await self._auth.login(
            api_key=api_key,
            device_code=bool(device_code),
            timeout=limit,
            options=dict(provider_options or {}),
        )

    def login(
        self,
        *,
        api_key: str | None = None,
        device_code: bool = False,
        timeout: float = LOGIN_TIMEOUT_S,
        provider_options: Mapping[str, object] | None = None,
    ) -> AuthStatus:
        """Run the vendor's official login for this client's source; returns the new status.

        Without ``api_key`` the official interactive flow runs on this terminal (``codex
        login``, ``claude auth login``, the Gemini CLI's sign-in); ``device_code=True`` asks
        for a code-based flow where the vendor has one. ``api_key`` (codex only) is passed to
        ``codex login --with-api-key`` on stdin, never on the command line. With
        ``auth_source="auto"`` the login goes to the source ``auto`` resolves to.
        """
        return run_sync(
            self.alogin(
                api_key=api_key, device_code=device_code, timeout=timeout, provider_options=provider_options
            )
        )

    async def alogout(self) -> AuthStatus:
        """Async twin of `logout`."""
        return await self._auth.logout()

    def logout(self) -> AuthStatus:
        """Log out with the vendor's command (codex, claude). ``auto`` logs out the isolated state only."""
        return run_sync(self._auth.logout())
