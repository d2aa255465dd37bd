"""Try oauthpy with no account: every default ``Client(p)`` and every ``oauthpy`` command sent
to the embedded fakes (the real vendor CLIs, a fake model each on 127.0.0.1).

Two ways in: ``with oauthpy.testing.offline():`` for a block of code, and ``OAUTHPY_OFFLINE=1``
for a whole process (a script, the command line). Both start the fakes, make a private ``HOME``
and ``OAUTHPY_HOME`` (a temporary directory for a block; for ``OAUTHPY_OFFLINE`` one offline
home kept under ``$OAUTHPY_HOME/offline``, so sessions made by one command are there for the
next), and send every ``Client`` with its defaults (``auth_source="auto"``) and every vendor
process it starts to the fakes and nothing else: no login, account or network.

Each agent has an environment of its own (`Offline.agent_env`, which a ``Client`` built while
offline takes as its base): two agents' settings never meet in one variable (OpenCode's and
Copilot's ``XDG_*`` once did, and OpenCode then went to npm: red team R3). ``os.environ`` gets
the common ``HOME`` and ``OAUTHPY_HOME`` and each agent's variables that no other agent sets.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from oauthpy import _registry as registry
from oauthpy._folders import OFFLINE_OAUTHPY_HOME
from oauthpy.testing.server import FakeServer

#: the variable that turns the offline mode on for a whole process
ENV_VAR = "OAUTHPY_OFFLINE"
#: credentials and endpoints of the user's own that could otherwise win over the fakes' keys
#: (a Vertex AI project, a proxy base URL): unset while offline, with each agent's own
#: (`Agent.credential_vars`)
CLEARED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "GOOGLE_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_GCA",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_APPLICATION_CREDENTIALS",
)
NOTE = (
    "oauthpy: offline ({why}): {agents} run against oauthpy's fake models on "
    "127.0.0.1, which answer 'ok'; no account is used and nothing leaves this machine"
)


@dataclass
class Offline:
    """The running fakes of an offline block and the environment that sends the CLIs to them."""

    #: the fake model of each provider: ``offline["claude"].script(text("hi"))``
    fakes: dict[str, FakeServer]
    #: what was set on ``os.environ`` (the variables in `CLEARED` were unset)
    env: dict[str, str]
    #: the directory that holds ``HOME``, ``OAUTHPY_HOME`` and each vendor's state
    root: Path
    #: each agent's own environment (what its ``Client`` starts from)
    agents: dict[str, dict[str, str]] = field(default_factory=dict)
    #: whether `root` is removed by `close` (a block's temporary directory)
    temporary: bool = True

    def agent_env(self, provider: str) -> dict[str, str]:
        """The environment that sends ``provider``'s CLI to its fake (empty for another)."""
        return {**self.env, **self.agents.get(provider, {})}

    def __getitem__(self, provider: str) -> FakeServer:
        try:
            return self.fakes[provider]
        except KeyError:
            raise KeyError(
                f"no fake for provider {provider!r}; choose one of {', '.join(self.fakes)}"
            ) from None

    def close(self) -> None:
        """Stop the fakes and remove the temporary directory (a kept offline home stays)."""
        for fake in self.fakes.values():
            fake.close()  # about a millisecond each (`stop_serving`)
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)


def start(root: Path | None = None) -> Offline:
    """Start the fakes and build their environments (``os.environ`` is not touched); their
    state under ``root`` (kept), else under a new temporary directory (removed by `close`)."""
    temporary = root is None
    root = Path(tempfile.mkdtemp(prefix="oauthpy-offline-")) if root is None else root
    session = Offline({}, {}, root, temporary=temporary)
    try:
        for agent in registry.entries():
            if agent.takes_command or not agent.listed:
                continue  # an agent named at run time has no fake of its own; a test's own is not started
            session.fakes[agent.name] = fake = agent.fake_class()()
            session.agents[agent.name] = agent.offline_environment(fake, root / agent.name)
        owners: dict[str, int] = {}
        for env in session.agents.values():
            for name in env:
                owners[name] = owners.get(name, 0) + 1
        for (
            env
        ) in session.agents.values():  # what only one agent sets, and no XDG_* (every program reads those)
            session.env.update(
                {
                    k: v
                    for k, v in env.items()
                    # nor a generic key's name (OPENAI_API_KEY): each agent gets its own env
                    if owners[k] == 1 and not k.startswith("XDG_") and k not in CLEARED
                }
            )
        home = root / "home"  # the common HOME: no vendor reads the user's own
        home.mkdir(parents=True, exist_ok=True)
        session.env.update(HOME=str(home), OAUTHPY_HOME=str(root / OFFLINE_OAUTHPY_HOME))
    except BaseException:
        session.close()
        raise
    return session


