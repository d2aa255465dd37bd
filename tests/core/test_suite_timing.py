"""scripts/timed.py, which times the suite in scripts/test: the CPU of an orphaned grandchild counts
(a shell's `time` missed Qwen Code's CLI, reparented when its launcher was stopped first), the
command's exit code is its own, and a signal's death is 128 + the signal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.paths import REPO

pytestmark = [pytest.mark.fast, pytest.mark.skipif(sys.platform != "linux", reason="a Linux subreaper")]

TIMED = [sys.executable, str(REPO / "scripts" / "timed.py"), "the job"]

#: P starts I, which starts O and ends at once: O is an orphan, as Qwen's CLI is once its launcher
#: is gone. O spends a second of CPU and ends; P waits for it through a pipe (EOF: O is ending) and
#: does not reap it, nor does I. Only a subreaper reaps O and has its CPU. O's exit takes a moment
#: after its pipe closed (as a large process's does: P ended before O, now and then, in CI115)
ORPHAN = r"""
import os, subprocess, sys
r, w = os.pipe()
burn = f"import os, time\nwhile time.process_time() < 1.0: pass\nos.close({w})\ntime.sleep(0.1)"
intermediate = subprocess.Popen(
    [sys.executable, "-c", f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {burn!r}], pass_fds=({w},))"],
    pass_fds=(w,),
)
intermediate.wait()
os.close(w)
assert os.read(r, 1) == b""
"""


def _cpu_seconds(stderr: str) -> int:
    found = re.search(
        r"^the job took \d+ s of wall time and (\d+) s user \+ (\d+) s system CPU time$", stderr, re.M
    )
    assert found, stderr
    return int(found[1]) + int(found[2])


def test_an_orphaned_grandchilds_cpu_is_counted():
    done = subprocess.run([*TIMED, sys.executable, "-c", ORPHAN], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert _cpu_seconds(done.stderr) >= 1  # the orphan's second: a shell's `time` says 0 here
    # and what it was: the orphans' CPU by program (I is reaped by P, so not an orphan)
    assert re.search(
        r"^the job: of that CPU, 1 s was orphaned processes' \(python\S* 1 s in 1\)$", done.stderr, re.M
    )


@pytest.mark.parametrize(
    ("script", "code"),
    [("raise SystemExit(3)", 3), ("import os, signal; os.kill(os.getpid(), signal.SIGTERM)", 143)],
)
def test_the_exit_code_is_the_commands(script: str, code: int):
    done = subprocess.run([*TIMED, sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == code, done.stderr
    assert _cpu_seconds(done.stderr) >= 0
