"""Codex reviews through its own review mode (app-server ``review/start``), not a plain turn: the
fake model sees codex's review prompt and target, answers the JSON that prompt asks for, and the
`Review`'s findings come back typed from it (priority to severity, absolute path to the
repository's, the line range), for uncommitted changes, a branch and a commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import oauthpy
from oauthpy.testing import write_file
from oauthpy.testing.script import REVIEW_PROMPT_START, review_answer, review_finding
from tests.git_repos import git, make_repo
from tests.support import Rig, open_rig, shell_step

#: codex's own words for each target (its review mode's user message)
UNCOMMITTED = "Review the current code changes (staged, unstaged, and untracked files)"


def changed_repo(root: Path) -> Path:
    repo = make_repo(root)
    (repo / "src" / "app.py").write_text("def average(xs):\n    return sum(xs) / len(xs)\n")
    return repo


def review_of(rig: Rig, repo: Path, **kw: Any) -> oauthpy.Review:
    kw.setdefault("timeout", 90)
    return rig.client().review(cwd=repo, model=rig.model, **kw)


def test_uncommitted_changes_go_through_the_review_mode_and_come_back_typed(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        app = str(repo / "src" / "app.py")
        rig.fake.script(
            review_answer(
                [
                    review_finding("[P1] Division by zero", app, 2, 3, body="`average([])` fails."),
                    review_finding("Unused import", str(repo / "README.md"), 1, priority=3),
                    review_finding("Data loss on save", app, 1, priority=0),
                ],
                explanation="One crash.",
                correct=False,
            )
        )
        review = review_of(rig, repo)
        (body,) = rig.model_bodies()
    assert REVIEW_PROMPT_START in body and UNCOMMITTED in body  # codex's review request, not a turn
    assert "Answer with JSON only" not in body  # not oauthpy's question of the other agents
    assert review.provider == "codex" and review.summary == "One crash."
    assert [(f.severity, f.path, f.line, f.end_line, f.title) for f in review.findings] == [
        ("critical", "src/app.py", 1, 1, "Data loss on save"),
        ("high", "src/app.py", 2, 3, "Division by zero"),
        ("low", "README.md", 1, 1, "Unused import"),
    ]
    assert review.findings[1].body == "`average([])` fails." and review.findings[1].agents == ("codex",)
    assert review.raw["overall_correctness"] == "patch is incorrect"  # codex's whole answer
    assert review.usage is not None and review.usage.total_tokens > 0  # the review sub-agent's


def test_a_branch_and_a_commit_are_codex_s_own_targets_in_a_worktree(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")  # README.md has an uncommitted edit
        git(repo, "branch", "-M", "main")
        git(repo, "checkout", "-qb", "topic")
        (repo / "src" / "feature.py").write_text("BRANCH_MARKER = 2\n")
        git(repo, "add", "src/feature.py")
        git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "add the feature")
        sha = git(repo, "rev-parse", "HEAD").strip()
        finding = review_finding("[P2] Magic number", str(repo / "src" / "feature.py"), 1, priority=2)
        rig.fake.script(review_answer([finding]))
        on_branch = review_of(rig, repo, base="main")
        on_commit = review_of(rig, repo, commit="HEAD")
        branch_body, commit_body = rig.model_bodies()
    merge_base = git(repo, "merge-base", "main", "HEAD").strip()
    assert REVIEW_PROMPT_START in branch_body and REVIEW_PROMPT_START in commit_body
    assert (
        f"against the base branch 'main'. The merge base commit for this comparison is {merge_base}"
        in branch_body
    )
    assert f'introduced by commit {sha} (\\"add the feature\\")' in commit_body
    assert f"<cwd>{repo}</cwd>" not in branch_body + commit_body  # a worktree, not the user's tree
    for review in (on_branch, on_commit):
        (found,) = review.findings
        assert (found.severity, found.path, found.line, found.end_line) == ("medium", "src/feature.py", 1, 1)
    assert (repo / "README.md").read_text() == "hello\nthe user's own edit\n"
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_focus_and_a_diff_are_custom_instructions_of_the_review_mode(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        rig.fake.script(review_answer([]))
        review_of(rig, repo, focus="FOCUS_MARKER the SQL")
        diff = "--- a/x.py\n+++ b/x.py\n@@ -0,0 +1 @@\n+DIFF_MARKER = 1\n"
        review_of(rig, tmp_path, diff=diff)
        focused, of_diff = rig.model_bodies()
    assert REVIEW_PROMPT_START in focused and UNCOMMITTED in focused and "FOCUS_MARKER the SQL" in focused
    assert REVIEW_PROMPT_START in of_diff and "+DIFF_MARKER = 1" in of_diff


def test_without_a_rollout_the_rendered_review_is_read(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        app = str(repo / "src" / "app.py")
        rig.fake.script(review_answer([review_finding("[P0] Crash", app, 2, 3, body="It crashes.")]))
        # an ephemeral thread keeps no rollout: only codex's rendering of the answer is left
        review = review_of(rig, repo, provider_options={"ephemeral": True})
    (found,) = review.findings
    assert (found.severity, found.path, found.line, found.end_line, found.title, found.body) == (
        "critical",
        "src/app.py",
        2,
        3,
        "Crash",
        "It crashes.",
    )
    assert review.summary == "Looks correct."


def test_an_answer_codex_cannot_read_is_read_from_the_model_s_json(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        app = str(repo / "src" / "app.py")
        # codex 0.163 reads no answer with a finding without priority: it keeps the model's text
        unranked = review_finding("Unranked", app, 2, priority=None)
        rig.fake.script(
            review_answer([unranked, review_finding("[P3] Typo", app, 1, priority=None)], explanation="Two.")
        )
        review = review_of(rig, repo)
    assert [(f.severity, f.path, f.line, f.title) for f in review.findings] == [
        ("medium", "src/app.py", 2, "Unranked"),
        ("low", "src/app.py", 1, "Typo"),  # the title's tag, without a priority
    ]
    assert review.summary == "Two."


@pytest.mark.parametrize("sandbox", [None, "danger-full-access"])
def test_the_review_mode_changes_nothing_whatever_its_model_asks(tmp_path: Path, sandbox: str | None):
    """Codex's reviewer asks no one and takes the thread's sandbox: oauthpy makes it read-only,
    also when the caller (or codex's configuration) asked for full access."""
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
        rig.fake.script(
            write_file("pwned.txt", "x\n"),
            shell_step("codex", "touch touched.txt"),
            shell_step("codex", "rm -f README.md src/app.py"),
            review_answer([], explanation="done"),
        )
        options = {"sandbox": sandbox} if sandbox else None
        review = review_of(rig, repo, provider_options=options)
        after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
        told = rig.model_bodies()[-1]
    assert review.summary == "done"
    assert after == before and not (repo / "pwned.txt").exists() and not (repo / "touched.txt").exists()
    assert "read-only sandbox" in told and "Read-only file system" in told  # refused, not skipped


def test_a_plain_turn_would_fail_the_fake(tmp_path: Path):
    """The fake answers codex's review request only: a run that is not one fails (the check of
    the tests above)."""
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        rig.fake.script(review_answer([]))
        with pytest.raises(oauthpy.OauthPyError):
            rig.client().run("hi", cwd=repo, model=rig.model, timeout=60)
        review = review_of(rig, repo)
    assert review.findings == () and review.summary == "Looks correct."


def test_over_exec_a_review_is_refused_before_anything_starts(tmp_path: Path):
    """``codex exec`` has no review request and cannot ask: a review there is refused at once."""
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = changed_repo(tmp_path / "repo")
        client = oauthpy.Client("codex", transport="exec", auth_source="external", env=rig.env)
        with pytest.raises(oauthpy.InvalidOptionsError, match="need the app-server transport"):
            client.review(cwd=repo, timeout=90)
        assert rig.fake.model_requests() == []
