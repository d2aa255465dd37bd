"""What to start: the argv, environment and input of one vendor process (`oauthpy._process`
runs it). Apart from the runtime so that building one imports no event loop: a fresh
``oauthpy run`` builds codex's before anything else loads (`oauthpy.cli.run_exec`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Invocation:
    """What to start: built by a provider, run by `Process`."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    stdin: bytes | None = None
    #: cleanup callbacks (temp files) run after the process is gone
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    #: how to tell the user to install the binary when it is missing
    install_hint: str = ""
    #: give the child a pseudo-terminal as stdout instead of a pipe (see `_open_pty`)
    stdout_pty: bool = False
    #: keep stdin open for `Process.write` (a two-way protocol) instead of feeding ``stdin``
    interactive_stdin: bool = False

    def cleanup(self) -> None:
        for fn in self.cleanups:
            try:
                fn()
            except OSError:
                pass
        self.cleanups.clear()
