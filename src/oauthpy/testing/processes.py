"""Process-leak checks for tests: find live processes a run left behind.

A process counts as alive unless it is a zombie (state ``Z``): on machines whose PID 1 does
not reap orphans, a killed grandchild can linger as a zombie, and it holds no resources.
"""

from __future__ import annotations

import os
import uuid

from oauthpy._run_marks import pids_with_env, stat_fields, state_of

MARKER_VAR = "OAUTHPY_TEST_MARKER"


def new_marker() -> dict[str, str]:
    """An env entry that every process of one run inherits, so leftovers can be found."""
    return {MARKER_VAR: uuid.uuid4().hex}


def live_processes_with_env(name: str, value: str) -> list[int]:
    """PIDs of live (non-zombie) processes whose environment holds ``name=value``."""
    return [pid for pid in pids_with_env(name, value) if state_of(str(pid)) not in (None, "Z")]


def live_processes_in_group(pgid: int) -> list[int]:
    """PIDs of live (non-zombie) processes in process group ``pgid``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) == pgid and state_of(pid) not in (None, "Z"):
                found.append(int(pid))
        except OSError:
            continue
    return found


def live_children() -> list[int]:
    """PIDs of live (non-zombie) direct children of this process."""
    me = str(os.getpid())
    found = []
    for pid in os.listdir("/proc"):
        fields = stat_fields(pid) if pid.isdigit() else None
        if fields and fields[1] == me and fields[0] != "Z":
            found.append(int(pid))
    return found
