"""The account's half of `Client`: usage and quota left (docs/account.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._loop import run_sync

if TYPE_CHECKING:
    from pathlib import Path

    from ._auth.manager import AuthManager
    from ._runner import Runner
    from ._usage.records import AccountUsage


class AccountMethods:
    provider: str
    oauthpy_home: Path
    _auth: AuthManager
    _runner: Runner

    async def ausage(self) -> AccountUsage:
        """Async twin of `usage`."""
        from ._errors import NotSupportedError
        from ._providers import registry

        reader = registry.get(self.provider).make_usage_reader(self._runner.provider)
        if reader is None:
            raise NotSupportedError(
                f"oauthpy cannot read {self.provider}'s usage or quota yet",
                hint="Client.capabilities().quota says which providers it can read (docs/account.md)",
            )
        env, _ = await self._auth.run_env({}, None)
        found: AccountUsage = await reader.read(env, str(self.oauthpy_home))
        return found

    def usage(self) -> AccountUsage:
        """The account's plan and limits (`AccountUsage`: each `QuotaWindow`'s used percent and
        when it resets), read-only from the vendor's own interface for this client's auth source.
        Fields the vendor does not give are None. `NotSupportedError` where it has no way to
        tell; `AuthRequiredError` when not logged in."""
        return run_sync(self.ausage())
