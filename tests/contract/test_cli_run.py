"""``oauthpy run`` stopped by SIGTERM (a ``kill``, a job scheduler) on every agent, as Ctrl-C stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from oauthpy.testing import Hang
from tests.support import Rig, ended

OAUTHPY = [sys.executable, "-m", "oauthpy.cli"]


def test_sigterm_during_run_stops_the_vendor_like_ctrl_c_and_exits_143(rig: Rig):
    """claude and gemini go on with their turn when their parent simply dies: SIGTERM must
    stop the run (the rig checks that no process is left)."""
    rig.fake.script(Hang(60))
    cmd = [*OAUTHPY, "run", "-p", rig.provider, "--source", "external", "--cwd", str(rig.work)]
    cmd += [*(["-m", rig.model] if rig.model else []), "hang"]
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **rig.env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        rig.fake.wait_for_model_request()
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        ended(proc)
    assert proc.returncode == 143 and err.startswith("error: terminated"), err
