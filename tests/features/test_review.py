"""``Client.review`` and ``oauthpy.review`` with the real CLIs against their fakes: typed findings
from the JSON each reviewer is asked for, one retry on a malformed answer, the change each target
sends, two reviewers merged, and a reviewer told to write or delete refused, the tree unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import oauthpy
from oauthpy import EventKind, StructuredOutputError
from oauthpy.testing import text, write_file
from oauthpy.testing.anthropic import structured
from tests.git_repos import git, make_repo
from tests.support import Rig, open_rig, shell_step

FINDING = {
    "severity": "high",
    "path": "src/app.py",
    "line": 1,
    "end_line": 2,
    "title": "Division by zero on an empty list",
    "body": "`average([])` divides by zero.",
}


def answer(provider: str, value: dict[str, Any]) -> Any:
    """The fake model's JSON answer, the way the agent's CLI asks for one: Claude Code through its
    StructuredOutput tool, the others as the reply's text."""
    return structured(value) if provider == "claude" else text(json.dumps(value))


def review_of(rig: Rig, repo: Path, **kw: Any) -> oauthpy.Review:
    kw.setdefault("timeout", 90)
    return rig.client().review(cwd=repo, model=rig.model, **kw)


def changed_repo(root: Path) -> Path:
    repo = make_repo(root)
    (repo / "src" / "app.py").write_text("def average(xs):\n    return sum(xs) / len(xs)\n")
    (repo / "src" / "new_module.py").write_text("UNTRACKED_MARKER = 1\n")
    return repo


@pytest.mark.parametrize("provider", ["codex", "claude", "gemini"])
def test_uncommitted_changes_are_sent_and_findings_come_back_typed(provider: str, tmp_path: Path):
    with open_rig(provider, tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        rig.fake.script(answer(provider, {"summary": "One crash.", "findings": [FINDING]}))
        review = review_of(rig, repo)
        bodies = "\n".join(rig.model_bodies())
    assert "return sum(xs) / len(xs)" in bodies and "src/app.py" in bodies  # the tracked change
    assert "UNTRACKED_MARKER" in bodies and "src/new_module.py" in bodies  # untracked included
    assert review.provider == provider and review.summary == "One crash."
    (finding,) = review.findings
    assert finding == oauthpy.Finding(
        "high", "src/app.py", FINDING["title"], FINDING["body"], 1, 2, (provider,)
    )
    assert review.usage is not None and review.usage.total_tokens > 0


#: how the malformed answer is sent back: Claude Code checks its StructuredOutput tool's input
#: itself and asks again in the same turn; for the others oauthpy asks once more
RETRIED = {"claude": "Output does not match required schema", "gemini": "not the JSON asked for"}
#: the model requests of a review whose every answer is malformed: oauthpy's two runs, each of
#: Claude Code's two turns (the answer, then its own retry)
REQUESTS = {"claude": 4, "gemini": 2}


@pytest.mark.parametrize("provider", ["claude", "gemini"])
def test_a_malformed_answer_is_asked_for_once_more_then_raises(provider: str, tmp_path: Path):
    bad = {"summary": "s", "findings": [{"severity": "urgent", "path": "x", "title": "t", "body": "b"}]}
    with open_rig(provider, tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        rig.fake.script(answer(provider, bad), answer(provider, {"summary": "Fine.", "findings": []}))
        review = review_of(rig, repo)
        assert review.summary == "Fine." and review.findings == ()
        first, again = rig.model_bodies()
        assert RETRIED[provider] not in first and RETRIED[provider] in again
        rig.fake.reset().script(answer(provider, bad))  # sticky: every answer malformed
        with pytest.raises(StructuredOutputError):
            review_of(rig, repo)
        assert len(rig.model_bodies()) == REQUESTS[provider]
        assert "not the JSON asked for" in rig.model_bodies()[-1]  # oauthpy's one retry


def test_base_and_commit_targets_send_their_commits_and_leave_the_tree_alone(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")  # README.md has an uncommitted edit
        git(repo, "branch", "-M", "main")
        git(repo, "checkout", "-qb", "topic")
        (repo / "src" / "feature.py").write_text("BRANCH_MARKER = 2\n")
        git(repo, "add", "src/feature.py")
        git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "feature")
        rig.fake.script(answer("codex", {"summary": "ok", "findings": []}))
        review_of(rig, repo, base="main")
        (on_branch,) = rig.model_bodies()
        assert "BRANCH_MARKER" in on_branch and "src/feature.py" in on_branch
        assert "the user's own edit" not in on_branch  # uncommitted: not the branch's change
        assert str(repo) not in on_branch  # it read a worktree, not the user's tree
        sha = git(repo, "rev-parse", "HEAD~1").strip()
        review_of(rig, repo, commit=sha)  # the first commit: README and app.py added
        on_commit = rig.model_bodies()[-1]
        assert "print('app')" in on_commit and "BRANCH_MARKER" not in on_commit
    assert (repo / "README.md").read_text() == "hello\nthe user's own edit\n"
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_a_clean_tree_starts_no_agent(tmp_path: Path):
    with open_rig("claude", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")
        git(repo, "checkout", "--", "README.md")
        review = review_of(rig, repo)
        assert rig.fake.model_requests() == []
    assert not review.changed and review.findings == ()


@pytest.mark.parametrize("provider", ["codex", "claude"])
def test_a_reviewer_told_to_write_or_delete_is_refused_and_the_tree_is_unchanged(
    provider: str, tmp_path: Path
):
    with open_rig(provider, tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
        rig.fake.script(
            write_file("pwned.txt", "x\n"),
            shell_step(provider, "rm -f README.md src/app.py"),
            answer(provider, {"summary": "done", "findings": []}),
        )
        events: list[oauthpy.Event] = []
        review = review_of(rig, repo, on_event=events.append)
        after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert review.summary == "done"
    assert after == before and not (repo / "pwned.txt").exists()
    asked = [e for e in events if e.kind is EventKind.PERMISSION]
    assert asked and all(e.status == "denied" for e in asked)


def test_two_reviewers_merge_the_finding_they_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("claude", tmp_path / "a") as claude:
        for rig in (codex, claude):
            for key, value in rig.env.items():
                monkeypatch.setenv(key, value)  # both agents' fakes for clients made inside
        repo = changed_repo(tmp_path / "repo")
        only_claude = {**FINDING, "severity": "low", "path": "README.md", "line": 2, "title": "Stray line"}
        shared_by_claude = {
            **FINDING,
            "line": 2,
            "end_line": 2,
            "title": "Division by zero when the list is empty",
        }
        codex.fake.script(answer("codex", {"summary": "codex saw one", "findings": [FINDING]}))
        claude.fake.script(
            answer("claude", {"summary": "claude saw two", "findings": [only_claude, shared_by_claude]})
        )
        review = oauthpy.review(["codex", "claude"], cwd=repo, auth_source="external", timeout=90)
    assert review.provider == "codex+claude" and review.errors == {}
    shared, single = review.findings
    assert (shared.severity, shared.path, shared.agents) == ("high", "src/app.py", ("codex", "claude"))
    assert (single.severity, single.path, single.agents) == ("low", "README.md", ("claude",))
    assert [r.provider for r in review.raw] == ["codex", "claude"]
