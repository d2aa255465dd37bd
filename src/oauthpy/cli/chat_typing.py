"""What ``oauthpy chat`` does with a line typed while a run goes on (stdin a terminal): the
answer to the agent's question when one waits; else a steer of the session's running turn, for
an agent with "steer" in its registry ``controls``; else kept, to run once the turn ends, as a
shell runs what was typed ahead (so is a ``/command``, and a line an agent could not take).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from oauthpy._describe import safe
from oauthpy._errors import OauthPyError, SessionIdleError
from oauthpy.cli.questions import TerminalLines, decline, on_terminal, terminal_asker
from oauthpy.cli.term import Spinner, print_error, style

if TYPE_CHECKING:
    from oauthpy._questions import QuestionCallback
    from oauthpy._registry import ProviderName
    from oauthpy._session import Session


class ChatTyping:
    """The REPL's side of the terminal while its runs go on (mixed into `Repl`)."""

    provider: ProviderName
    _session: Session | None

    def _init_typing(self) -> None:
        #: lines typed during a run that run once it ends
        self.kept: list[str] = []
        self._kept_lock = threading.Lock()
        #: whether the person was told that this agent cannot be steered
        self.told_unsteerable = False
        #: the terminal's lines while a run goes on (None: between runs, or no terminal)
        self._lines: TerminalLines | None = None
        self._spinner: Spinner | None = None
        self.terminal = on_terminal()
        #: ``on_question``: asked on the terminal, declined with none
        self.asker: QuestionCallback = (
            terminal_asker(lambda: self._lines, quiet=self._quiet) if self.terminal else decline
        )

    def _quiet(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()

    @contextlib.contextmanager
    def typing(self, spinner: Spinner, *, steer: bool = False) -> Iterator[None]:
        """While a run goes on: the lines typed on the terminal answer the agent's questions,
        steer the session's turn (``steer``) or are kept for after it."""
        self._spinner = spinner
        if self.terminal:
            self._lines = TerminalLines(sys.stdin.fileno(), lambda line: self._typed(line, steer))
        try:
            yield
        finally:
            lines, self._lines, self._spinner = self._lines, None, None
            if lines is not None:
                lines.close()

    def _typed(self, line: str, steer: bool) -> None:
        """A line typed while a run goes on (on the terminal's reading thread)."""
        text = line.strip()
        if not text:
            return
        session = self._session
        if steer and session is not None and not text.startswith("/"):
            from oauthpy import _registry as registry

            if "steer" in registry.get(self.provider).controls:
                try:
                    session.steer(text)
                except SessionIdleError:
                    pass  # the turn ended meanwhile: the line is the next turn
                except OauthPyError as exc:  # not steered: kept, as for an agent without the door
                    print_error(exc.message, exc.hint)
                else:
                    self._note(style(f"steered: {safe(text)}", "dim", sys.stderr))
                    return
            elif not self.told_unsteerable:
                self.told_unsteerable = True
                self._note(
                    f"{self.provider} cannot be steered: what you type now runs as the next turn "
                    "once this one ends"
                )
        with self._kept_lock:
            self.kept.append(text)

    def _note(self, text: str) -> None:
        spinner = self._spinner
        if spinner is not None:
            spinner.say(text)
        else:
            print(text, file=sys.stderr, flush=True)

    def next_kept(self) -> str | None:
        """The first line kept during the last run, to run now."""
        with self._kept_lock:
            return self.kept.pop(0) if self.kept else None


__all__ = ["ChatTyping"]
