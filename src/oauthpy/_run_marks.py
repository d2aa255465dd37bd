"""Finding and ending every process of one run by the run id in its environment.

Every process a run starts carries ``OAUTHPY_RUN_ID`` with the run's id. Children inherit
the environment, so the id finds processes that left the run's process group (codex's shell
snapshot starts a bash in a session of its own) and processes oauthpy did not spawn itself
(the claude CLI, started by the SDK). Ids of runs still going are kept for an exit-time hook
that kills what is left when the interpreter stops.

A run whose first process leads a session of its own (`own_session`) also owns every process
left in that session: one that cleared its environment (``env -i``), or one caught in the middle
of exec, whose environment is unreadable for that moment, has no id to be found by.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

RUN_ID_VAR = "OAUTHPY_RUN_ID"

# What the exit-time hook kills: ids of runs still going, and process groups (leader pid ==
# pgid) of children still running, with the pid of the process that registered them.
_live_runs: set[str] = set()
_live_groups: set[int] = set()
# run id -> the session its first process leads, and when it was registered (in the clock ticks
# of /proc start times): a process of that id started later is not the leader, and so the
# session is no longer the run's
_sessions: dict[str, tuple[int, int | None]] = {}
_owner = os.getpid()


def _forget_after_fork() -> None:
    # A forked child inherits the registries but none of the runs: its exit must not kill them.
    global _owner
    _owner = os.getpid()
    _live_runs.clear()
    _live_groups.clear()
    _sessions.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


#: how long the exit-time hook waits for the children it killed, to reap them
EXIT_REAP_S = 1.0
#: how long a kill without an event loop (`Process.kill_now`, a claude agent's) waits for what it killed
KILL_NOW_WAIT_S = 1.0


@atexit.register
def _kill_live() -> None:
    if os.getpid() != _owner:  # forked without exec: the runs belong to the parent
        return
    killed = []
    for pgid in list(_live_groups):
        if owns_group(pgid):
            signal_group(pgid, signal.SIGKILL)
            killed.append(pgid)
    for run_id in list(_live_runs):
        killed += kill_marked(run_id, signal.SIGKILL)
    reap_now(own_children(killed), EXIT_REAP_S)


def own_children(pids: list[int]) -> list[int]:
    """Those of ``pids`` that are this process's children (a killed one too, until reaped)."""
    me = os.getpid()
    return [pid for pid in set(pids) if parent_of(pid) == me]


def reap_now(children: list[int], limit: float) -> None:
    """Wait, bounded and without an event loop, until these children of this process are
    reaped (`Process.kill_now`, the exit hook). Left unreaped when the interpreter exits, each
    goes to PID 1 as a zombie, which PID 1 of a container without an init never reaps. One that
    a child-watcher thread waits for (Python 3.11) is left to that thread: blocked in `waitpid`
    it wins anyway, and one that had not got there yet would warn of an "Unknown child
    process" after a reap here."""
    deadline = time.monotonic() + limit
    left = set(children)
    while left and time.monotonic() < deadline:
        for pid in list(left):
            if watcher_thread_waits_for(pid):
                if parent_of(pid) is None:  # its thread has reaped it
                    left.discard(pid)
                continue
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    left.discard(pid)
            except ChildProcessError:  # reaped by someone else
                left.discard(pid)
        if left:
            time.sleep(0.001)


def watcher_thread_waits_for(pid: int) -> bool:
    """Whether a thread of asyncio's child watcher waits for ``pid`` (the default watcher of
    Python 3.11 reaps each child in a thread of its own; pidfd watchers reap on the loop)."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is None or sys.version_info >= (3, 14):  # 3.14 has no policy watchers (asking warns)
        return False
    watcher = getattr(asyncio.get_event_loop_policy(), "_watcher", None)
    threads = getattr(watcher, "_threads", None)
    return isinstance(threads, dict) and pid in threads


def register_group(pgid: int) -> None:
    """A child leading its own process group was started: the exit-time hook covers it."""
    _live_groups.add(pgid)


def forget_group(pgid: int) -> None:
    """The group's leader was reaped: the exit-time hook must not signal that id any more."""
    _live_groups.discard(pgid)


def owns_group(pgid: int) -> bool:
    """The group's leader is still this process's child, reaped or not yet.

    Once reaped, its id may be recycled for an unrelated process group: never signal it then.
    """
    return parent_of(pgid) == os.getpid()


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def new_run_id() -> str:
    """A fresh id, registered for the exit-time kill until `release` is called."""
    run_id = os.urandom(16).hex()  # uuid would import platform, on every fresh run
    _live_runs.add(run_id)
    return run_id


def release(run_id: str) -> None:
    """The run's processes are gone: the exit-time hook no longer needs to look for them."""
    _live_runs.discard(run_id)
    _sessions.pop(run_id, None)


def own_session(run_id: str, sid: int) -> None:
    """The run's first process leads session ``sid``: what is left in it is the run's too.

    Safe after that leader is reaped: a session id stays taken while any process is in it. Once
    the session has emptied, the id is free, and here (pid_max 32768, a busy machine wraps it in
    minutes) an unrelated process may get it and lead a session of that id; a run closed late (a
    warm agent whose loop has ended) would kill it. So the time of registration is kept: the
    leader started before it (it may even be reaped already: a shell that only starts something
    in the background), a process of that id started after it is another one.
    """
    _sessions[run_id] = (sid, _ticks_now())


