"""What to start: the argv, environment and input of one vendor process (`oauthpy._process`
runs it). Apart from the runtime so that building one imports no event loop: a fresh
``oauthpy run`` builds codex's before anything else loads (`oauthpy.cli.run_exec`)."""

from __future__ import annotations

from collections.abc import Callable

_FIELDS = (
    "argv",
    "env",
    "cwd",
    "stdin",
    "cleanups",
    "install_hint",
    "stdout_pty",
    "interactive_stdin",
    "launcher",
)


class Invocation:
    """What to start: built by a provider, run by `Process`.

    A plain class with a dataclass's ``__init__``, ``__repr__`` and ``__eq__``, written out: a
    dataclass's methods are compiled when its module loads, and a fresh ``oauthpy run`` builds
    one before its agent's CLI starts.
    """

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        cwd: str,
        stdin: bytes | None = None,
        cleanups: list[Callable[[], None]] | None = None,
        install_hint: str = "",
        stdout_pty: bool = False,
        interactive_stdin: bool = False,
        launcher: bool = False,
    ) -> None:
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.stdin = stdin
        #: cleanup callbacks (temp files) run after the process is gone
        self.cleanups: list[Callable[[], None]] = [] if cleanups is None else cleanups
        #: how to tell the user to install the binary when it is missing
        self.install_hint = install_hint
        #: give the child a pseudo-terminal as stdout instead of a pipe (see `oauthpy._pty.open_pty`)
        self.stdout_pty = stdout_pty
        #: keep stdin open for `Process.write` (a two-way protocol) instead of feeding ``stdin``
        self.interactive_stdin = interactive_stdin
        #: the program is a launcher that starts the agent as its child and waits for it: on a
        #: stop the agent goes first, so that the launcher reaps it (`oauthpy._teardown.stop`)
        self.launcher = launcher

    def __repr__(self) -> str:
        return f"Invocation({', '.join(f'{name}={getattr(self, name)!r}' for name in _FIELDS)})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq=True

    def cleanup(self) -> None:
        for fn in self.cleanups:
            try:
                fn()
            except OSError:
                pass
        self.cleanups.clear()
