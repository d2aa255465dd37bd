"""Ctrl-C while a sync stream waits, when the interrupted step takes long to unwind.

`_loop.run` waits (bounded) for an interrupted step to unwind; a step that takes longer (a
slow teardown on a loaded machine) is still running when the stream closes itself. Closing
must then wait for it, not fail with asyncio's "aclose(): asynchronous generator is already
running" (a traceback the user once saw from ``oauthpy run --stream``).
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Iterator

import pytest

from oauthpy import _loop

pytestmark = pytest.mark.fast


@pytest.fixture
def ctrl_c_soon() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        pytest.fail("signals need the main thread")

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_ctrl_c_with_a_slow_unwind_raises_keyboardinterrupt_not_runtimeerror(
    ctrl_c_soon: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_loop, "_CANCEL_WAIT_S", 0.05)  # the unwind below takes longer
    unwound = threading.Event()

    async def events() -> AsyncGenerator[int, None]:
        try:
            yield 1
            await asyncio.Event().wait()  # the turn waits on the model
            yield 2
        finally:
            await asyncio.sleep(0.5)  # stopping the vendor process
            unwound.set()

    stream = _loop.iterate_sync(events())
    assert next(stream) == 1
    signal.setitimer(signal.ITIMER_REAL, 0.2)  # Ctrl-C while the stream waits
    with pytest.raises(KeyboardInterrupt):
        next(stream)
    assert unwound.is_set()  # closed for real before the interrupt reached the caller
    assert list(stream) == []


def test_a_ctrl_c_python_dropped_is_raised_where_the_command_next_waits():
    # The garbage collector runs weakref callbacks at any moment; a signal handler's
    # KeyboardInterrupt raised inside one is printed as "Exception ignored" and lost (a CI run
    # saw `oauthpy run --stream` finish with 0 after a Ctrl-C that landed there).
    from oauthpy.cli import _interrupts_never_dropped

    class Held:
        pass

    def dropped(_: object) -> None:
        raise KeyboardInterrupt

    with _interrupts_never_dropped():
        held = Held()
        watch = weakref.ref(held, dropped)
        del held  # the callback raises; Python ignores it and goes on
        assert watch() is None
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            _loop.run_sync(asyncio.sleep(10))  # the command's next wait for its run
        assert time.monotonic() - started < 5
    assert _loop._dropped == []
