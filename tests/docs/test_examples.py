"""The live-agent, permission, tool and batch examples run as written (offline: the real CLIs
against the fakes), and so do the ones written for your own account, with ``OAUTHPY_OFFLINE=1``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.support import pinned

EXAMPLES = REPO / "examples"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("warm_agents.py", ["models: gpt-6.1-sol (default)", "Name a tree. -> oak  [app-server]"]),
        (
            "warm_agents.py --provider claude",
            ["models: default (default), best", "Name a tree. -> oak  [sdk]"],
        ),
        ("live_deltas.py", ["Rivers carve valleys over millennia.", "interrupting at:", "next turn: ok"]),
        (
            "approve.py",
            [
                "allowed  run touch notes.txt",
                "denied   run rm -f keep.txt  (this script only allows: ls, cat, touch notes.txt)",
                "files now: ['keep.txt', 'notes.txt']",
            ],
        ),
        (
            "questions.py",
            [
                "answered Which language should the script use? -> Python",
                "declined Which language should the script use?",
                "answer: No answer: I will use Python.",
            ],
        ),
        (
            "tools.py",
            [
                "stock_level({'item': 'apple'}) -> 12  [ok]",
                "stock_level({'item': 'plum'}) -> KeyError: 'no such item: plum'  [error]",
                "reorder({'item': 'pear', 'amount': 20, 'speed': 'express'}) -> ordered 20 x pear (express)  [ok]",
            ],
        ),
        (
            "classify.py",
            [
                "positive  The blender is great, smoothies in seconds.",
                "negative  It broke after two days and support never answered.",
                "neutral   Arrived on Tuesday. It is a blender.",
            ],
        ),
        pytest.param(
            "gemini_session.py",
            ["Name a river. -> Rhone  [acp]", "resumed -> heron  [stream-json]"],
            marks=pytest.mark.xdist_group("gemini"),
        ),
    ],
)
def test_a_live_agent_example_runs_offline(name: str, expected: list[str], tmp_path: Path):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name.split()[0]), *name.split()[1:]],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for line in expected:
        assert line in done.stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("quickstart.py", ["ok", "Usage(input_tokens=100"]),
        ("stream_events.py", ["ok", "tokens: Usage("]),
        ("auth_status.py", ["codex   0.163.0", "logged in", "source=external"]),
    ],
)
def test_an_example_for_your_own_account_runs_with_none_in_offline_mode(
    name: str, expected: list[str], tmp_path: Path
):
    env = {**os.environ, "OAUTHPY_OFFLINE": "1", "OAUTHPY_GEMINI_BINARY": pinned("gemini")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "oauthpy: offline (OAUTHPY_OFFLINE=1)" in done.stderr
    for line in expected:
        assert line in done.stdout


def test_the_compare_example_keeps_the_attempt_whose_tests_pass(tmp_path: Path):
    env = {**os.environ, "OAUTHPY_GEMINI_BINARY": pinned("gemini")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "compare.py")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "codex   check passed, +1/-1, 'greet() says hello'",
        "claude  check failed, +1/-0, 'I left a note'",
        "gemini  check failed, +0/-0, 'I could not find the bug'",
        "best: codex, applied",
        "greet.py now: return 'hello'",
    ]
