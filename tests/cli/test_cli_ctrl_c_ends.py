"""Ctrl-C at any moment of an offline ``oauthpy run --stream`` (the real codex against the
embedded fakes) ends with exit 130 and no traceback: while the command imports and parses its
arguments, during the run, and while the offline fakes stop at exit."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

RUN = ["run", "-p", "codex", "--stream", "hi"]
#: a Ctrl-C delivered from inside the process at one exact moment, then the command as
#: `oauthpy` runs it (sys.argv[0] names the command)
_AT = """
import os, signal, sys
sys.argv = ["oauthpy", *sys.argv[1:]]
kick = lambda: os.kill(os.getpid(), signal.SIGINT)
{setup}
from oauthpy.cli import entry
sys.exit(entry())
"""
MOMENTS = {
    # while oauthpy.cli imports (its registry: Python's handler would raise inside the import)
    "importing": """
class Kick:
    def find_spec(self, name, path, target=None):
        if name == "oauthpy._registry":
            kick()
        return None
sys.meta_path.insert(0, Kick())
""",
    # while argparse reads the arguments
    "parsing": """
import argparse
parse = argparse.ArgumentParser.parse_known_args
def parse_known_args(self, *a, **k):
    kick()
    return parse(self, *a, **k)
argparse.ArgumentParser.parse_known_args = parse_known_args
""",
    # while an event loop of the main thread is half made (its __del__ then fails: CI saw
    # "Exception ignored in BaseEventLoop.__del__" after "error: interrupted")
    "making an event loop": """
import threading
from asyncio import selector_events
made = selector_events.BaseSelectorEventLoop.__init__
def half_made(self, *a, **k):
    made(self, *a, **k)
    if threading.current_thread() is threading.main_thread():
        selector_events.BaseSelectorEventLoop.__init__ = made
        kick()
selector_events.BaseSelectorEventLoop.__init__ = half_made
# the half-made loop is in a reference cycle: the collector, whenever it runs, calls its __del__
import gc
freeze = gc.freeze
def collected_then_frozen():
    gc.collect()
    freeze()
gc.freeze = collected_then_frozen
""",
    # after the run, while the offline fakes stop (an atexit handler)
    "stopping the fakes": """
from oauthpy.testing import server
close = server.FakeServer.close
def stopping(self):
    kick()
    close(self)
server.FakeServer.close = stopping
""",
}


def offline_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "OAUTHPY_OFFLINE": "1", "OAUTHPY_HOME": str(tmp_path / "home")}


def assert_interrupted(returncode: int, stderr: str) -> None:
    assert returncode == 130, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


@pytest.mark.parametrize("moment", MOMENTS)
def test_ctrl_c_at_each_end_of_the_command_exits_130_without_a_traceback(moment: str, tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-c", _AT.format(setup=MOMENTS[moment]), *RUN],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_interrupted(done.returncode, done.stderr)


def _read_until(proc: subprocess.Popen[bytes], seen: bytes, deadline: float) -> bytes:
    """What the command wrote (stdout and stderr) until ``seen`` is in it."""
    got = b""
    streams = [proc.stdout, proc.stderr]
    while seen not in got:
        left = deadline - time.monotonic()
        assert left > 0, got
        ready, _, _ = select.select(streams, [], [], left)
        for stream in ready:
            chunk = os.read(stream.fileno(), 4096)  # type: ignore[union-attr]
            if not chunk:
                streams.remove(stream)
            got += chunk
        assert streams, got  # both closed without it: the command ended
    return got


def _still_running(pid: int) -> bool:
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


#: when to send it: once the offline note has started or ended, then after a few ms more (the
#: run takes about a second from there: each lands in another part of its start)
_POINTS = [(b"oauthpy: offline", 0.0), (b"leaves this machine", 0.0)] + [
    (b"leaves this machine", ms / 1000) for ms in (10, 30, 60, 100, 150, 250)
]


@pytest.mark.parametrize(("seen", "then_s"), _POINTS)
def test_ctrl_c_once_output_is_seen_exits_130_without_a_traceback(seen: bytes, then_s: float, tmp_path: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "oauthpy.cli", *RUN],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        before = _read_until(proc, seen, time.monotonic() + 120)
        time.sleep(then_s)  # not a wait for anything: the moment of the Ctrl-C, varied
        assert _still_running(proc.pid), before  # else this moment tests nothing
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=60)
    assert_interrupted(proc.returncode, (before + out + err).decode(errors="replace"))
