"""Try oauthpy with no account: every default ``Client(p)`` and every ``oauthpy`` command sent
to the embedded fakes (the real vendor CLIs, a fake model each on 127.0.0.1).

Two ways in: ``with oauthpy.testing.offline():`` for a block of code, and ``OAUTHPY_OFFLINE=1``
for a whole process (a script, the command line). Both start the three fakes, make a private
``HOME`` and ``OAUTHPY_HOME`` in a temporary directory, and set the fakes' environment on
``os.environ``, so a ``Client`` with its defaults (``auth_source="auto"``, no ``env``) and every
vendor process it starts reach the fakes and nothing else: no login, account or network.
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
from dataclasses import dataclass
from pathlib import Path

from oauthpy._agents import registry
from oauthpy.testing.server import FakeServer

#: the variable that turns the offline mode on for a whole process
ENV_VAR = "OAUTHPY_OFFLINE"
#: credentials and endpoints of the user's own that could otherwise win over the fakes' keys
#: (a Vertex AI project, a codex key, a proxy base URL): unset while offline
CLEARED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CODEX_API_KEY",
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
    #: the temporary directory that holds ``HOME``, ``OAUTHPY_HOME`` and each vendor's state
    root: Path

    def __getitem__(self, provider: str) -> FakeServer:
        try:
            return self.fakes[provider]
        except KeyError:
            raise KeyError(
                f"no fake for provider {provider!r}; choose one of {', '.join(self.fakes)}"
            ) from None

    def close(self) -> None:
        """Stop the fakes and remove the temporary directory."""
        for fake in self.fakes.values():
            fake.close()
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> Offline:
    """Start the three fakes and build their environment (``os.environ`` is not touched)."""
    root = Path(tempfile.mkdtemp(prefix="oauthpy-offline-"))
    session = Offline({}, {}, root)
    try:
        for agent in registry.entries():
            if agent.takes_command or not agent.listed:
                continue  # an agent named at run time has no fake of its own; a test's own is not started
            session.fakes[agent.name] = fake = agent.fake_class()()
            session.env.update(agent.fake_environment(fake, root / agent.name))
        home = root / "home"  # one HOME for the three: no vendor reads the user's own
        home.mkdir()
        session.env.update(HOME=str(home), OAUTHPY_HOME=str(root / "oauthpy"))
    except BaseException:
        session.close()
        raise
    return session


def _apply(env: dict[str, str]) -> dict[str, str | None]:
    """Set ``env`` on ``os.environ``, unset `CLEARED`; return what to put back."""
    saved = {key: os.environ.get(key) for key in (*env, *CLEARED)}
    for key in CLEARED:
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
    try:
        yield session
    finally:
        with _lock:
            _blocks -= 1
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
            _process = start()
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


__all__ = ["ENV_VAR", "Offline", "enabled", "honor_env", "offline", "start"]
