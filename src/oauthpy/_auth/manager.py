"""Auth sources: which login state a run uses, and status, login and logout for a client (the
login and logout themselves: `oauthpy._auth.signin`).

``oauthpy``: the vendor's state lives in ``<oauthpy_home>/<provider>/`` (0700), passed through
the vendor's documented variable, with inherited credential variables removed so they cannot
silently win over that login. ``external``: the vendor's normal behaviour, environment
untouched. ``auto``: isolated when logged in there, else external when logged in there, else
isolated (so that a later login lands there); the answer is cached briefly per client.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from oauthpy._errors import (
    AuthRequiredError,
    InvalidOptionsError,
    OauthPyError,
    ProviderNotInstalledError,
    TimeoutExceededError,
)
from oauthpy._redact import remember_secrets, secret_values

if TYPE_CHECKING:
    from pathlib import Path

    from oauthpy._auth.base import AuthBackend, Probe
    from oauthpy._events import AuthStatus
    from oauthpy._options import RunRequest

#: how long an ``auto`` resolution is reused before the state is probed again
RESOLVE_TTL_S = 30.0


def load_backend(provider: str, command: tuple[str, ...] | None = None) -> AuthBackend:
    from oauthpy import _registry as registry

    backend: AuthBackend = registry.get(provider).make_auth(command)
    return backend


def _unusable_home(path: Path, exc: OSError) -> InvalidOptionsError:
    return InvalidOptionsError(
        f"oauthpy cannot keep its state in {path}: {exc.strerror or exc}",
        hint="point OAUTHPY_HOME (or oauthpy_home=) at a folder you can write to, or unset it",
    )


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and its parent) as 0700 where missing; existing dirs are left alone."""
    for d in (path.parent, path):
        if not d.exists():
            try:
                d.mkdir(parents=True, mode=0o700, exist_ok=True)
            except OSError as exc:  # OAUTHPY_HOME is a file, or not writable
                raise _unusable_home(path.parent, exc) from None
            with suppress(OSError):  # the umask may have narrowed mkdir's mode; not every OS has modes
                os.chmod(d, 0o700)
        elif not d.is_dir():
            raise _unusable_home(path.parent, NotADirectoryError(20, "not a folder"))


