"""The private event loop thread behind every sync method.

Sync calls hand their coroutine to one long-lived loop on a daemon thread and wait for it, so
they work the same in a plain script and inside a running loop (Jupyter). Ctrl-C or any
exception in the waiting thread cancels the coroutine, which kills the vendor process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncGenerator, Coroutine, Iterator
from typing import Any, Generic, TypeVar

from oauthpy._dropped import CHECK_S as _DROPPED_CHECK_S
from oauthpy._dropped import dropped as _dropped
from oauthpy._dropped import raise_later as raise_later  # the command's hook hands them here
from oauthpy._user_exit import UserCodeExit, mark_private_loop, on_private_loop

T = TypeVar("T")

_CANCEL_WAIT_S = 15.0
#: how long closing a stream waits for an interrupted step that is still unwinding, and how
#: often it looks
_UNWIND_WAIT_S = 15.0
_RETRY_S = 0.01


class _Call(Generic[T]):
    """One coroutine run on the loop for a thread that waits for it.

    The waiting thread touches nothing but a plain lock and attributes: a Ctrl-C can land on any
    line of Python code, and the standard library's waits (`concurrent.futures.wait`, a
    future's condition, `Thread.is_alive`) can be left holding or releasing a lock half-way
    ("RuntimeError: release unlocked lock", exit 1 instead of 130, or a loop that hangs)."""

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self.coro = coro
        self.task: asyncio.Task[T] | None = None
        self.stopped = False
        #: free once the coroutine is over (or was never started)
        self.over = threading.Lock()
        self.over.acquire()
        #: whether the waiting thread has seen `over`
        self.seen = False

    def start(self) -> None:  # on the loop
        if not self.stopped:
            self.task = asyncio.ensure_future(self.coro)
            self.task.add_done_callback(lambda _: self.over.release())

    def stop(self) -> None:  # on the loop, after `start` when that was scheduled at all
        if self.stopped:
            return
        self.stopped = True
        if self.task is not None:
            self.task.cancel()
        else:  # interrupted before `start` was scheduled: it never runs
            self.coro.close()
            self.over.release()

    def finished(self) -> bool:
        return self.task.done() if self.task is not None else self.stopped

    def result(self) -> T:
        if self.task is None:
            raise asyncio.CancelledError
        return self.task.result()


def _wait(call: _Call[T]) -> T:
    while not call.over.acquire(timeout=_DROPPED_CHECK_S):
        if _dropped:
            raise _dropped.pop()
    call.seen = True
    return call.result()


class _LoopThread:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        #: whether the loop thread still runs its loop (it clears this as it ends)
        self._running = False

    def _get(self) -> asyncio.AbstractEventLoop:
        # Not Thread.is_alive(): a Ctrl-C inside it (on every step of a stream) can release the
        # loop thread's own state lock and mark that thread stopped ("release unlocked lock",
        # then a second loop). The thread says itself when its loop ends.
        loop = self._loop
        if loop is not None and self._running:
            return loop
        with self._lock:
            if self._loop is None or self._thread is None or not self._running:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def main() -> None:
                    mark_private_loop()
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    try:
                        loop.run_forever()
                    finally:
                        self._running = False

                thread = threading.Thread(target=main, name="oauthpy-loop", daemon=True)
                self._running = True
                thread.start()
                ready.wait(10)
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        call: _Call[T] | None = None
        try:
            loop = self._get()
            if threading.current_thread() is self._thread:
                raise RuntimeError("oauthpy sync methods cannot be called from oauthpy's own loop")
            call = _Call(coro)
            loop.call_soon_threadsafe(call.start)
            return _wait(call)
        except UserCodeExit as exc:
            # the user's on_permission or tool raised SystemExit/KeyboardInterrupt: the run is
            # over (its agent stopped); the caller gets its own exception back, in its thread
            raise exc.original from None
        except BaseException:
            # KeyboardInterrupt or the like in this thread: stop the run, bounded.
            if call is None:
                coro.close()  # it never reached the loop
            elif not call.finished() and not loop.is_closed():
                loop.call_soon_threadsafe(call.stop)
                call.over.acquire(timeout=_CANCEL_WAIT_S)
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
