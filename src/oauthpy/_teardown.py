"""The one routine that stops a run's processes, and the bounded waits it is built on.

Every teardown path goes through `stop`: a CLI run's `Process`,
an interactive login, the claude one-shot and session paths, and the background reaper of a
finished run's stragglers. The sequence is always the same:

1. SIGTERM to the run's process group (while oauthpy still owns it) and to every process that
   carries the run's id (`oauthpy._run_marks`), including ones that left the group;
2. a bounded grace, in which an optional graceful close runs (the claude SDK's);
3. SIGKILL to the group and to marked processes until two ``/proc`` scans in a row find none;
4. a bounded wait until this process's own children of the run are reaped;
5. the run is unregistered from the exit-time hooks.

It runs in a task of its own and callers await it shielded: a second cancellation waits for it
to finish (it is bounded), then propagates. A process group is signalled only while its leader
is an unreaped child of this process, so a recycled process-group id is never hit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from oauthpy._run_marks import (
    forget_group,
    kill_all_marked,
    kill_marked,
    marked_pids,
    owns_group,
    parent_of,
    release,
    run_pids,
    signal_group,
    watcher_thread_waits_for,
)

T = TypeVar("T")

TERM_GRACE_S = 2.0
#: bound on the SIGKILL scans and on the wait for this process's own children to be reaped
KILL_WAIT_S = 5.0
#: how long a finished run's leftover helpers may take to end on their own
STRAGGLER_WAIT_S = 10.0

_POLL_S = 0.005
#: the pause before a second look for a run's processes on the caller's path (`_left_behind`):
#: an exec shows an empty environment for well under 0.5 ms unless it is preempted
_LOOK_AGAIN_S = 0.002
#: how often the background reaper looks whether a finished run's helpers have ended
_REAP_POLL_S = 0.01

# Strong references: a task the loop only holds weakly could be collected mid-way.
_tasks: set[asyncio.Task[None]] = set()


# -- bounded waits that never swallow a cancellation --------------------------------------


async def within(aw: Awaitable[T], timeout: float | None) -> T:
    """Await ``aw`` for at most ``timeout`` seconds (``asyncio.TimeoutError`` after that).

    Unlike ``asyncio.wait_for`` on Python 3.10/3.11, a cancellation that arrives as ``aw``
    completes is never swallowed: the caller gets its ``CancelledError``.
    """
    if timeout is None:
        return await aw
    task = asyncio.ensure_future(aw)
    try:
        done, _ = await asyncio.wait((task,), timeout=timeout)
    except BaseException:
        abandon(task)
        raise
    if not done:
        abandon(task)
        raise asyncio.TimeoutError
    return task.result()


def abandon(task: asyncio.Future[Any]) -> None:
    """Cancel a task whose outcome nobody will read. It may still end in an error (the agent's
    exit won the race with the cancel): that error is marked seen, or asyncio logs "Task
    exception was never retrieved" for a run that was cancelled cleanly."""
    task.cancel()
    task.add_done_callback(_mark_seen)


