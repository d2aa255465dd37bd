"""A run's events as ``notifications/progress`` of the tool call, and a heartbeat while the
agent is silent: clients with a tool timeout (most reset it on progress) keep waiting."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from oauthpy._describe import describe
from oauthpy._events import Event

#: seconds of silence after which a heartbeat says the agent is still at work
HEARTBEAT_S = 10.0

Send = Callable[[float, str], Awaitable[None]]


class Progress:
    """Rising progress numbers with a message for one call; ``send`` is the session's
    ``report_progress`` (a no-op when the call carries no ``progressToken``)."""

    def __init__(self, send: Send, agent: str) -> None:
        self._send = send
        self._agent = agent
        self._count = 0
        self._last = ""
        self._quiet_since = time.monotonic()
        #: what the heartbeat says the call is still doing, and since when
        self._doing = "working"
        self._doing_since = self._quiet_since

    def now(self, doing: str) -> None:
        """The call starts ``doing`` (waiting for a slot, then working): its heartbeat counts
        the seconds from here."""
        self._doing, self._doing_since = doing, time.monotonic()

    async def say(self, message: str) -> None:
        self._count += 1
        self._quiet_since = time.monotonic()
        try:
            await self._send(float(self._count), message)
        except Exception:  # a client gone or a closed stream: the call itself goes on
            pass

    async def event(self, event: Event) -> None:
        message = describe(event, brief=True)  # redacted and escaped, as on a terminal
        if message is not None and message != self._last:
            self._last = message
            await self.say(message)

    @contextlib.asynccontextmanager
    async def heartbeat(self, every_s: float = HEARTBEAT_S) -> AsyncIterator[None]:
        async def beat() -> None:
            while True:
                await asyncio.sleep(max(every_s - (time.monotonic() - self._quiet_since), 0.05))
                if time.monotonic() - self._quiet_since >= every_s:
                    self._last = ""
                    took = time.monotonic() - self._doing_since
                    await self.say(f"{self._agent} is still {self._doing} ({took:.0f} s)")

        task = asyncio.ensure_future(beat())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def progress_sender(session: Any) -> Send:
    async def send(progress: float, message: str) -> None:
        await session.report_progress(progress, None, message)

    return send