def pids_with_env(name: str, value: str) -> list[int]:
    """PIDs of processes (other than this one) whose environment holds ``name=value``."""
    needle = f"{name}={value}".encode()
    return _scan(lambda pid: _has(pid, needle))


def marked_pids(run_id: str) -> list[int]:
    """PIDs of the processes carrying ``run_id``: `run_pids` without the session, for the
    waits that look again every few milliseconds (a session look reads twice the files)."""
    return pids_with_env(RUN_ID_VAR, run_id)


def run_pids(run_id: str) -> list[int]:
    """PIDs of the run's live processes: those carrying its id, and any other process left in
    the session it owns (`own_session`)."""
    needle = f"{RUN_ID_VAR}={run_id}".encode()
    session = _owned_session(run_id)
    if session is None:
        return _scan(lambda pid: _has(pid, needle))
    return _scan(lambda pid: _has(pid, needle) or _in_session(pid, session))


def _owned_session(run_id: str) -> int | None:
    """The session the run still owns: None when it owns none, or when its id now names another
    session (a process of that id, started after the run registered it)."""
    owned = _sessions.get(run_id)
    if owned is None:
        return None
    sid, registered = owned
    started = _start_time(sid)
    if registered is not None and started is not None and started > registered:
        del _sessions[run_id]  # for good: the run's own session has ended
        return None
    return sid


def _start_time(pid: int) -> int | None:
    """When ``pid`` started (its ``/proc`` start time, in clock ticks since boot), or None."""
    fields = stat_fields(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def _ticks_now() -> int | None:
    """The clock of ``/proc`` start times (boot time, in clock ticks), or None without one."""
    clock = getattr(time, "CLOCK_BOOTTIME", None)
    if clock is None:
        return None
    return int(time.clock_gettime(clock) * os.sysconf("SC_CLK_TCK"))


def _scan(keep: Callable[[str], bool]) -> list[int]:
    """The processes (other than this one) that ``keep`` takes, by their /proc name."""
    me = os.getpid()
    return [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and int(pid) != me and keep(pid)]


def _has(pid: str, needle: bytes) -> bool:
    try:
        return b"\0" + needle + b"\0" in b"\0" + _read(f"/proc/{pid}/environ")
    except OSError:
        return False


def _in_session(pid: str, session: int) -> bool:
    try:
        stat = _read(f"/proc/{pid}/stat")
    except OSError:
        return False
    # state, parent, group, session after the name (which may hold spaces and ")")
    fields = stat[stat.rfind(b")") + 2 :].split(None, 4)
    # an exited process (Z) waits only for its parent to reap it: nothing to stop
    return len(fields) > 3 and fields[0] not in (b"Z", b"X") and int(fields[3]) == session


def _read(path: str) -> bytes:
    """A /proc file whole, without a file object (a scan reads hundreds of them, in loops)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def kill_marked(run_id: str, sig: int) -> list[int]:
    """Send ``sig`` to every process of run ``run_id`` (`run_pids`); returns the pids signalled."""
    pids = run_pids(run_id)
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
    return pids


def stat_fields(pid: int | str) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state, parent pid, ...), or
    None when the process is gone."""
    try:
        stat = _read(f"/proc/{pid}/stat")
    except OSError:
        return None
    return stat[stat.rfind(b")") + 2 :].decode().split()  # the name may hold spaces and ")"


def state_of(pid: int | str) -> str | None:
    """The process state letter of ``pid`` (``Z``: exited, not yet reaped), or None when gone."""
    fields = stat_fields(pid)
    return fields[0] if fields else None


def parent_of(pid: int) -> int | None:
    """The parent pid of ``pid``, or None when it is gone."""
    fields = stat_fields(pid)
    return int(fields[1]) if fields else None


def kill_all_marked_now(run_id: str, limit: float) -> bool:
    """`kill_all_marked` for a caller without an event loop (the command's ``codex exec``
    path): it pauses with ``time.sleep``."""
    deadline = time.monotonic() + limit
    empty = 0
    while empty < 2 and time.monotonic() < deadline:
        empty = 0 if kill_marked(run_id, signal.SIGKILL) else empty + 1
        if empty < 2:
            time.sleep(0.001)
    return empty >= 2


async def kill_all_marked(run_id: str, limit: float) -> bool:
    """SIGKILL the run's processes until none is left, bounded; True when none is.

    One scan can miss a process: one that forks during it, or one in the middle of exec (its
    environment is unreadable for that moment). So it takes two empty scans in a row.
    """
    import asyncio  # here only: a fresh `oauthpy run` marks its codex before asyncio loads

    deadline = time.monotonic() + limit
    empty = 0
    while empty < 2 and time.monotonic() < deadline:
        empty = 0 if kill_marked(run_id, signal.SIGKILL) else empty + 1
        if empty < 2:
            await asyncio.sleep(0.001)
    return empty >= 2


__all__ = [
    "RUN_ID_VAR",
    "forget_group",
    "kill_all_marked_now",
    "owns_group",
    "register_group",
    "signal_group",
    "kill_all_marked",
    "kill_marked",
    "marked_pids",
    "new_run_id",
    "own_children",
    "own_session",
    "reap_now",
    "parent_of",
    "run_pids",
    "pids_with_env",
    "release",
]
