"""Finding and ending every process of one run by the run id in its environment.

Every process a run starts carries ``OAUTHPY_RUN_ID`` with the run's id. Children inherit
the environment, so the id finds processes that left the run's process group (codex's shell
snapshot starts a bash in a session of its own) and processes oauthpy did not spawn itself
(the claude CLI, started by the SDK). Ids of runs still going are kept for an exit-time hook
that kills what is left when the interpreter stops.
"""

from __future__ import annotations

import atexit
import os
import signal
import time

RUN_ID_VAR = "OAUTHPY_RUN_ID"

# What the exit-time hook kills: ids of runs still going, and process groups (leader pid ==
# pgid) of children still running, with the pid of the process that registered them.
_live_runs: set[str] = set()
_live_groups: set[int] = set()
_owner = os.getpid()


def _forget_after_fork() -> None:
    # A forked child inherits the registries but none of the runs: its exit must not kill them.
    global _owner
    _owner = os.getpid()
    _live_runs.clear()
    _live_groups.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


@atexit.register
def _kill_live() -> None:
    if os.getpid() != _owner:  # forked without exec: the runs belong to the parent
        return
    for pgid in list(_live_groups):
        if owns_group(pgid):
            signal_group(pgid, signal.SIGKILL)
    for run_id in list(_live_runs):
        kill_marked(run_id, signal.SIGKILL)


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


def pids_with_env(name: str, value: str) -> list[int]:
    """PIDs of processes (other than this one) whose environment holds ``name=value``."""
    needle = f"{name}={value}".encode()
    me = os.getpid()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == me:
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if needle in fh.read().split(b"\0"):
                    found.append(int(pid))
        except OSError:
            continue
    return found


def kill_marked(run_id: str, sig: int) -> list[int]:
    """Send ``sig`` to every process carrying ``run_id``; returns the pids signalled."""
    pids = pids_with_env(RUN_ID_VAR, run_id)
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
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
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
    "new_run_id",
    "parent_of",
    "pids_with_env",
    "release",
]
