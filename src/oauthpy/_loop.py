"""The private event loop thread behind every sync method.

Sync calls hand their coroutine to one long-lived loop on a daemon thread and wait for it, so
they work the same in a plain script and inside a running loop (Jupyter). Ctrl-C or any
exception in the waiting thread cancels the coroutine, which kills the vendor process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncGenerator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_CANCEL_WAIT_S = 15.0


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
            return fut.result()
        except BaseException:
            # KeyboardInterrupt or the like in this thread: stop the run, bounded.
            if not fut.done():
                fut.cancel()
                concurrent.futures.wait([fut], timeout=_CANCEL_WAIT_S)
            raise

    def iterate(self, agen: AsyncGenerator[T, None]) -> Iterator[T]:
        """Drive an async generator from sync code; closing the iterator closes it."""
        try:
            while True:
                try:
                    item = self.run(agen.__anext__())
                except StopAsyncIteration:
                    return
                yield item
        finally:
            self.run(agen.aclose())


_default = _LoopThread()
run_sync = _default.run
iterate_sync = _default.iterate
