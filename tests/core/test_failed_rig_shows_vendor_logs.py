"""The suite's own aid (`tests.vendor_logs`): a failed test of a rig shows the newest lines of the
vendor CLI's logs from the rig's folder, which is gone by the time anyone reads a CI report."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.vendor_logs import LINES, vendor_log_tails

pytestmark = pytest.mark.fast


def test_the_newest_logs_last_lines_are_shown_and_installed_packages_left_out(tmp_path: Path):
    old, new = tmp_path / "data" / "old.log", tmp_path / "data" / "log" / "new.log"
    for log in (old, new, tmp_path / "node_modules" / "pkg" / "npm.log"):
        log.parent.mkdir(parents=True, exist_ok=True)
    old.write_text("old line\n")
    new.write_text("".join(f"line {i}\n" for i in range(100)))
    (tmp_path / "node_modules" / "pkg" / "npm.log").write_text("a package's own log\n")
    os.utime(old, (1, 1))  # the older of the two
    shown = vendor_log_tails(tmp_path).splitlines()
    assert shown[0] == "--- data/log/new.log" and shown[1 : LINES + 1] == [
        f"line {i}" for i in range(70, 100)
    ]
    assert shown[LINES + 1 :] == ["--- data/old.log", "old line"]


def test_a_failed_rig_test_reports_them_and_a_passing_one_does_not(tmp_path: Path):
    (tmp_path / "test_toy.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from tests.support import Rig

            @pytest.fixture
            def rig(tmp_path):
                log = tmp_path / "state" / "cli.log"
                log.parent.mkdir()
                log.write_text("started\\nwaiting on the database lock\\n")
                return Rig("toy", None, {}, tmp_path)

            def test_fails(rig):
                assert rig.provider == "another"

            def test_passes(rig):
                assert rig.provider == "toy"
            """
        )
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.vendor_logs",
            "test_toy.py",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 failed, 1 passed" in done.stdout, done.stdout + done.stderr
    assert done.stdout.count("vendor logs (newest last lines)") == 1
    assert "--- state/cli.log\nstarted\nwaiting on the database lock" in done.stdout
