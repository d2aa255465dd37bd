"""``Client.review`` and ``oauthpy.review`` with the real CLIs against their fakes: typed findings
from the JSON each reviewer is asked for, one retry on a malformed answer, the change each target
sends, two reviewers merged, and a reviewer told to write or delete refused, the tree unchanged."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import oauthpy
from oauthpy import EventKind, StructuredOutputError
from oauthpy._review_types import SEVERITIES
from oauthpy.testing import text, tool_call, write_file
from oauthpy.testing.anthropic import structured
from oauthpy.testing.script import Tokens, review_answer, review_finding
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
    """The fake model's JSON answer, the way the agent's CLI asks for one: codex's review mode in
    its own JSON (tests/agents/codex/test_review_native.py), Claude Code through its
    StructuredOutput tool, the others as the reply's text."""
    if provider == "codex":
        found = [
            review_finding(
                f["title"],
                f["path"],
                f["line"],
                f["end_line"],
                priority=SEVERITIES.index(f["severity"]),
                body=f["body"],
            )
            for f in value["findings"]
        ]
        return review_answer(found, explanation=value["summary"])
    return structured(value) if provider == "claude" else text(json.dumps(value))


def review_of(rig: Rig, repo: Path, **kw: Any) -> oauthpy.Review:
    kw.setdefault("timeout", 90)
    return rig.client().review(cwd=repo, model=rig.model, **kw)


def changed_repo(root: Path) -> Path:
    repo = make_repo(root)
    (repo / "src" / "app.py").write_text("def average(xs):\n    return sum(xs) / len(xs)\n")
    (repo / "src" / "new_module.py").write_text("UNTRACKED_MARKER = 1\n")
    return repo


@pytest.mark.parametrize("provider", ["claude", "gemini"])  # codex: its review mode reads them
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
#: whether oauthpy asks again in the malformed answer's conversation (the agent then sees what it
#: answered): gemini takes no on_permission in a conversation resumed from disk, so a fresh run
ASKS_IN_CONVERSATION = {"claude": True, "gemini": False}


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
        # every model request is in the review's usage, the malformed answer's too
        assert review.usage is not None and review.usage.output_tokens == 2 * Tokens().output
        rig.fake.reset().script(answer(provider, bad))  # sticky: every answer malformed
        with pytest.raises(StructuredOutputError) as err:
            review_of(rig, repo)
        assert len(rig.model_bodies()) == REQUESTS[provider]
        assert "not the JSON asked for" in rig.model_bodies()[-1]  # oauthpy's one retry
        asked_again = rig.model_bodies()[REQUESTS[provider] // 2]  # its first request
        assert ("urgent" in asked_again) is ASKS_IN_CONVERSATION[provider]
        # what the last run spent, as its agent reported it (at least its last request)
        assert err.value.usage is not None and err.value.usage.output_tokens >= Tokens().output


def test_base_and_commit_targets_send_their_commits_and_leave_the_tree_alone(tmp_path: Path):
    with open_rig("claude", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")  # README.md has an uncommitted edit
        git(repo, "branch", "-M", "main")
        git(repo, "checkout", "-qb", "topic")
        (repo / "src" / "feature.py").write_text("BRANCH_MARKER = 2\n")
        git(repo, "add", "src/feature.py")
        git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "feature")
        rig.fake.script(answer("claude", {"summary": "ok", "findings": []}))
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


@pytest.mark.parametrize("provider", ["claude"])  # codex's review mode: its own test's
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


def test_a_reviewer_that_reads_files_first_still_has_a_turn_for_its_answer(tmp_path: Path):
    """Claude Code counts each tool round as a turn: a review that reads two files before its
    answer is not cut short by the turn limit a structured answer otherwise gets."""
    with open_rig("claude", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        rig.fake.script(
            tool_call("Read", {"file_path": str(repo / "src" / "app.py")}, call_id="toolu_read_1"),
            tool_call("Read", {"file_path": str(repo / "README.md")}, call_id="toolu_read_2"),
            answer("claude", {"summary": "Read two.", "findings": [FINDING]}),
        )
        events: list[oauthpy.Event] = []
        review = review_of(rig, repo, on_event=events.append)
        bodies = rig.model_bodies()
    assert review.summary == "Read two." and [f.title for f in review.findings] == [FINDING["title"]]
    assert len(bodies) == 3 and not any("not the JSON asked for" in b for b in bodies)  # one run
    read = [
        e for e in events if e.kind is EventKind.TOOL and e.tool_name == "Read" and e.status == "completed"
    ]
    assert len(read) == 2 and "return sum(xs)" in (read[0].output or "")


def test_a_run_s_change_is_reviewed_by_another_agent(tmp_path: Path):
    """``RunResult.review(by=...)``: a worktree run's diff, read against its repository, and a
    plain run's uncommitted changes in its folder; the reviewer here is codex, in its review mode."""
    with open_rig("claude", tmp_path / "a") as writer, open_rig("codex", tmp_path / "c") as reviewer:
        repo = changed_repo(tmp_path / "repo")
        allow = {"on_permission": lambda request: True, "model": writer.model, "timeout": 90}
        writer.fake.script(write_file("notes.txt", "WORKTREE_MARKER\n"), text("done"))
        in_worktree = writer.client().run("write", cwd=repo, workspace="worktree", base="working", **allow)
        writer.fake.reset().script(write_file("more.txt", "IN_PLACE_MARKER\n"), text("done"))
        in_place = writer.client().run("write", cwd=repo, **allow)
        reviewer.fake.script(answer("codex", {"summary": "A note.", "findings": [FINDING]}))
        on = {"env": reviewer.env, "auth_source": "external", "model": reviewer.model, "timeout": 90}
        of_worktree = in_worktree.review(by="codex", **on)
        of_place = asyncio.run(in_place.areview(by="codex", focus="FOCUS_MARKER", **on))
        worktree_body, place_body = reviewer.model_bodies()
    assert "+WORKTREE_MARKER" in worktree_body and f"<cwd>{repo}</cwd>" in worktree_body
    assert "IN_PLACE_MARKER" not in worktree_body  # the diff of that run only
    assert "Review the current code changes" in place_body and "FOCUS_MARKER" in place_body
    assert f"<cwd>{repo}</cwd>" in place_body
    for review in (of_worktree, of_place):
        assert review.provider == "codex" and [f.where for f in review.findings] == ["src/app.py:1-2"]
    with pytest.raises(oauthpy.UnsupportedProviderError, match="unknown provider 'nobody'"):
        in_place.review(by="nobody")
