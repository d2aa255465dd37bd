"""Auth of ACP agents that oauthpy knows only through the protocol and a few facts.

ACP has no status request: an agent says it needs a login only when a session starts
(``-32000``, with its ``authMethods`` in the error's hint). So, unless an agent's profile knows
better, the status is: logged in by environment when one of its key variables is set, else
"plausible, not verified" once the program is found. Login and logout are the agent's own
commands where its entry names them; else login is the agent's own sign-in over ACP
(`acp_login`: ``authenticate``, or the terminal command of one of its ``authMethods``).
Isolation needs a variable that moves the agent's state (``state_var``); without one,
``auth_source`` is always ``external``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oauthpy._auth.base import LoginCommand, Probe, env_auth, home_of
from oauthpy._errors import InvalidOptionsError
from oauthpy._executables import which

if TYPE_CHECKING:
    from oauthpy._options import RunRequest


class AcpAuth:
    """The auth backend of an ACP agent, from data."""

    key_hint = "or give the agent the credentials it documents in env="
    #: ``method``: one of the agent's ``authMethods``, for its own sign-in over ACP
    #: ``method``: one of the agent's authMethods; ``yes``: run the command a terminal sign-in
    #: names without asking (it is still shown)
    login_options: Mapping[str, type] = {"method": str, "yes": bool}

    def __init__(
        self,
        provider: str,
        program: str,
        *,
        state_var: str = "",
        key_vars: tuple[str, ...] = (),
        install_hint: str = "",
        login: tuple[str, ...] = (),
        logout: tuple[str, ...] = (),
        acp_args: tuple[str, ...] | None = None,
    ) -> None:
        self.provider = provider
        self.program = program
        #: the documented variable that moves the agent's state ("" when there is none)
        self.state_var = state_var
        #: variables that carry credentials: they log in by themselves, and an isolated run
        #: does not inherit them
        self.strip_vars = key_vars
        self.install_hint = install_hint or f"install {program!r} or put it on PATH"
        self._login, self._logout = login, logout
        #: the arguments that start the agent on ACP, for its own sign-in (None: not offered)
        self._acp_args = acp_args

    def external_state(self, env: Mapping[str, str]) -> Path:
        state = env.get(self.state_var) if self.state_var else None
        return Path(state) if state else home_of(env)

    def find_binary(self, env: Mapping[str, str]) -> str | None:
        from oauthpy._transports.acp.profile import binary_var

        return env.get(binary_var(self.provider)) or which(self.program, env)

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None:
        return None  # an ACP agent says its version in `initialize` (agentInfo), not here

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        by_env = env_auth(env, {var: "env" for var in self.strip_vars})
        if by_env is not None:
            return by_env
        note = "an ACP agent says it needs a login only when a session starts"
        return Probe(True, verified=False, details={"note": note})

    async def preflight(
        self, env: Mapping[str, str], state: Path, request: RunRequest, transport: str
    ) -> str | None:
        return None  # the agent answers session/new with -32000 itself, at once

    def prepare_isolated(self, state: Path) -> None:
        pass

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        if api_key is not None or device_code:
            raise InvalidOptionsError(
                f"oauthpy does not know how {self.program!r} logs in with an API key or a device code",
                hint="give the agent the credentials it documents in env=, or use its own login",
            )
        if self._login and "method" not in options and "yes" not in options:
            return LoginCommand([binary, *self._login])
        if self._acp_args is None:
            raise InvalidOptionsError(
                f"oauthpy does not know how {self.program!r} logs in",
                hint="use the agent's own login command; a run that needs one raises "
                "AuthRequiredError naming the agent's authMethods",
            )
        return LoginCommand([binary, *self._acp_args], acp_method=str(options.get("method", "")))

    def logout_command(self, binary: str) -> list[str]:
        if not self._logout:
            raise InvalidOptionsError(f"oauthpy does not know how {self.program!r} logs out")
        return [binary, *self._logout]


def command_auth(command: tuple[str, ...]) -> AcpAuth:
    """``Client("acp", command=...)``: nothing known but the program."""
    return AcpAuth(
        "acp",
        command[0],
        install_hint=f"install {command[0]!r} or give its full path in command=",
        acp_args=command[1:],
    )
