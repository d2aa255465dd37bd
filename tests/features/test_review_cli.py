"""``oauthpy review`` as a user (or a CI job) runs it, with the real CLIs against their fakes:
``--fail-on high --json`` exits 1 with a high finding and 0 without, the merged table, a clean
tree that starts no agent, and exit 2 for a target that names nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from oauthpy.testing import text
from tests.features.test_review import FINDING, answer, changed_repo
from tests.git_repos import git, make_repo
from tests.support import Rig, open_rig

REVIEW = [sys.executable, "-m", "oauthpy.cli", "review", "--source", "external"]


def review(repo: Path, rigs: tuple[Rig, ...], *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for rig in rigs:
        env.update(rig.env)
    return subprocess.run(
        [*REVIEW, *args],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_fail_on_high_exits_1_with_a_high_finding_and_0_without(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as codex:
        repo = changed_repo(tmp_path / "repo")
        codex.fake.script(answer("codex", {"summary": "bad", "findings": [FINDING]}))
        failing = review(repo, (codex,), "-p", "codex", "--fail-on", "high", "--json")
        low = {**FINDING, "severity": "medium"}
        codex.fake.reset().script(answer("codex", {"summary": "meh", "findings": [low]}))
        passing = review(repo, (codex,), "-p", "codex", "--fail-on", "high", "--json")
    assert failing.returncode == 1, failing.stderr
    shown = json.loads(failing.stdout)
    assert shown["findings"][0] | {"agents": ["codex"]} == {**FINDING, "agents": ["codex"]}
    assert passing.returncode == 0, passing.stderr
    assert json.loads(passing.stdout)["findings"][0]["severity"] == "medium"


def test_the_table_shows_each_finding_once_with_the_agents_that_raised_it(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("claude", tmp_path / "a") as claude:
        repo = changed_repo(tmp_path / "repo")
        other = {**FINDING, "severity": "low", "path": "README.md", "line": 2, "title": "Stray line"}
        codex.fake.script(answer("codex", {"summary": "one", "findings": [FINDING]}))
        claude.fake.script(answer("claude", {"summary": "two", "findings": [FINDING, other]}))
        done = review(repo, (codex, claude), "-P", "codex,claude")  # -P: the hidden old spelling
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["SEVERITY", "WHERE", "TITLE", "AGENTS"]
    assert lines[1].startswith("high") and "src/app.py:1-2" in lines[1]
    assert lines[1].endswith("codex,claude") and FINDING["title"] in lines[1]
    assert lines[2].startswith("low") and "README.md:2" in lines[2] and lines[2].endswith("claude")
    assert "codex: one" in done.stdout and "claude: two" in done.stdout


def test_no_change_to_review_says_so_exits_0_and_starts_no_agent(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as codex:
        repo = make_repo(tmp_path / "repo")
        git(repo, "checkout", "--", "README.md")
        done = review(repo, (codex,), "-p", "codex", "--fail-on", "low")
        assert codex.fake.model_requests() == []
    assert done.returncode == 0 and done.stdout.strip() == "No change to review."


def test_a_commit_that_does_not_exist_is_exit_2_before_any_agent(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as codex:
        repo = make_repo(tmp_path / "repo")
        done = review(repo, (codex,), "-p", "codex", "--commit", "nosuchref")
        assert codex.fake.model_requests() == []
    assert done.returncode == 2 and "names no commit" in done.stderr


def test_a_reviewer_that_fails_is_named_and_the_exit_is_2_with_the_others_findings(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("gemini", tmp_path / "g") as gemini:
        repo = changed_repo(tmp_path / "repo")
        codex.fake.script(answer("codex", {"summary": "one", "findings": [FINDING]}))
        gemini.fake.script(text("I would rather not answer in JSON."))  # sticky: both tries
        done = review(repo, (codex, gemini), "-p", "codex,gemini")
    assert done.returncode == 2, done.stderr
    assert FINDING["title"] in done.stdout and done.stdout.splitlines()[1].endswith("codex")
    assert "gemini did not review: StructuredOutputError" in done.stderr
