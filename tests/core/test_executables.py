"""Finding vendor binaries on PATH without shutil."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oauthpy._executables import which

pytestmark = pytest.mark.fast


def _file(path: Path, mode: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    return path


def test_which_takes_the_first_executable_on_path_in_order(tmp_path: Path, monkeypatch):
    # not next to this interpreter either (scripts/start links gemini into the venv's bin)
    monkeypatch.setattr("oauthpy._executables.scripts_dir", lambda: str(tmp_path / "no-venv-bin"))
    _file(tmp_path / "a" / "codex", 0o644)  # not executable: skipped
    (tmp_path / "b" / "codex").mkdir(parents=True)  # a directory: skipped
    wanted = _file(tmp_path / "c" / "codex", 0o755)
    _file(tmp_path / "d" / "codex", 0o755)  # later on PATH: shadowed
    path = os.pathsep.join(str(tmp_path / d) for d in "abcd")
    assert which("codex", {"PATH": path}) == str(wanted)
    assert which("gemini", {"PATH": path}) is None


def test_which_checks_a_path_given_directly(tmp_path: Path):
    exe = _file(tmp_path / "gemini", 0o755)
    assert which(str(exe), {"PATH": ""}) == str(exe)
    assert which(str(tmp_path / "missing"), {"PATH": ""}) is None


def test_which_falls_back_to_the_process_path(tmp_path: Path, monkeypatch):
    exe = _file(tmp_path / "claude", 0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert which("claude", {}) == str(exe)
