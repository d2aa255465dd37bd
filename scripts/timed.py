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


def _become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)


def _reap_until(pid: int) -> int:
    """Reap every child as it ends (the orphans that come here too) until ``pid`` has ended;
    then the ones already dead. ``pid``'s exit code, 128 + the signal that killed it."""
    code = None
    while code is None:
        try:
            ended, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        if ended == pid:
            code = os.waitstatus_to_exitcode(status)
    while True:
        try:
            ended, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if ended == 0:  # alive: a leak the suite itself reports; it is no longer ours to wait for
            break
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
    code = _reap_until(child.pid)
    child.returncode = code  # reaped above: Popen must not wait for it again
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    orphans = "" if counts_orphans else " (orphans not counted: not Linux)"
    print(
        f"{label} took {time.monotonic() - started:.0f} s of wall time and {used.ru_utime:.0f} s user"
        f" + {used.ru_stime:.0f} s system CPU time{orphans}",
        file=sys.stderr,
    )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
