"""``on_event=``: the user's callback, shown every event of a run or turn as it happens.

A sync function or an async one (its awaitable is awaited before the run goes on). It runs on
the run's event loop (for the sync methods, oauthpy's private loop thread), so a slow callback
slows the run. What it raises ends the run (its agent stopped) and reaches the caller, as for
``on_permission``; ``SystemExit``/``KeyboardInterrupt`` are carried out of the loop
(`oauthpy._user_exit`).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncGenerator, Callable
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._events import Event
from oauthpy._user_exit import UserCodeExit, guarded, reraise_original

#: ``on_event``'s type: called with each `Event`; an awaitable it returns is awaited
EventCallback = Callable[[Event], object]


def check_on_event(value: Any) -> EventCallback | None:
    """``on_event`` as given, checked before anything starts."""
    if value is None:
        return None
    if not callable(value):
        raise InvalidOptionsError(
            f"on_event must be a function taking an Event, got {type(value).__name__}",
            hint="e.g. on_event=lambda event: print(event.kind)",
        )
    return value  # type: ignore[no-any-return]


async def _call(callback: EventCallback, event: Event) -> None:
    answer = callback(event)
    if inspect.isawaitable(answer):
        await answer


async def watched(gen: AsyncGenerator[Event, None], callback: EventCallback) -> AsyncGenerator[Event, None]:
    """``gen``'s events, each shown to ``callback`` before it goes on."""
    async with contextlib.aclosing(gen):
        async for event in gen:
            try:
                await guarded(_call(callback, event), "on_event")
            except UserCodeExit as exc:
                reraise_original(exc)
                raise
            yield event


__all__ = ["EventCallback", "check_on_event", "watched"]
