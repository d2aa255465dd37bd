"""Interrupts Python dropped: the exception of a signal handler that ran inside a weakref
callback or a ``__del__`` is printed and ignored, so a Ctrl-C would be lost. The command line
hands them here (`raise_later`) and the next wait of the run raises them: a wait for the
event loop (`oauthpy._loop`), or the early codex run's wait for output (`oauthpy.cli.run_exec`).

A module of its own, with no import: the command installs its hook before it knows whether
the run will load the event loop at all.
"""

from __future__ import annotations

#: how often a wait looks for an interrupt Python dropped
CHECK_S = 0.2

dropped: list[BaseException] = []


def raise_later(exc: BaseException) -> None:
    """Raise ``exc`` (an interrupt Python dropped) where this thread next waits."""
    dropped.append(exc)


def raise_dropped() -> None:
    """Raise the interrupt Python dropped, if one was."""
    if dropped:
        raise dropped.pop()


__all__ = ["CHECK_S", "dropped", "raise_dropped", "raise_later"]