class AuthManager:
    def __init__(
        self,
        provider: str,
        source: str,
        home: str | os.PathLike[str],
        env: Mapping[str, str | None],
        command: tuple[str, ...] | None = None,
    ) -> None:
        from oauthpy import _registry as registry

        self.provider = provider
        self.source = source
        #: the variable that moves the agent's login state (its spec's, as its backend's)
        self.state_var = registry.get(provider).state_var
        self._command = command
        self._backend: AuthBackend | None = None
        self._home = os.fspath(home)
        self.env = dict(env)
        self._resolved: dict[tuple[tuple[str, str | None], ...], tuple[float, str]] = {}
        #: runs whose login the pre-flight found, until when it is not checked again: a session's
        #: turns and a pool's runs would otherwise repeat it (for a keyring login, a process)
        self._logged_in: dict[tuple[object, ...], float] = {}

    @property
    def home(self) -> str:
        """The client's oauthpy home (where ``auth_source="oauthpy"`` keeps the login states)."""
        return self._home

    @property
    def backend(self) -> AuthBackend:
        """The agent's auth code, imported when a run, a probe or a login needs it (building a
        client does not)."""
        if self._backend is None:
            self._backend = load_backend(self.provider, self._command)
        return self._backend

    @property
    def isolated_dir(self) -> Path:
        """Where ``auth_source="oauthpy"`` keeps this agent's login state."""
        from pathlib import Path

        return Path(self._home) / self.provider

    # -- environments ------------------------------------------------------------------------

    def check_overrides(self, overrides: Mapping[str, str | None]) -> None:
        """Reject env that contradicts the source, before anything runs."""
        var = self.state_var
        if not var and self.source == "oauthpy":
            raise InvalidOptionsError(
                f"auth_source='oauthpy' cannot isolate {self.provider}: oauthpy knows no variable "
                "that moves its login state",
                hint="use auth_source='external' (or the default 'auto') for this agent",
            )
        if self.source == "oauthpy" and (var in overrides or var in self.env):
            raise InvalidOptionsError(
                f"env sets {var}, but auth_source='oauthpy' keeps {self.provider}'s state in "
                f"{self.isolated_dir}",
                hint=f"use auth_source='external' to run with your own {var}, "
                "or oauthpy_home= to move the isolated state",
            )

    def env_for(self, source: str, overrides: Mapping[str, str | None]) -> dict[str, str]:
        """The vendor process environment for ``source``: parent env, then explicit overrides."""
        explicit = {**self.env, **overrides}
        env = dict(os.environ)
        if source == "oauthpy":
            for var in self.backend.strip_vars:
                if var not in explicit:  # only inherited credentials go; explicit ones are a choice
                    env.pop(var, None)
        for key, value in explicit.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        if source == "oauthpy":
            env[self.backend.state_var] = str(self.isolated_dir)
        # Every vendor env is built here (runs, probes, logins): its credential-looking values
        # are masked in everything oauthpy prints or raises from now on, whatever their shape.
        remember_secrets(secret_values(env))
        return env

    def state_dir(self, source: str, env: Mapping[str, str]) -> Path:
        return self.isolated_dir if source == "oauthpy" else self.backend.external_state(env)

    def state_dirs(self) -> dict[str, Path]:
        """Both candidate state dirs, for diagnostics."""
        return {
            "oauthpy": self.isolated_dir,
            "external": self.state_dir("external", self.env_for("external", {})),
        }

    # -- resolution ----------------------------------------------------------------------------

    async def _probe(self, source: str, overrides: Mapping[str, str | None], binary: str) -> Probe:
        env = self.env_for(source, overrides)
        try:
            return await self.backend.probe(binary, env, self.state_dir(source, env))
        except TimeoutExceededError:
            from oauthpy._auth.base import Probe

            return Probe(False, reason="status_timeout")
        except OauthPyError:
            from oauthpy._auth.base import Probe

            return Probe(False, reason="status_failed")

    async def _auto(
        self, overrides: Mapping[str, str | None], binary: str | None
    ) -> tuple[str, dict[str, Probe]]:
        """Apply the ``auto`` rule; returns the source and the probes it took."""
        explicit = {**self.env, **overrides}
        if not self.backend.state_var or explicit.get(self.backend.state_var):
            return "external", {}  # the caller pointed the vendor at a state dir of their own
        if binary is None:
            return "oauthpy", {}
        probes = {"oauthpy": await self._probe("oauthpy", overrides, binary)}
        if probes["oauthpy"].authenticated:
            return "oauthpy", probes
        probes["external"] = await self._probe("external", overrides, binary)
        if probes["external"].authenticated:
            return "external", probes
        return "oauthpy", probes

    def resolve_on_file(self, overrides: Mapping[str, str | None]) -> str | None:
        """`resolve` without starting anything: the source when the environment and files
        decide the ``auto`` rule (the backend's ``probe_on_file``, a stored login counted as
        the pre-flight counts it), else None (a probe would have to ask the vendor's CLI). For
        a run that starts its CLI before the event loop (`oauthpy.cli.run_exec`)."""
        if self.source != "auto":
            return self.source
        explicit = {**self.env, **overrides}
        if not self.backend.state_var or explicit.get(self.backend.state_var):
            return "external"
        on_file = getattr(self.backend, "probe_on_file", None)
        if on_file is None:
            return None
        if self.backend.find_binary(self.env_for("external", overrides)) is None:
            return "oauthpy"
        for source in ("oauthpy", "external"):  # `_auto`'s order
            env = self.env_for(source, overrides)
            probe = on_file(env, self.state_dir(source, env), stored=True)
            if probe is None:
                return None
            if probe.authenticated:
                return source
        return "oauthpy"

    async def resolve(self, overrides: Mapping[str, str | None]) -> str:
        if self.source != "auto":
            return self.source
        key = tuple(sorted({**self.env, **overrides}.items()))
        hit = self._resolved.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        binary = self.backend.find_binary(self.env_for("external", overrides))
        source, _ = await self._auto(overrides, binary)
        self._resolved[key] = (time.monotonic() + RESOLVE_TTL_S, source)
        return source

    def prepare(self, source: str) -> None:
        """Create and set up the isolated state dir (runs and logins only, never status)."""
        if source == "oauthpy":
            ensure_private_dir(self.isolated_dir)
            self.backend.prepare_isolated(self.isolated_dir)

    async def run_env(
        self, overrides: Mapping[str, str | None], source: str | None = None
    ) -> tuple[dict[str, str], str]:
        """The env for one run and the source it uses (``source`` pins it, for sessions)."""
        source = source or await self.resolve(overrides)
        self.prepare(source)
        return self.env_for(source, overrides), source

    async def preflight(
        self, source: str, env: Mapping[str, str], request: RunRequest, transport: str
    ) -> None:
        """Raise `AuthRequiredError` before a run starts when ``source`` surely has no login:
        otherwise the vendor may wait on the network for minutes, or send a model request with
        no credentials. A run found logged in is not checked again for `RESOLVE_TTL_S`."""
        key = (source, transport, request.cwd, frozenset(env.items()), repr(request.provider_options))
        if self._logged_in.get(key, 0.0) > time.monotonic():
            return
        reason = await self.backend.preflight(env, self.state_dir(source, env), request, transport)
        if reason is None:
            self._logged_in[key] = time.monotonic() + RESOLVE_TTL_S
            return
        flag = f" --source {self.source}" if self.source != "auto" else ""
        chosen = f", auth_source={self.source!r}" if self.source != "auto" else ""
        where = "oauthpy's isolated login state" if source == "oauthpy" else "your own vendor login"
        also = "; or use auth_source='external' for your normal vendor login" if source == "oauthpy" else ""
        raise AuthRequiredError(  # only agents with a login of oauthpy's have a preflight
            f"{self.provider} is not logged in: {reason} (the run uses {where})",
            hint=f"run `oauthpy auth login --provider {self.provider}{flag}`, or "
            f"Client({self.provider!r}{chosen}).login(); "
            f"{self.backend.key_hint}{also}; {OFFLINE_HINT}",
        )

    # -- status --------------------------------------------------------------------------------

    async def status(self, source: str | None = None) -> AuthStatus:
        """Read-only: spawns at most the vendor's own status/version commands, writes nothing."""
        from oauthpy._events import AuthStatus

        env = self.env_for("external", {})
        binary = self.backend.find_binary(env)
        if binary is None:
            used = source or (self.source if self.source != "auto" else "oauthpy")
            return AuthStatus(
                self.provider,
                installed=False,
                authenticated=False,
                source_requested=self.source,
                source_used=used,
                state_dir=str(self.state_dir(used, self.env_for(used, {}))),
                reason="binary_missing",
                hint=self.backend.install_hint,
            )
        import asyncio  # here only: a run's login checks need no event loop of their own

        version_task = asyncio.ensure_future(self._version(binary, env))
        try:
            fixed = source or (self.source if self.source != "auto" else None)
            if fixed is not None:
                used, probes = fixed, {fixed: await self._probe(fixed, {}, binary)}
            else:
                used, probes = await self._auto({}, binary)
                key = tuple(sorted(self.env.items()))
                self._resolved[key] = (time.monotonic() + RESOLVE_TTL_S, used)
                if used not in probes:
                    probes[used] = await self._probe(used, {}, binary)
            version = await version_task
        finally:
            version_task.cancel()
        probe = probes[used]
        details = dict(probe.details)
        if len(probes) > 1:
            details["checked"] = {s: p.reason or "authenticated" for s, p in probes.items()}
        if probe.authenticated and not probe.verified:
            details["note"] = "login state found but not verified; the first run will tell"
        return AuthStatus(
            self.provider,
            installed=True,
            authenticated=probe.authenticated,
            mode=probe.mode if probe.authenticated else "unknown",
            source_requested=self.source,
            source_used=used,
            state_dir=str(self.state_dir(used, self.env_for(used, {}))),
            binary=binary,
            version=version,
            verified=probe.verified if probe.authenticated else None,
            reason=probe.reason,
            hint=probe.hint,
            details=details,
        )

    async def _version(self, binary: str, env: Mapping[str, str]) -> str | None:
        try:
            return await self.backend.version(binary, env)
        except (OauthPyError, OSError):
            return None

    # -- login / logout ------------------------------------------------------------------------

    def binary(self, env: Mapping[str, str]) -> str:
        binary = self.backend.find_binary(env)
        if binary is None:
            raise ProviderNotInstalledError(
                f"the {self.provider} CLI is not installed", hint=self.backend.install_hint
            )
        return binary

    def forget_answers(self) -> None:
        """A login or logout changed the state: which source to use and whether it is logged in
        are asked again."""
        self._resolved.clear()
        self._logged_in.clear()

    async def login(
        self,
        *,
        api_key: str | None,
        device_code: bool,
        timeout: float,
        options: Mapping[str, Any],
    ) -> AuthStatus:
        from oauthpy._auth.signin import login

        return await login(self, api_key=api_key, device_code=device_code, timeout=timeout, options=options)

    def isolated_login_hint(self, agent_hint: str | None) -> str:
        """What to do when a run in oauthpy's isolated login state finds no login: log in
        there, where oauthpy can run the agent's login; else (qwen takes a key, it has no login)
        the agent's own ``agent_hint``, never a command that would refuse."""
        external = "or use auth_source='external' for your normal vendor login"
        if not self._runs_a_login():
            own = agent_hint or f"give {self.provider} the credentials it documents"
            offline = "" if "OAUTHPY_OFFLINE" in own else f"; {OFFLINE_HINT}"
            return f"{own}; {external}{offline}"
        external += f"; {OFFLINE_HINT}"
        return (
            f"log in there with Client({self.provider!r}, auth_source='oauthpy').login() "
            f"or `oauthpy auth login --provider {self.provider}`; {external}"
        )

    def _runs_a_login(self) -> bool:
        """Whether oauthpy has a login of this agent to run (``login()`` would not refuse)."""
        try:  # a pure builder: nothing runs
            self.backend.login_command("", api_key=None, device_code=False, options={})
        except InvalidOptionsError:
            return False
        return True

    async def logout(self) -> AuthStatus:
        from oauthpy._auth.signin import logout

        return await logout(self)


#: said wherever a login is missing: oauthpy's fake models need no account
OFFLINE_HINT = "to try oauthpy with no account, OAUTHPY_OFFLINE=1"


__all__ = ["AuthManager", "ensure_private_dir", "load_backend"]
