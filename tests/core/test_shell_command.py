"""`run_shell`, the shell of a worktree's setup and of compare's check: nothing it starts outlives it."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from oauthpy import _run_marks as run_marks
from oauthpy._shell_command import run_shell

pytestmark = pytest.mark.fast


def _live_with_argv(argv: bytes) -> list[int]:
    """Live processes (zombies count as dead: PID 1 does not reap here) running exactly ``argv``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = run_marks.state_of(pid)
        except OSError:
            continue
        if cmdline == argv and state not in (None, "Z"):
            found.append(int(pid))
    return found


def test_what_a_command_leaves_running_with_a_cleared_environment_is_stopped(tmp_path):
    # `env -i` drops the run id a leftover is found by; the shell's session still holds it
    sleeper = b"sleep\x00613.25\x00"
    registered = set(run_marks._live_runs)
    outcome = asyncio.run(
        run_shell("env -i sleep 613.25 & echo started", str(tmp_path), dict(os.environ), 60)
    )
    assert outcome.exit_code == 0 and "started" in outcome.output
    deadline = time.monotonic() + 2  # SIGKILL lands asynchronously
    while (left := _live_with_argv(sleeper)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert left == [], "the setup's background sleep outlived it"
    assert run_marks._live_runs <= registered  # nothing left for the exit hook either
