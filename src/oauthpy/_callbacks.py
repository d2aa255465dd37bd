"""Calling the user's callback during a run (``on_permission``, ``on_question``).

Sync callbacks run in a thread, so a blocking one (``input()``, a GUI prompt) leaves the event
loop and the run's timeout going; the whole call, an awaitable answer included, is bounded by
the run's deadline.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

from oauthpy._errors import TimeoutExceededError
from oauthpy._user_exit import guarded


async def call_user(
    callback: Callable[[Any], Any], arg: Any, deadline: float | None, where: str, doing: str = "answered"
) -> Any:
    """``callback(arg)``'s answer, awaited if awaitable, within ``deadline``.

    Raises what the callback raised (``SystemExit``/``KeyboardInterrupt`` carried as a
    `UserCodeExit`), or `TimeoutExceededError` when the run's total timeout passes first.
    """
    started = time.monotonic()
    # sys.exit() or Ctrl-C in the callback ends the run, carried out of the loop (_user_exit)
    task = asyncio.ensure_future(guarded(_answer(callback, arg), where))
    wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
    try:
        done, _ = await asyncio.wait({task}, timeout=wait)
    finally:
        if not task.done():
            task.cancel()
    if not done:
        raise TimeoutExceededError(
            f"total timeout fired after {time.monotonic() - started:.1f} s while {where} {doing}",
            which="total",
            after_s=time.monotonic() - started,
        )
    return task.result()


async def _answer(callback: Callable[[Any], Any], arg: Any) -> Any:
    if inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004 (an object with an async __call__)
    ):
        answer = await callback(arg)
    else:
        answer = await asyncio.to_thread(callback, arg)
    while inspect.isawaitable(answer):  # a sync function that returned a coroutine
        answer = await answer
    return answer
