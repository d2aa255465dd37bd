"""Ctrl-C (SIGINT to the Python process alone) in the middle of ``oauthpy run --stream``.

The stream has shown output and its turn waits on the model (a fake turn held by a `Gate`):
the command must stop the run, exit 130 and print no traceback, on every provider.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from oauthpy import _registry as registry
from oauthpy.testing import Gate, text
from tests.support import LIVE_TRANSPORTS, Rig, ended, shell_step

OAUTHPY = [sys.executable, "-m", "oauthpy.cli"]
REPEATS = 2


def live_transport(provider: str) -> str:
    """The transport of the agent's live layer when its default is a one-shot one ("": none
    to choose)."""
    transports = registry.get(provider).transports
    if transports[0] in LIVE_TRANSPORTS:
        return ""
    return next((t for t in transports if t in LIVE_TRANSPORTS), "")


def test_sigint_mid_stream_exits_130_without_a_traceback(rig: Rig):
    for attempt in range(REPEATS):
        held = threading.Event()
        rig.fake.script(
            shell_step(rig.provider, "echo streamed-output", say="Starting."),
            Gate(held, text("never seen"), timeout_s=30),
        )
        seen = len(rig.fake.model_requests())
        cmd = [*OAUTHPY, "run", "-p", rig.provider, "--source", "external", "--stream"]
        cmd += ["--cwd", str(rig.work), *(["-m", rig.model] if rig.model else []), "run echo"]
        env = {**os.environ, **rig.env, **rig.unasked_env("echo")}
        if live := live_transport(rig.provider):  # the live layer, when not its default
            env["OAUTHPY_TRANSPORT"] = live
        proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            rig.fake.wait_for_model_requests(seen + 2)  # the turn now waits on the held reply
            proc.send_signal(signal.SIGINT)  # to the Python process only, not its group
            _out, err = proc.communicate(timeout=60)
        finally:
            held.set()
            ended(proc)
        assert proc.returncode == 130, f"attempt {attempt}: rc={proc.returncode}\n{err[-3000:]}"
        assert "Traceback" not in err and "RuntimeError" not in err, f"attempt {attempt}:\n{err[-3000:]}"
        assert "interrupted" in err