def _mark_seen(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


async def settle(aw: Awaitable[object], timeout: float) -> bool:
    """Wait up to ``timeout`` for ``aw``; True when it finished, False (and ``aw`` cancelled)
    when the time ran out. Never raises the timeout, never swallows a cancellation."""
    try:
        await within(aw, timeout)
    except asyncio.TimeoutError:
        return False
    return True


async def spawn(
    argv: list[str],
    cleanup: Callable[[asyncio.subprocess.Process | None], Awaitable[object]],
    **kwargs: Any,
) -> asyncio.subprocess.Process:
    """``asyncio.create_subprocess_exec(*argv, **kwargs)``, safe to cancel at any point.

    asyncio answers a cancel that lands while it connects a new child's pipes by killing that
    child alone and then waiting, without a bound, for the pipes, which a process the child
    started meanwhile holds open. Here the spawn is let finish (bounded, through further
    cancels), ``cleanup`` gets the child (None if the spawn failed), and the cancel goes on.
    """
    spawning = asyncio.ensure_future(asyncio.create_subprocess_exec(*argv, **kwargs))
    try:
        return await asyncio.shield(spawning)
    except asyncio.CancelledError:
        if spawning.cancelled():  # the loop itself is shutting down
            raise
    deadline = time.monotonic() + KILL_WAIT_S
    while not spawning.done() and time.monotonic() < deadline:
        try:
            await asyncio.wait((spawning,), timeout=max(0.0, deadline - time.monotonic()))
        except asyncio.CancelledError:
            continue
    if not spawning.done():
        spawning.cancel()
    failed = spawning.cancelled() or spawning.exception() is not None
    await cleanup(None if failed else spawning.result())
    raise asyncio.CancelledError


# -- the stop routine -------------------------------------------------------------------------


async def stop(
    run_id: str,
    *,
    child: asyncio.subprocess.Process | None = None,
    group: bool = False,
    close: Callable[[], Awaitable[object]] | None = None,
    term: bool = True,
    grace: float = TERM_GRACE_S,
    launcher: bool = False,
) -> None:
    """Stop every process of run ``run_id``; bounded, and finishes even when cancelled again.

    ``child``: the run's direct child, if oauthpy spawned it; ``group``: it leads its own
    process group; ``launcher``: that child only starts the agent and waits for it
    (`Invocation.launcher`), so the agent gets SIGTERM first and the launcher the time to reap
    it and exit. ``close``: a graceful close to run within the grace (an SDK's disconnect).
    ``term=False`` skips SIGTERM, for a run that already ended and only needs ``close`` and the
    leftovers killed.
    """
    task = asyncio.ensure_future(_stop(run_id, child, group, close, term, grace, launcher))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    interrupted = False
    while True:
        try:
            await asyncio.shield(task)
            break
        except asyncio.CancelledError:
            if task.done():  # the stop itself was cancelled: the loop is shutting down
                raise
            interrupted = True
    if interrupted:
        raise asyncio.CancelledError


async def _stop(
    run_id: str,
    child: asyncio.subprocess.Process | None,
    group: bool,
    close: Callable[[], Awaitable[object]] | None,
    term: bool,
    grace: float,
    launcher: bool,
) -> None:
    me = os.getpid()
    pgid = child.pid if child is not None and group else None
    # The run's processes that are this process's children: they must be reaped, not only killed.
    ours = {child.pid} if child is not None else set()
    completed = handed_off = False
    deadline = time.monotonic() + grace
    try:
        if term:
            if launcher and pgid is not None and owns_group(pgid):
                await _launched_first(run_id, pgid, child, deadline)
            if pgid is not None and owns_group(pgid):
                signal_group(pgid, signal.SIGTERM)
            ours.update(pid for pid in kill_marked(run_id, signal.SIGTERM) if parent_of(pid) == me)
        else:
            ours.update(pid for pid in run_pids(run_id) if parent_of(pid) == me)
        if close is not None:
            try:
                await within(close(), grace)
            except Exception:
                pass  # a failed or slow graceful close still ends in SIGKILL below
        if not term:
            # A run that ended by itself: the close ended its CLI. Helpers it left behind (a
            # shell the agent backgrounded) get time to finish off the caller's path.
            await _wait_exit(child, deadline)
            await _wait_reaped(ours, None, deadline)
            if await _left_behind(run_id):
                reap_in_background(run_id)  # it unregisters the run when the helpers are gone
                completed = handed_off = True
                return
        await _wait_gone(run_id, child, deadline)
        if pgid is not None and owns_group(pgid):
            signal_group(pgid, signal.SIGKILL)
        cleared = await kill_all_marked(run_id, KILL_WAIT_S)
        await _wait_reaped(ours, child, time.monotonic() + KILL_WAIT_S)
        completed = cleared
    finally:
        if not completed:
            # Cancelled (loop shutdown) or something survived the scans: kill what is there
            # now; the run stays registered so the exit-time hook looks once more.
            if pgid is not None and owns_group(pgid):
                signal_group(pgid, signal.SIGKILL)
            kill_marked(run_id, signal.SIGKILL)
        if pgid is not None and not owns_group(pgid):
            forget_group(pgid)
        if completed and not handed_off:
            release(run_id)


async def _launched_first(
    run_id: str, leader: int, child: asyncio.subprocess.Process | None, deadline: float
) -> None:
    """SIGTERM what a launcher started (the agent) before the launcher, then wait for the
    launcher to reap it and exit; an agent that outlives the grace gets SIGKILL, still first.
    Signalled together, the launcher goes at once and leaves the agent to PID 1, which in a
    container without an init never reaps it: a zombie a run."""
    if not signal_launched(run_id, leader, signal.SIGTERM):
        return  # stopped before it launched anything (a cancel at once): the launcher goes alone
    await _wait_exit(child, deadline)
    if child is not None and child.returncode is None and signal_launched(run_id, leader, signal.SIGKILL):
        await _wait_exit(child, time.monotonic() + KILL_WAIT_S)


def signal_launched(run_id: str, leader: int, sig: int) -> bool:
    """Send ``sig`` to the run's processes other than its launcher ``leader``; whether there
    were any (`Process.kill_now` sends SIGKILL so)."""
    launched = [pid for pid in marked_pids(run_id) if pid != leader]
    for pid in launched:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
    return bool(launched)


async def _left_behind(run_id: str) -> bool:
    """Whether any process of the run is left, by two looks a moment apart: one look misses a
    process caught in the middle of exec, whose environment (and so its run id) reads empty
    until the new program's stack is set up (1 in 20 children, read the moment they start)."""
    if run_pids(run_id):
        return True
    await asyncio.sleep(_LOOK_AGAIN_S)
    return bool(run_pids(run_id))


async def _poll(until: Callable[[], bool], deadline: float) -> None:
    """Until ``until()`` or the deadline; the first looks come quickly (most exits take ~1 ms)."""
    pause = 0.0005
    while not until() and time.monotonic() < deadline:
        await asyncio.sleep(pause)
        pause = min(pause * 2, _POLL_S)


async def _wait_gone(run_id: str, child: asyncio.subprocess.Process | None, deadline: float) -> None:
    """Until the child is reaped and no marked process is left, or the deadline."""
    await _wait_exit(child, deadline)
    # the marked ones alone, looked for every few ms: what the session holds besides gets the
    # SIGKILL that follows
    await _poll(lambda: not marked_pids(run_id), deadline)


async def _wait_exit(child: asyncio.subprocess.Process | None, deadline: float) -> None:
    # Polled rather than ``child.wait()``: that also waits for the child's pipes to close,
    # which never happens while a full stdout pipe is paused (a run left mid-stream).
    if child is not None:
        await _poll(lambda: child.returncode is not None, deadline)


async def _wait_reaped(pids: set[int], child: asyncio.subprocess.Process | None, deadline: float) -> None:
    """Until this process's children of the run are reaped by the loop's child watcher.

    Reaping is what delivers a child's exit to its transport, which then closes its pipes; a
    transport left to the garbage collector prints "Event loop is closed" after ``asyncio.run``.
    """
    await _wait_exit(child, deadline)
    # not ours to waitpid: the loop's child watcher reaps them
    me = os.getpid()
    # a child whose returncode is known has had its exit delivered: no need to ask the watcher
    known = child.pid if child is not None and child.returncode is not None else None
    await _poll(
        lambda: all(parent_of(pid) != me and (pid == known or _exit_handed_over(pid)) for pid in pids),
        deadline,
    )
    # The watcher schedules the exit and only then forgets the pid, and the exit takes three turns
    # of the loop to land (3.11: the watcher's callback, the loop's `call_soon` of
    # ``_process_exited``, that call): one turn was not always enough when the loop was awake the
    # moment the pid was forgotten (a loaded machine).
    for _ in range(3):
        await asyncio.sleep(0)


def _exit_handed_over(pid: int) -> bool:
    """Whether the loop's child watcher has passed ``pid``'s exit on to the loop.

    Python 3.11's threaded watcher reaps in a thread of its own and schedules the exit callback
    only after that: a pid already gone from ``/proc`` may not have reached the loop yet, and
    if ``asyncio.run`` closes the loop in between, the thread prints "Loop ... that handles pid
    ... is closed". The watcher forgets the pid once the callback is scheduled. A pidfd watcher
    (the default from 3.12 where Linux has pidfds) reaps on the loop itself: no such window.
    """
    return not watcher_thread_waits_for(pid)


def reap_in_background(run_id: str) -> None:
    """Let a finished run's leftovers end on their own, then `stop` them, off the run.

    Killing a shell mid-way can corrupt user state (a killed `pyenv rehash` leaves a lock that
    stalls every later login shell for 60 s), so leftovers first get a bounded time to finish.
    """
    task = asyncio.ensure_future(_reap(run_id))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    task.add_done_callback(lambda t: _kill_if_cancelled(t, run_id))


def _kill_if_cancelled(task: asyncio.Task[None], run_id: str) -> None:
    # The loop shut down before the reaper finished (maybe before it even started, when its
    # body never runs): kill what is left now rather than leave it to the exit hook.
    if task.cancelled():
        kill_marked(run_id, signal.SIGKILL)


async def _reap(run_id: str) -> None:
    try:
        deadline = time.monotonic() + STRAGGLER_WAIT_S
        empty = 0  # two empty looks in a row, as in `_left_behind`
        while empty < 2 and time.monotonic() < deadline:
            empty = 0 if marked_pids(run_id) else empty + 1
            await asyncio.sleep(_REAP_POLL_S)
        await stop(run_id)
    except asyncio.CancelledError:
        kill_marked(run_id, signal.SIGKILL)  # the loop is shutting down: kill at once
        raise


__all__ = [
    "KILL_WAIT_S",
    "TERM_GRACE_S",
    "abandon",
    "reap_in_background",
    "settle",
    "signal_launched",
    "stop",
    "within",
]
