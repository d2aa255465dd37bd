"""What a vendor's auth backend provides, and the helpers the three backends share.

A backend knows where its vendor keeps login state, which variables carry credentials, how to
ask the official tool whether it is logged in, and which official commands log in and out. It
never opens a credential file: at most it checks that one exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, get_args

from oauthpy._auth_kinds import AuthMode, AuthReason  # not _events: a fresh run checks logins first

if TYPE_CHECKING:
    from oauthpy._options import RunRequest

#: bound on each status probe (version and login-status commands)
PROBE_TIMEOUT_S = 20.0


@dataclass
class Probe:
    """What one look at one source found."""

    authenticated: bool
    #: the mode as a backend words it (a `str`), checked into ``mode``
    said_mode: InitVar[str] = "unknown"
    #: why not authenticated (``binary_missing``, ``not_authenticated``, ``status_failed``, ...)
    reason: AuthReason | None = None
    #: False when a login is plausible (files exist) but the vendor tool did not confirm it
    verified: bool = True
    #: what to do about it, when the vendor's state needs a fix of its own
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: how it is authenticated (``AuthStatus.mode``)
    mode: AuthMode = field(init=False, default="unknown")

    def __post_init__(self, said_mode: str) -> None:
        for mode in get_args(AuthMode):
            if mode == said_mode:
                self.mode = mode
                return
        raise AssertionError(f"not an AuthMode: {said_mode!r}")


@dataclass(frozen=True)
class LoginCommand:
    argv: list[str]
    #: piped to the command (an API key); None means the command runs on the terminal
    stdin: bytes | None = None
    #: extra variables for this command only (e.g. gemini's NO_BROWSER)
    env: Mapping[str, str] = field(default_factory=dict)
    #: variables removed for this command only (e.g. ones that switch a UI to headless mode)
    unset: tuple[str, ...] = ()
    #: the flow is a full-screen UI: without a terminal it cannot even show its sign-in
    needs_terminal: bool = False
    #: the sign-in is the ACP agent's own, started by ``argv``: ``authenticate`` with this of
    #: its ``authMethods`` ("": its only one), or the terminal command that method names
    acp_method: str | None = None


class AuthBackend(Protocol):
    provider: str
    #: the documented variable that relocates the vendor's state
    state_var: str
    #: variables that would override an isolated login; removed unless passed explicitly
    strip_vars: tuple[str, ...]
    install_hint: str
    #: the other way to authenticate, for the hint of a run that has no login
    key_hint: str
    login_options: Mapping[str, type]

    def external_state(self, env: Mapping[str, str]) -> Path:
        """The state directory the vendor uses when left alone."""

    def find_binary(self, env: Mapping[str, str]) -> str | None: ...

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None: ...

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        """Whether ``env`` (with ``state`` as the state dir) is logged in. Writes nothing."""

    async def preflight(
        self, env: Mapping[str, str], state: Path, request: RunRequest, transport: str
    ) -> str | None:
        """Why a run with ``env`` cannot authenticate, or None when it can or may.

        Runs before every turn, before the vendor starts: files and variables only (a vendor
        command at most where nothing else can tell, and never on a happy path). It answers
        only when sure; a login that is there but expired is the vendor's to report.
        """

    def prepare_isolated(self, state: Path) -> None:
        """Vendor setup an isolated state dir needs before a run or a login."""

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand: ...

    def logout_command(self, binary: str) -> list[str]: ...


def env_auth(env: Mapping[str, str], modes: Mapping[str, str]) -> Probe | None:
    """Credentials given by environment variables: the first of ``modes`` that is set.

    Only the variable's name is reported, never its value.
    """
    for var, mode in modes.items():
        if env.get(var):
            return Probe(True, mode, details={"credential_source": f"env:{var}"})
    return None


def home_of(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()
