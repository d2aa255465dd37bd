"""Assertions shared by the test modules."""

from __future__ import annotations

import os
import time

from oauthpy.testing import live_processes_with_env
from oauthpy.testing.processes import MARKER_VAR


def assert_no_leftovers(env: dict[str, str], within_s: float = 0.5) -> None:
    """No live process of the run (found by its env marker) remains.

    SIGKILL is asynchronous: a killed grandchild may need a moment to die, so this polls the
    process table for a bounded time instead of asserting on the first look.
    """
    marker = env[MARKER_VAR]
    deadline = time.monotonic() + within_s
    while (left := live_processes_with_env(MARKER_VAR, marker)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert left == [], f"processes left behind: {left}"


def open_pipes_and_files() -> set[str]:
    """This process's open pipes and files, for fd-leak checks.

    Sockets are left out: the fakes run in this process and keep their own connections.
    """
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if not target.startswith(("socket:", "anon_inode:")) and "/proc/" not in target:
            out.add(f"{fd}->{target}")
    return out
