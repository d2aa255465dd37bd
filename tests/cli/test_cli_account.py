"""`oauthpy sessions` and `oauthpy usage` as a user types them, with the real codex against
its fake (the catalogue and usage themselves are tested per agent elsewhere)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy._agents.codex.fake_chatgpt import UsageWindow, log_in
from oauthpy.testing import text
from tests.support import Rig, assert_no_leftovers, open_rig


@pytest.fixture
def codex_rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("codex", tmp_path) as rig:
        yield rig


def oauthpy(rig: Rig, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oauthpy.cli", *args, "-p", "codex", "--source", "external"],
        env={**os.environ, **rig.env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sessions_lists_shows_forks_and_deletes(codex_rig: Rig):
    rig = codex_rig
    rig.fake.script(text("the answer is forty-two"))
    first = rig.run("what is the answer?")
    listed = oauthpy(rig, "sessions", "--json", "--cwd", str(rig.work))
    assert listed.returncode == 0, listed.stderr
    [info] = json.loads(listed.stdout)
    assert info["id"] == first.session_id and info["title"] == "what is the answer?"
    assert info["updated_at"] and info["cwd"] and Path(info["cwd"]).resolve() == rig.work.resolve()
    table = oauthpy(rig, "sessions")
    assert (
        table.returncode == 0 and first.session_id in table.stdout and "what is the answer?" in table.stdout
    )
    shown = oauthpy(rig, "sessions", "show", str(first.session_id))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[:2] == ["> what is the answer?", "the answer is forty-two"]
    as_json = json.loads(oauthpy(rig, "sessions", "show", str(first.session_id), "--json").stdout)
    assert [(e["kind"], e["text"]) for e in as_json if e["kind"] in ("user", "message")] == [
        ("user", "what is the answer?"),
        ("message", "the answer is forty-two"),
    ]
    forked = oauthpy(rig, "sessions", "fork", str(first.session_id))
    assert forked.returncode == 0, forked.stderr
    fork_id = forked.stdout.strip()
    assert fork_id and fork_id != first.session_id
    gone = oauthpy(rig, "sessions", "delete", fork_id)
    assert gone.returncode == 0, gone.stderr
    unknown = oauthpy(rig, "sessions", "show", "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee")
    assert unknown.returncode == 2 and "error: no conversation with id" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert_no_leftovers(rig.env)


def test_usage_prints_the_plan_and_when_each_window_resets(codex_rig: Rig):
    rig = codex_rig
    rig.fake.account("pro", [UsageWindow(42, 18_000, 1_900_000_000), UsageWindow(7, 604_800, 1_900_500_000)])
    log_in(rig.env["CODEX_HOME"], rig.fake)
    shown = oauthpy(rig, "usage")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("codex: plan pro (from account/rateLimits/read, as of ")
    assert lines[1].startswith("  primary: 42% used, resets 2030-") and lines[2].startswith(
        "  secondary: 7% used"
    )
    as_json = json.loads(oauthpy(rig, "usage", "--json").stdout)
    assert as_json["plan"] == "pro" and as_json["windows"][0]["used_percent"] == 42
    assert as_json["windows"][0]["resets_at"].startswith("2030-03-17T")
    assert_no_leftovers(rig.env)
