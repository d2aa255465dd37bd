"""What a run leaves to PID 1: one run in a program that is the orphans' subreaper, as an
init-less container's PID 1 would be, so that whatever the run left to be reparented shows as
that program's child (tests/agents/*/ of the agents whose program is a launcher)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.support import Rig, vendor_binaries

#: the start of a program that is the orphans' subreaper (``PR_SET_CHILD_SUBREAPER``), and its
#: ``left()``: the names of its children, which are what its runs left to be reparented once
#: each run's own child has been reaped
SUBREAPER = """
import ctypes, json, os, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)

def left():
    names = []
    for task in os.listdir("/proc/self/task"):
        for pid in open(f"/proc/self/task/{task}/children").read().split():
            stat = open(f"/proc/{pid}/stat").read()
            names.append(stat[stat.index("(") + 1 : stat.rindex(")")])
    return names
"""


def run_as_subreaper(program: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``program`` (Python that prints one JSON object, ``left()`` in it) after `SUBREAPER`,
    with ``args``; what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", SUBREAPER + program, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    said: dict[str, Any] = json.loads(done.stdout)
    return said


_ONE_RUN = """
from oauthpy import Client
provider, cwd, model = sys.argv[1:4]
result = Client(provider, auth_source="external").run("hi", cwd=cwd, model=model or None, timeout=90)
print(json.dumps({"text": result.text, "left": left()}))
"""


def left_by_a_run(rig: Rig, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``{"text": the run's answer, "left": the names of the processes it left to PID 1}``, for
    one run of the rig's agent with ``env`` over the rig's."""
    return run_as_subreaper(
        _ONE_RUN,
        rig.provider,
        str(rig.work),
        rig.model or "",
        env={**os.environ, **vendor_binaries(), **rig.env, **(env or {})},
    )