def agent_env(provider: str) -> dict[str, str]:
    """``provider``'s offline environment while this process is offline, else empty."""
    with _lock:
        session = _current[-1] if _current else _process
    return session.agent_env(provider) if session is not None else {}


def kept_home() -> Path:
    """Where ``OAUTHPY_OFFLINE`` keeps its state: ``$OAUTHPY_HOME/offline`` (``~/.oauthpy``)."""
    from oauthpy._errors import InvalidOptionsError
    from oauthpy._folders import oauthpy_home, offline_root

    base, root = oauthpy_home(), Path(offline_root())
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidOptionsError(
            f"OAUTHPY_HOME ({base}) cannot hold the offline home: {exc.strerror or exc}",
            hint="point OAUTHPY_HOME at a folder you can write to, or unset it",
        ) from None
    return root


def _apply(env: dict[str, str]) -> dict[str, str | None]:
    """Set ``env`` on ``os.environ``, unset `CLEARED` and the agents' credentials; return what to
    put back."""
    cleared = (*CLEARED, *(var for agent in registry.entries() for var in agent.credential_vars))
    saved = {key: os.environ.get(key) for key in (*env, *cleared)}
    for key in cleared:
        os.environ.pop(key, None)
    os.environ.update(env)
    return saved


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


_lock = threading.Lock()
#: the fakes started for OAUTHPY_OFFLINE, kept until the process exits
_process: Offline | None = None
#: how many ``offline()`` blocks are open: while one is, the environment is already offline
_blocks = 0
#: the open blocks, innermost last
_current: list[Offline] = []


@contextlib.contextmanager
def offline() -> Iterator[Offline]:
    """Inside the block, every ``Client`` and vendor process reaches the fakes, not an account.

    Starts the fakes of codex, claude and gemini, makes a private ``HOME`` and ``OAUTHPY_HOME``,
    and sets the environment that sends the real CLIs to the fakes on ``os.environ``. On exit
    ``os.environ`` is put back as it was, the fakes stop and the directory is removed. The value
    is an `Offline`: ``off["codex"].script(...)`` says what codex's fake answers (``ok``
    otherwise), ``off["codex"].requests`` what codex sent it. Runs must end inside the block
    (leave ``with Client(...)`` blocks before it ends).
    """
    global _blocks
    session = start()
    with _lock:
        saved = _apply(session.env)
        _blocks += 1
        _current.append(session)
    try:
        yield session
    finally:
        with _lock:
            _blocks -= 1
            _current.remove(session)
            _restore(saved)
        session.close()


def active() -> bool:
    """Whether this process is offline now (an ``offline()`` block or ``OAUTHPY_OFFLINE``)."""
    return _blocks > 0 or _process is not None


def enabled(value: str | None) -> bool:
    """Whether a value of ``OAUTHPY_OFFLINE`` turns the offline mode on."""
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def honor_env() -> Offline | None:
    """Start the fakes for the whole process if ``OAUTHPY_OFFLINE`` asks for it (once).

    Called when a ``Client`` is built and when the command line starts; the fakes stop when the
    process exits. Says so on stderr, once, so nobody takes a fake's answer for a model's.
    """
    global _process
    if not enabled(os.environ.get(ENV_VAR)):
        return None
    with _lock:
        if _process is None and not _blocks:
            _process = start(kept_home())
            _apply(_process.env)
            atexit.register(_stop_process)
            why, agents = f"{ENV_VAR}={os.environ[ENV_VAR]}", ", ".join(_process.fakes)
            print(NOTE.format(why=why, agents=agents), file=sys.stderr, flush=True)
        return _process


def _stop_process() -> None:
    global _process
    with _lock:
        session, _process = _process, None
    if session is not None:
        session.close()


__all__ = ["ENV_VAR", "Offline", "agent_env", "enabled", "honor_env", "kept_home", "offline", "start"]
