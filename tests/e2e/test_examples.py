"""The live-agent examples run as written (offline: the real codex against the fake)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("warm_agents.py", ["models: gpt-6.1-sol (default)", "Name a tree. -> oak  [app-server]"]),
        ("live_deltas.py", ["Rivers carve valleys over millennia.", "interrupting at:", "next turn: ok"]),
        pytest.param(
            "gemini_session.py",
            ["Name a river. -> Rhone  [acp]", "resumed -> heron  [stream-json]"],
            marks=pytest.mark.xdist_group("gemini"),
        ),
    ],
)
def test_a_live_agent_example_runs_offline(name: str, expected: list[str], tmp_path: Path):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=180, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for line in expected:
        assert line in done.stdout
