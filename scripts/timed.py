"""Run a command and print the wall and CPU time of it and of every process it started, the
orphans too: ``python scripts/timed.py LABEL COMMAND...`` (scripts/test times the suite with it).

A shell's ``time`` counts only the processes that were waited for. A vendor CLI whose parent
dies before it (Qwen Code's CLI, when its launcher is stopped first) is reparented to PID 1,
which on these machines never reaps it: its CPU was in no figure, and it lingered as a zombie.
Here this process is the children's subreaper (Linux), so such orphans come to it, are reaped
as they end, and count. Anything this shell runs beside the command (the wheel check) does not.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
#: how long, once the command has ended, orphans still ending are waited for
SETTLE_S = 0.5


def _become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:  # a zombie's name is still there until it is reaped
            return f.read().strip() or "?"
    except OSError:
        return "?"


def _reap_until(pid: int, orphans: dict[str, tuple[int, float]]) -> int:
    """Reap every child as it ends until ``pid`` has ended, then the ones that end within
    `SETTLE_S`; the orphans that came here (every child but ``pid``) add their count and CPU to
    ``orphans`` by name. ``pid``'s exit code, 128 + the signal that killed it."""
    code = None
    settled = 0.0
    while True:
        # blocking until the command ends; then only what has ended (PEP 475: a signal handled
        # here does not interrupt the wait)
        flags = os.WEXITED | os.WNOWAIT | (os.WNOHANG if code is not None else 0)
        try:
            ended = os.waitid(os.P_ALL, 0, flags)
        except ChildProcessError:
            break
        if ended is None:
            # an orphan in the middle of its exit has closed its pipes (the command saw them
            # close and ended) but is not a zombie yet; what lives on past the moment is a leak
            # the suite itself reports, no longer ours to wait for
            if time.monotonic() >= settled:
                break
            time.sleep(0.002)
            continue
        name = _name(ended.si_pid)  # before the reaping below takes it away
        _, status, used = os.wait4(ended.si_pid, 0)
        if ended.si_pid == pid:
            code = os.waitstatus_to_exitcode(status)
            settled = time.monotonic() + SETTLE_S
        else:
            count, cpu = orphans.get(name, (0, 0.0))
            orphans[name] = (count + 1, cpu + used.ru_utime + used.ru_stime)
    assert code is not None
    return code if code >= 0 else 128 - code


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: timed.py LABEL COMMAND...", file=sys.stderr)
        return 2
    label, command = argv[0], argv[1:]
    counts_orphans = _become_subreaper()
    started = time.monotonic()
    child = subprocess.Popen(command)
    # Ctrl-C reaches the command from the terminal itself; a SIGTERM to this process is passed on
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    orphans: dict[str, tuple[int, float]] = {}
    code = _reap_until(child.pid, orphans)
    child.returncode = code  # reaped above: Popen must not wait for it again
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    note = "" if counts_orphans else " (orphans not counted: not Linux)"
    print(
        f"{label} took {time.monotonic() - started:.0f} s of wall time and {used.ru_utime:.0f} s user"
        f" + {used.ru_stime:.0f} s system CPU time{note}",
        file=sys.stderr,
    )
    if orphans:
        by_cpu = sorted(orphans.items(), key=lambda item: -item[1][1])
        parts = ", ".join(f"{name} {cpu:.0f} s in {n}" for name, (n, cpu) in by_cpu[:5])
        total = sum(cpu for _, cpu in orphans.values())
        print(f"{label}: of that CPU, {total:.0f} s was orphaned processes' ({parts})", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
