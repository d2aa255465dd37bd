"""`Provision.answered_at_once`: its test environment's PATH answers those programs at once with a
failure, and finds every other program where it did."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from oauthpy.testing.provision import Provision

pytestmark = pytest.mark.fast


def test_the_named_programs_fail_at_once_and_the_others_are_found_as_before(tmp_path: Path) -> None:
    provision = Provision(answered_at_once=("lsb_release", "uname"))
    path = provision.path_answering_at_once(tmp_path / "stubs")
    assert path == provision.path_answering_at_once(tmp_path / "stubs")  # again: the same folder
    for name in ("lsb_release", "uname"):
        done = subprocess.run([name, "-a"], env={**os.environ, "PATH": path}, capture_output=True, timeout=30)
        assert (done.returncode, done.stdout) == (1, b""), name
    assert shutil.which("sh", path=path) == shutil.which("sh")
    assert path.split(os.pathsep)[1:] == os.environ["PATH"].split(os.pathsep)
