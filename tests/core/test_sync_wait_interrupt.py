"""A Ctrl-C that lands anywhere in a sync method's wait for oauthpy's loop is the caller's
``KeyboardInterrupt``, never an error of the wait itself.

The first hour on a loaded machine saw ``RuntimeError: release unlocked lock`` (exit 1, not
130): the interrupt came between two lines of `threading.Condition.wait`, which the old wait
reached through `concurrent.futures.wait`, after it had let go of its lock and before the
``try`` that takes it back. A signal lands there once in a long while; luck proves nothing. So
this test raises the interrupt at every line the wait runs, one line per round, as the signal
handler would raise it there.
"""

from __future__ import annotations

import asyncio
import sys
from types import FrameType
from typing import Any

import pytest

from oauthpy._loop import run_sync

pytestmark = pytest.mark.fast

#: more than the lines of any one wait: the last rounds run to the end uninterrupted
MAX_LINES = 600
#: the code of a wait: oauthpy's and what it calls of the standard library's (the loop exists)
WAITING = ("_loop.py", "_base.py", "threading.py")


async def _answer() -> str:
    await asyncio.sleep(0.001)  # the wait loops at least once
    return "answer"


def _interrupt_at(line: int) -> tuple[BaseException | None, bool]:
    """Run one wait with a ``KeyboardInterrupt`` raised at its ``line``-th line event; what it
    raised, and whether the interrupt was raised at all (False: the wait has fewer lines)."""
    seen = 0
    raised = False

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal seen, raised
        if event == "line" and frame.f_code.co_filename.endswith(WAITING):
            seen += 1
            if seen == line:
                raised = True
                sys.settrace(None)
                raise KeyboardInterrupt
        return trace

    coro = _answer()
    try:
        sys.settrace(trace)
        try:
            run_sync(coro)
        finally:
            sys.settrace(None)
    except BaseException as exc:
        return exc, raised
    finally:
        # an interrupt on the wait's first line, before its ``try``, leaves the coroutine
        # unclosed, as a Ctrl-C as a function starts leaves any argument (no-op otherwise)
        coro.close()
    return None, raised


def test_an_interrupt_at_any_line_of_a_wait_for_the_loop_is_a_keyboardinterrupt() -> None:
    assert run_sync(_answer()) == "answer"  # the loop's thread runs before the first round
    wrong: list[tuple[int, str]] = []
    for line in range(1, MAX_LINES):
        exc, raised = _interrupt_at(line)
        if not raised:
            break  # every line of the wait was tried
        if type(exc) is not KeyboardInterrupt:
            wrong.append((line, repr(exc)))
    else:
        raise AssertionError(f"the wait ran more than {MAX_LINES} lines")
    assert line > 2  # the wait was traced at all
    assert wrong == []
