"""Carrying a ``SystemExit`` or ``KeyboardInterrupt`` of the user's code out of a run.

The user's code runs inside oauthpy's event loop (``on_permission``, tools). A ``SystemExit``
or ``KeyboardInterrupt`` raised there would not end the run: asyncio re-raises those two out of
the task into the loop itself, which stops the loop (for a sync method, oauthpy's private loop
thread dies and the call never returns). So where oauthpy calls the user's code, those two
become a `UserCodeExit`, an ordinary exception: the run stops its agent as for any exception
of the callback, and the caller gets the original back.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class UserCodeExit(Exception):
    """The user's code raised ``SystemExit`` or ``KeyboardInterrupt`` during a run; ``original``
    (also the ``__cause__``) is that exception, to re-raise where the run was called."""

    def __init__(self, original: BaseException, where: str) -> None:
        super().__init__(f"{where} raised {type(original).__name__}")
        self.original = original


def is_exit(exc: BaseException) -> bool:
    """Whether ``exc`` is one of the two exceptions asyncio re-raises into its loop."""
    return isinstance(exc, (SystemExit, KeyboardInterrupt))


async def guarded(awaitable: Awaitable[T], where: str) -> T:
    """``await awaitable`` (the user's code), its ``SystemExit``/``KeyboardInterrupt`` carried
    as a `UserCodeExit`. Awaited in the same task as the user's code, so it catches them
    before asyncio's task machinery passes them to the loop."""
    try:
        return await awaitable
    except BaseException as exc:
        if is_exit(exc):
            raise UserCodeExit(exc, where) from exc
        raise


#: set on the loop thread behind the sync methods (`_loop` marks it as it starts)
_thread_state = threading.local()


def mark_private_loop() -> None:
    """Mark the calling thread as the private loop's (called by `_loop`'s thread)."""
    _thread_state.private = True


def on_private_loop() -> bool:
    """Whether this code runs on the loop thread behind the sync methods."""
    return bool(getattr(_thread_state, "private", False))


def reraise_original(exc: UserCodeExit) -> None:
    """Re-raise the user's own exception where the run was called from async code.

    On the private loop behind the sync methods it must stay wrapped: raised there, asyncio
    would stop that loop; `_loop` unwraps it in the calling thread instead."""
    if not on_private_loop():
        raise exc.original from None


__all__ = ["UserCodeExit", "guarded", "is_exit", "mark_private_loop", "on_private_loop", "reraise_original"]
