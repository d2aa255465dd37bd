"""tests/cpu_log.py, the per-test CPU log (``OAUTHPY_TEST_CPU_LOG``): a process that outlives the
test that started it, as a warm agent does, is charged to the tests during which it worked, not
to the one during which it is reaped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO

pytestmark = [pytest.mark.fast, pytest.mark.skipif(sys.platform != "linux", reason="Linux's /proc")]

#: the first test starts a process that spends half a second of CPU, says so, and then waits for
#: its stdin to close; the second test closes it and reaps it
TESTS = r"""
import subprocess, sys

BURN = "import sys, time\nwhile time.process_time() < 0.5: pass\nprint('spent', flush=True)\nsys.stdin.read()"
held = {}


def test_starts_a_process_that_works_and_stays():
    held["agent"] = agent = subprocess.Popen(
        [sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert agent.stdout.readline() == "spent\n"


def test_ends_it():
    agent = held["agent"]
    agent.stdin.close()
    assert agent.wait(timeout=30) == 0
"""


def test_a_process_that_outlives_its_test_is_charged_to_the_test_it_worked_in(tmp_path: Path):
    (tmp_path / "test_warm.py").write_text(TESTS)
    log = tmp_path / "cpu.log"
    env = {**os.environ, "OAUTHPY_TEST_CPU_LOG": str(log), "PYTHONPATH": str(REPO)}
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.cpu_log",
            "-p",
            "no:cacheprovider",
            "-q",
            "test_warm.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    children = {
        line.split("\t")[0].split("::")[1]: float(line.split("\t")[3])
        for line in log.read_text().splitlines()
    }
    assert children["test_starts_a_process_that_works_and_stays"] >= 0.4, children
    assert children["test_ends_it"] < 0.2, children  # the reap charged it all here before
