"""Terminal output: colour only on a TTY without NO_COLOR, a spinner only on a TTY stderr.

Hand-written on purpose: three ANSI styles and a spinner do not justify importing a terminal
library into every ``oauthpy`` start (startup time is benchmarked).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

_STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
_FRAMES = "|/-\\"


def on_terminal(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (stdin) is a terminal a person can answer on (POSIX: the reader
    ``select``s it)."""
    stream = sys.stdin if stream is None else stream
    try:
        return sys.platform != "win32" and stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced by something that is no file
        return False


def use_colour(stream: TextIO) -> bool:
    return not os.environ.get("NO_COLOR") and stream.isatty()


def style(text: str, name: str, stream: TextIO) -> str:
    if not use_colour(stream):
        return text
    return f"\x1b[{_STYLES[name]}m{text}\x1b[0m"


def print_error(message: str, hint: str | None = None) -> None:
    """The one error format: ``error: ...`` and, when there is a fix, ``hint: ...``."""
    err = sys.stderr
    print(f"{style('error:', 'red', err)} {message}", file=err)
    if hint:
        print(f"{style('hint:', 'yellow', err)} {hint}", file=err)


class Spinner:
    """Shows ``<frame> <label> 1.2s`` on stderr while waiting, on a terminal only, followed by
    a `note` when there is one (``reconnecting 2/5 after 429``).

    ``stop()`` erases the line, so nothing of it ever mixes with the real output.
    """

    def __init__(self, label: str = "working", stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.enabled = self.stream.isatty()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._note = ""

    def note(self, text: str) -> None:
        """Say ``text`` after the time from now on (``""``: nothing)."""
        self._note = text

    def say(self, text: str) -> None:
        """Write ``text`` as a line of its own on the spinner's stream (above the spinner)."""
        with self._lock:
            self.stream.write(("\r\x1b[K" if self._thread is not None else "") + text + "\n")
            self.stream.flush()

    def line(self, elapsed: float, frame: int = 0) -> str:
        """What the spinner shows after ``elapsed`` seconds."""
        note = f" · {self._note}" if self._note else ""
        return f"{_FRAMES[frame % 4]} {self.label} {elapsed:.1f}s{note}"

    def start(self) -> Spinner:
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._spin, name="oauthpy-spinner", daemon=True)
            self._thread.start()
        return self

    def _spin(self) -> None:
        started = time.monotonic()
        frame = 0
        while not self._stop.wait(0.1):
            with self._lock:
                if self._stop.is_set():
                    return
                elapsed = time.monotonic() - started
                self.stream.write(f"\r{self.line(elapsed, frame)}\x1b[K")
                self.stream.flush()
            frame += 1

    def stop(self) -> None:
        if self._thread is None:
            return
        with self._lock:
            self._stop.set()
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self._thread.join(1.0)
        self._thread = None

    def __enter__(self) -> Spinner:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
