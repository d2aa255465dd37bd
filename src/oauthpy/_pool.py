"""Warm live agents inside ``with Client(...)``, kept the way an HTTP client keeps connections.

An agent (one live vendor process) is checked out by one run at a time and given back when
the run ends. It is reused only by a run with the same process-level settings (its key), only
on the event loop it was started on, and only while it is healthy: a run that timed out, was
cancelled or broke the agent closes it instead of giving it back. An agent left idle for
``keep_alive`` seconds closes, and so does the one idle longest when more than ``max_idle``
are (runs that each need other settings would otherwise keep a process each); `AgentPool.aclose`
closes the rest. Every agent's
processes are also in the exit-time registry, so none outlives the interpreter.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol, TypeVar

from oauthpy._teardown import within


class Agent(Protocol):
    @property
    def usable(self) -> bool:
        """Still alive and able to take a new run."""
        ...

    async def aclose(self) -> None: ...

    def kill_now(self) -> None:
        """Kill its processes at once, without an event loop (its loop has ended)."""
        ...


A = TypeVar("A", bound=Agent)
#: how long closing the pool waits for an agent that lives on another event loop
_FOREIGN_CLOSE_WAIT_S = 15.0
#: idle agents a pool keeps at most, by default
MAX_IDLE = 4
#: runs one agent serves at once at most, however high a batch's concurrency: one vendor
#: process is one event loop (Bun, Node), and a turn's tools run in it
MAX_SHARE = 8


class _Idle:
    __slots__ = ("agent", "key", "loop", "timer")

    def __init__(self, agent: Agent, key: str, loop: asyncio.AbstractEventLoop) -> None:
        self.agent, self.key, self.loop = agent, key, loop
        self.timer: asyncio.TimerHandle | None = None


class _Shared:
    """An agent checked out by ``holders`` runs at once (`AgentPool.share`)."""

    __slots__ = ("agent", "holders", "key", "loop", "retired")

    def __init__(self, agent: Agent, key: str, loop: asyncio.AbstractEventLoop) -> None:
        self.agent, self.key, self.loop = agent, key, loop
        self.holders = 1
        #: a run broke it (or it died): no new run takes it
        self.retired = False


class AgentPool:
    """Idle agents by key. Not thread-safe on its own: each agent is used on its own loop."""

    def __init__(self, keep_alive: float, max_idle: int = MAX_IDLE) -> None:
        self.keep_alive = keep_alive
        #: idle agents kept at most (a batch raises it to its concurrency)
        self.max_idle = max_idle
        self._idle: list[_Idle] = []
        self._closing: set[asyncio.Task[None]] = set()
        self.closed = False
        #: per event loop with idle agents, the task that closes them when that loop ends
        self._guards: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        #: how many agents were started and reused (for tests and the curious)
        self.started = 0
        self.reused = 0
        #: the concurrency of each batch under way (`sharing`)
        self._batches: list[int] = []
        #: the agents checked out by runs that share them
        self._shared: list[_Shared] = []
        #: per key and loop, held while a shared agent of that key is found or started: workers
        #: that ask at once wait for the first one's agent instead of each starting one
        self._joining: dict[tuple[str, asyncio.AbstractEventLoop], tuple[asyncio.Lock, int]] = {}

    @property
    def share(self) -> int:
        """How many runs one agent that serves conversations side by side takes at once: 1 but
        while a batch runs (its concurrency, at most `MAX_SHARE`)."""
        return min(max(self._batches, default=1), MAX_SHARE)

    @contextlib.contextmanager
    def sharing(self, concurrency: int) -> Iterator[None]:
        """While a batch of ``concurrency`` workers runs: its runs may share agents (`share`)."""
        self._batches.append(concurrency)
        try:
            yield
        finally:
            self._batches.remove(concurrency)

    async def acquire(self, key: str, start: Callable[[], Awaitable[A]], *, shared: bool = False) -> A:
        """An idle agent of ``key`` on this loop, or a new one from ``start()``; with ``shared``
        (the agent serves several conversations at once) and `share` above 1, one that other
        runs hold and that has room for another."""
        if not shared or self.share <= 1:
            return await self._acquire(key, start)
        loop = asyncio.get_running_loop()
        # one start per key at a time: the waiters join the agent it gives, if it has room
        async with self._joined(key, loop):
            for entry in self._shared:
                if entry.key == key and entry.loop is loop and not entry.retired:
                    if not entry.agent.usable:
                        entry.retired = True
                    elif entry.holders < self.share:
                        entry.holders += 1
                        self.reused += 1
                        return entry.agent  # type: ignore[return-value]
            agent = await self._acquire(key, start)
            self._shared.append(_Shared(agent, key, loop))
            return agent

    @contextlib.asynccontextmanager
    async def _joined(self, key: str, loop: asyncio.AbstractEventLoop) -> AsyncIterator[None]:
        """Held while a shared agent of ``key`` is looked for or started; the lock is forgotten
        when nobody waits on it (an ended loop's would otherwise stay)."""
        slot = (key, loop)
        lock, users = self._joining.get(slot, (asyncio.Lock(), 0))
        self._joining[slot] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._joining[slot]
            if users <= 1:
                del self._joining[slot]
            else:
                self._joining[slot] = (lock, users - 1)

    async def _acquire(self, key: str, start: Callable[[], Awaitable[A]]) -> A:
        agent, _ = await self._idle_or_new(key, start, lambda entry: entry.key == key)
        return agent

    async def acquire_any_folder(self, key: str, start: Callable[[], Awaitable[A]]) -> tuple[A, str]:
        """An idle agent of ``key``'s family on this loop (its folder aside: `process_key`),
        one of ``key`` itself first, or a new one from ``start()``; and the key it goes back
        under (`release`). For calls that name their folders themselves (the catalogue's): an
        OpenCode run's warm process answers them instead of a start of its own."""
        family = key.partition("/")[0]
        return await self._idle_or_new(key, start, lambda entry: entry.key.partition("/")[0] == family)

    async def _idle_or_new(
        self, key: str, start: Callable[[], Awaitable[A]], fits: Callable[[_Idle], bool]
    ) -> tuple[A, str]:
        loop = asyncio.get_running_loop()
        found = [e for e in self._idle if e.loop is loop and fits(e)]
        for entry in sorted(found, key=lambda e: e.key != key):  # ``key``'s own first
            if entry not in self._idle:  # taken while an unusable one closed
                continue
            self._take(entry)
            if entry.agent.usable:
                self.reused += 1
                return entry.agent, entry.key  # type: ignore[return-value]
            await entry.agent.aclose()
        agent = await start()
        self.started += 1
        return agent, key

    async def release(self, key: str, agent: Agent, *, reuse: bool) -> None:
        """Give ``agent`` back; it is closed instead unless ``reuse`` and it is still usable (a
        shared agent: once the last run on it has given it back)."""
        held = next((e for e in self._shared if e.agent is agent), None)
        if held is not None:
            held.holders -= 1
            held.retired = held.retired or not reuse or not agent.usable
            if held.holders > 0:
                return  # the others' turns go on; it closes (if retired) after the last
            self._shared.remove(held)
            reuse = not held.retired
        if not reuse or self.closed or not agent.usable:
            await agent.aclose()
            return
        loop = asyncio.get_running_loop()
        entry = _Idle(agent, key, loop)
        entry.timer = loop.call_later(self.keep_alive, self._expire, entry)
        self._idle.append(entry)
        here = [e for e in self._idle if e.loop is loop]
        for oldest in here[: max(len(here) - self.max_idle, 0)]:
            self._expire(oldest)  # idle the longest: closed in the background, off this run
        if loop not in self._guards:
            guard = on_loop_end(lambda: self._close_idle_of(loop))
            self._guards[loop] = guard
            guard.add_done_callback(lambda _: self._guards.pop(loop, None))

    async def close_idle(self, holding: str | None = None) -> None:
        """Close the agents idle on this event loop now (one may hold what the caller needs);
        with ``holding``, only those that hold (or, not saying, may hold) that conversation."""
        await self._close_idle_of(asyncio.get_running_loop(), holding)

    async def _close_idle_of(self, loop: asyncio.AbstractEventLoop, holding: str | None = None) -> None:
        entries = [
            e for e in self._idle if e.loop is loop and (holding is None or _may_hold(e.agent, holding))
        ]
        for entry in entries:
            self._take(entry)
        for entry in entries:
            with contextlib.suppress(Exception):
                await entry.agent.aclose()

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
            else:
                # its loop has ended (or is not running): nothing can await its close, so its
                # processes are killed now, without an event loop
                entry.agent.kill_now()
        for guard in list(self._guards.values()):  # nothing left for them to close
            drop_guard(guard)
        waits.extend(self._closing)
        for wait in waits:
            with contextlib.suppress(Exception):
                await wait


def _may_hold(agent: Agent, conversation_id: str) -> bool:
    holds = getattr(agent, "holds", None)  # a live agent says; any other may
    return holds is None or bool(holds(conversation_id))


def on_loop_end(close: Callable[[], Awaitable[object]]) -> asyncio.Task[None]:
    """A task of the running loop that runs ``close()`` when that loop shuts down; cancel the
    task to drop it.

    ``asyncio.run`` (and so each thread's own loop) cancels every task of its loop before
    closing it, and runs the loop until they are done: the last moment an agent's transports
    can still close cleanly. Without this, an agent of an ``asyncio.run`` that has returned
    would live on (its keep-alive timer died with the loop) until the interpreter exits.
    """
    loop = asyncio.get_running_loop()

    async def guard() -> None:
        try:
            await loop.create_future()  # only ever cancelled
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await close()
            raise

    task = loop.create_task(guard())
    # pending for the loop's whole life by design: a loop closed without cancelling its tasks
    # (``run_until_complete``, then ``close``) drops it pending, and the pool's close has its
    # agents killed instead (`Agent.kill_now`), so asyncio's "Task was destroyed but it is
    # pending!" would only be noise in the caller's output
    setattr(task, "_log_destroy_pending", False)  # noqa: B010 (a private flag of asyncio's)
    return task


def drop_guard(task: asyncio.Task[None]) -> None:
    """Cancel an `on_loop_end` task, from any thread; its ``close()`` then runs once more,
    with nothing left to close."""
    if task.done():
        return
    loop = task.get_loop()
    try:
        if loop is _running_loop():
            task.cancel()
        else:
            loop.call_soon_threadsafe(task.cancel)
    except RuntimeError:  # its loop is closed
        pass


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _close(agent: Agent) -> None:
    await agent.aclose()
