"""Warm agents started in an ``asyncio.run`` inside ``with Client`` end with that loop, also from
threads that each run their own loop, and nothing prints a traceback at exit: codex's app-server
and gemini's ACP agent (the shared loop suite is tests/contract/test_loop_lifetimes.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy.testing import text
from tests.support import REPO, open_rig

LIVE = ["codex", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))]


_POOL_SCRIPT = """
import asyncio, sys, threading
from oauthpy import Client
from oauthpy.testing import live_processes_with_env
from oauthpy.testing.processes import MARKER_VAR
import os

provider, cwd, model = sys.argv[1], sys.argv[2], sys.argv[3] or None
marker = os.environ[MARKER_VAR]
with Client(provider, auth_source="external") as client:
    for _ in range(2):
        asyncio.run(client.arun("q", cwd=cwd, model=model, timeout=60))

    def in_thread():
        asyncio.run(client.arun("q", cwd=cwd, model=model, timeout=60))

    threads = [threading.Thread(target=in_thread) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    print("pool", client._runner.pool.started, flush=True)
print("alive", len(live_processes_with_env(MARKER_VAR, marker)), flush=True)
"""


@pytest.mark.parametrize("provider", LIVE)
def test_agents_of_ended_loops_end_with_their_loop_and_exit_is_quiet(provider: str, tmp_path: Path):
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(*(text("fine") for _ in range(4)))
        done = subprocess.run(
            [sys.executable, "-c", _POOL_SCRIPT, provider, str(rig.work), rig.model or ""],
            env={**os.environ, **rig.env, "PYTHONPATH": str(REPO / "src")},
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        # each loop started its own agent, and each ended with its loop: none at the block's end
        assert "pool 4" in done.stdout, done.stdout
        assert "alive 0" in done.stdout, done.stdout
        said = done.stderr[-3000:]
        assert "Traceback" not in said and "Event loop is closed" not in said, said
        assert "is closed" not in said, said  # asyncio's child watcher on a closed loop
