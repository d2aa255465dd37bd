"""Codex's usage in the offline mode: its fake login carries quota windows (the offline mode of
every agent: tests/contract/test_offline.py, tests/features/test_offline_mode.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.features.test_offline_mode import offline_env


def _oauthpy(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oauthpy", *args],
        env=offline_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_codex_usage_offline_gives_quota_windows_in_python_and_on_the_command_line(tmp_path: Path):
    done = _oauthpy(tmp_path, "usage", "-p", "codex", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    usage = json.loads(done.stdout)
    usage = usage[0] if isinstance(usage, list) else usage
    assert [w["name"] for w in usage["windows"]] == ["primary", "secondary"]
    script = "from oauthpy import Client\nprint(len(Client('codex').usage().windows))\n"
    python = subprocess.run(
        [sys.executable, "-c", script], env=offline_env(tmp_path), capture_output=True, text=True, timeout=180
    )
    assert python.returncode == 0 and python.stdout.strip() == "2", python.stderr[-3000:]
