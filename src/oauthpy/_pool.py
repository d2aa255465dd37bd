"""Warm live agents inside ``with Client(...)``, kept the way an HTTP client keeps connections.

An agent (one live vendor process) is checked out by one run at a time and given back when
the run ends. It is reused only by a run with the same process-level settings (its key), only
on the event loop it was started on, and only while it is healthy: a run that timed out, was
cancelled or broke the agent closes it instead of giving it back. An agent left idle for
``keep_alive`` seconds closes; `AgentPool.aclose` closes the rest. Every agent's
processes are also in the exit-time registry, so none outlives the interpreter.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from ._teardown import within


class Agent(Protocol):
    @property
    def usable(self) -> bool:
        """Still alive and able to take a new run."""
        ...

    async def aclose(self) -> None: ...


A = TypeVar("A", bound=Agent)
#: how long closing the pool waits for an agent that lives on another event loop
_FOREIGN_CLOSE_WAIT_S = 15.0


class _Idle:
    __slots__ = ("agent", "key", "loop", "timer")

    def __init__(self, agent: Agent, key: str, loop: asyncio.AbstractEventLoop) -> None:
        self.agent, self.key, self.loop = agent, key, loop
        self.timer: asyncio.TimerHandle | None = None


class AgentPool:
    """Idle agents by key. Not thread-safe on its own: each agent is used on its own loop."""

    def __init__(self, keep_alive: float) -> None:
        self.keep_alive = keep_alive
        self._idle: list[_Idle] = []
        self._closing: set[asyncio.Task[None]] = set()
        self.closed = False
        #: how many agents were started and reused (for tests and the curious)
        self.started = 0
        self.reused = 0

    async def acquire(self, key: str, start: Callable[[], Awaitable[A]]) -> A:
        """An idle agent of ``key`` on this loop, or a new one from ``start()``."""
        loop = asyncio.get_running_loop()
        for entry in list(self._idle):
            if entry.key == key and entry.loop is loop:
                self._take(entry)
                if entry.agent.usable:
                    self.reused += 1
                    return entry.agent  # type: ignore[return-value]
                await entry.agent.aclose()
        agent = await start()
        self.started += 1
        return agent

    async def release(self, key: str, agent: Agent, *, reuse: bool) -> None:
        """Give ``agent`` back; it is closed instead unless ``reuse`` and it is still usable."""
        if not reuse or self.closed or not agent.usable:
            await agent.aclose()
            return
        loop = asyncio.get_running_loop()
        entry = _Idle(agent, key, loop)
        entry.timer = loop.call_later(self.keep_alive, self._expire, entry)
        self._idle.append(entry)

    def _take(self, entry: _Idle) -> None:
        self._idle.remove(entry)
        if entry.timer is not None:
            entry.timer.cancel()

    def _expire(self, entry: _Idle) -> None:
        if entry in self._idle:
            self._take(entry)
            task = asyncio.ensure_future(entry.agent.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close every idle agent; agents still checked out close when their run gives them back."""
        self.closed = True
        entries, self._idle = self._idle, []
        current = asyncio.get_running_loop()
        waits: list[Awaitable[Any]] = []
        for entry in entries:
            if entry.timer is not None:
                entry.timer.cancel()
            if entry.loop is current:
                waits.append(entry.agent.aclose())
            elif entry.loop.is_running() and not entry.loop.is_closed():
                # started by a sync call on oauthpy's loop thread, closed from an async block
                future = asyncio.run_coroutine_threadsafe(_close(entry.agent), entry.loop)
                waits.append(within(asyncio.wrap_future(future), _FOREIGN_CLOSE_WAIT_S))
            # an agent whose loop is gone has lost its transports; the exit hook kills it
        waits.extend(self._closing)
        for wait in waits:
            with contextlib.suppress(Exception):
                await wait


async def _close(agent: Agent) -> None:
    await agent.aclose()
