"""The private event loop thread behind every sync method.

Sync calls hand their coroutine to one long-lived loop on a daemon thread and wait for it, so
they work the same in a plain script and inside a running loop (Jupyter). Ctrl-C or any
exception in the waiting thread cancels the coroutine, which kills the vendor process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import AsyncGenerator, Coroutine, Iterator
from typing import Any, TypeVar

from oauthpy._user_exit import UserCodeExit, mark_private_loop, on_private_loop

T = TypeVar("T")

_CANCEL_WAIT_S = 15.0
#: how long closing a stream waits for an interrupted step that is still unwinding, and how
#: often it looks
_UNWIND_WAIT_S = 15.0
_RETRY_S = 0.01
#: how often a wait for the loop looks for an interrupt Python dropped
_DROPPED_CHECK_S = 0.2

#: interrupts Python dropped: the exception of a signal handler that ran inside a weakref
#: callback or a ``__del__`` is printed and ignored, so a Ctrl-C would be lost. The command line
#: hands them here (`raise_later`) and the next wait for the loop raises them.
_dropped: list[BaseException] = []


def raise_later(exc: BaseException) -> None:
    """Raise ``exc`` (an interrupt Python dropped) where this thread next waits for the loop."""
    _dropped.append(exc)


def _wait(fut: concurrent.futures.Future[T]) -> T:
    while not fut.done():
        if _dropped:
            raise _dropped.pop()
        concurrent.futures.wait([fut], timeout=_DROPPED_CHECK_S)
    return fut.result()


class _LoopThread:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def main() -> None:
                    mark_private_loop()
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=main, name="oauthpy-loop", daemon=True)
                thread.start()
                ready.wait(10)
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self._get()
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("oauthpy sync methods cannot be called from oauthpy's own loop")
        fut = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return _wait(fut)
        except UserCodeExit as exc:
            # the user's on_permission or tool raised SystemExit/KeyboardInterrupt: the run is
            # over (its agent stopped); the caller gets its own exception back, in its thread
            raise exc.original from None
        except BaseException:
            # KeyboardInterrupt or the like in this thread: stop the run, bounded.
            if not fut.done():
                fut.cancel()
                concurrent.futures.wait([fut], timeout=_CANCEL_WAIT_S)
            raise

    def iterate(self, agen: AsyncGenerator[T, None]) -> SyncStream[T]:
        """Drive an async generator from sync code; closing the iterator closes it."""
        return SyncStream(self, agen)


class SyncStream(Iterator[T]):
    """The events of a run, for a sync ``for`` loop; also a context manager.

    Leaving the loop does not stop the run by itself: Python tells an iterator nothing when a
    ``for`` loop is left. ``for e in client.stream_sync(...): break`` stops it at once anyway,
    because nothing else holds the iterator and CPython drops it there. An iterator kept in a
    variable keeps the run alive until `close`, the end of a ``with`` block, or garbage
    collection.
    """

    def __init__(self, loop: _LoopThread, agen: AsyncGenerator[T, None]) -> None:
        self._loop = loop
        self._agen: AsyncGenerator[T, None] | None = agen

    def __iter__(self) -> SyncStream[T]:
        return self

    def __next__(self) -> T:
        if self._agen is None:
            raise StopIteration
        try:
            return self._loop.run(self._agen.__anext__())
        except StopAsyncIteration:
            self._agen = None
            raise StopIteration from None
        except BaseException:
            self.close()  # a failed or interrupted run is over: stop what is left of it
            raise

    def close(self) -> None:
        """Stop the run now (its processes are gone when this returns). Safe to call twice."""
        agen, self._agen = self._agen, None
        if agen is None:
            return
        give_up = time.monotonic() + _UNWIND_WAIT_S
        while True:
            try:
                self._loop.run(agen.aclose())
                return
            except RuntimeError as exc:
                # An interrupted step (Ctrl-C) that outlived `run`'s bounded wait is still
                # unwinding on the loop, and stops the run itself; wait for it, bounded, and
                # never let the user see asyncio's "already running".
                if "already running" not in str(exc):
                    raise
                if time.monotonic() >= give_up:
                    return  # the unwinding step ends the run; the exit hooks cover the rest
            time.sleep(_RETRY_S)

    def __enter__(self) -> SyncStream[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if self._agen is not None:
            try:
                self.close()
            except Exception:
                pass  # at interpreter exit the loop may be gone; the exit hooks kill what is left


_default = _LoopThread()
run_sync = _default.run
iterate_sync = _default.iterate


__all__ = ["iterate_sync", "on_private_loop", "run_sync"]
