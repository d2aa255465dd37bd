"""Ctrl-C at either end of the ``oauthpy`` command: exit 130, never a traceback.

`main` turns a Ctrl-C during a command into ``error: interrupted`` and 130. Before it runs
(Python importing the command) and after it returns (the offline fakes stopping at exit, the
interpreter's last collections: ``BaseEventLoop.__del__``), Python's own handler would raise
``KeyboardInterrupt`` in the middle of an import or an exit handler: a traceback, and, at exit,
the status of a command that had ended (0). So at both ends a Ctrl-C is only noted: while
starting, `release` raises it where `main` handles it; after the end, the exit status is 130.

Imported first by ``oauthpy.cli``, with nothing else: its own import must be quick.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from types import FrameType

#: a Ctrl-C came while it was only noted
_seen = False
#: this process is the ``oauthpy`` command (not a program that imports the CLI)
_command = False


def _note(signum: int, frame: FrameType | None) -> None:
    global _seen
    _seen = True


def _started_as_the_command() -> bool:
    """Whether this process is the ``oauthpy`` command (``oauthpy``, ``python -m oauthpy[.cli]``),
    not a program that imports the CLI's modules (a test, a user's script)."""
    first = sys.argv[0] if sys.argv else ""
    return (
        first == "-m"  # python -m oauthpy.cli: runpy imports the package before setting it
        or os.path.basename(first) == "oauthpy"
        or first.endswith(os.path.join("oauthpy", "__main__.py"))
    )


def _hold() -> None:
    try:
        signal.signal(signal.SIGINT, _note)
    except ValueError:  # not the main thread: signals are not this thread's to handle
        pass


def hold_while_starting() -> None:
    """From the first line of the command's import: a Ctrl-C is noted, for `release`."""
    global _command
    if _started_as_the_command():
        _command = True
        _hold()


def pause_collector() -> None:
    """In the command's own process: no garbage collection while it starts. What it imports
    lives as long as the process, so collecting finds nothing in it, yet the collector walks it
    again and again: a sixth of a fresh ``oauthpy run``'s time before its agent starts.
    `collecting` resumes it."""
    if _command:
        gc.disable()


def collecting() -> None:
    """The command has started (what it needs is imported): what exists now is left out of
    every later collection (``gc.freeze``), and collection resumes."""
    if _command and not gc.isenabled():
        gc.freeze()
        gc.enable()


def release() -> None:
    """At `main`'s start, where it handles interrupts: Python's handler back, and a Ctrl-C
    noted while starting raised now."""
    global _seen
    if signal.getsignal(signal.SIGINT) is _note:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if _seen:
        _seen = False
        raise KeyboardInterrupt


def hold_until_exit() -> None:
    """After `main`: a Ctrl-C no longer raises anything; it makes the exit status 130."""
    _hold()


def _dropped(unraisable: object) -> None:
    """An interrupted command's unraisable exceptions: not shown."""


def quiet_from_now() -> None:
    """The command was interrupted: the exception may have landed inside an object's making (an
    event loop half built: its ``__del__`` then fails on an attribute it never got), and what
    such an object's ``__del__`` raises later is noise, not news ("Exception ignored" and a
    traceback after ``error: interrupted``). Called where the interruption is handled, while
    the exception still holds the half-made object. Only in the command's own process: a
    program that calls `main` keeps its hook."""
    if _command:
        sys.unraisablehook = _dropped


def exit_status(code: int) -> int:
    """The command's exit status; an interrupted one (130) also ends through `last_word`:
    CPython remembers a ``KeyboardInterrupt`` that went through code it ``exec``-ed (a
    dataclass being made) and would end the process by SIGINT (-2) instead of 130."""
    global _seen
    if code == 130:
        _seen = True
    return 130 if _seen else code


def last_word() -> None:
    """Registered with ``atexit`` before anything else, so it runs after every other exit
    handler (the offline fakes' shutdown, the process reaper): a Ctrl-C noted until then ends
    the process with 130, whatever status it was leaving with."""
    if _seen:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a reader gone, a closed stream
                pass
        os._exit(130)


__all__ = [
    "collecting",
    "exit_status",
    "hold_until_exit",
    "hold_while_starting",
    "last_word",
    "pause_collector",
    "quiet_from_now",
    "release",
]


class Terminated(BaseException):
    """SIGTERM arrived. A BaseException, like KeyboardInterrupt, so the run in progress is
    stopped on the way out (its vendor processes with it); not a KeyboardInterrupt, so the
    places that shrug off a Ctrl-C (the chat prompt) do not swallow it."""
