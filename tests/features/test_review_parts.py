"""The parts of a review that start no agent: merging findings, the targets and the change each
names, the paths a reviewer gives back, and the checks before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

import oauthpy
from oauthpy import Finding, InvalidOptionsError
from oauthpy._review import findings_of, question
from oauthpy._review_merge import alike, merge
from oauthpy._review_target import Target, change_of, checked_target
from tests.git_repos import git, make_repo

pytestmark = pytest.mark.fast


def f(
    path: str, line: int | None, title: str, agent: str, severity: str = "medium", end: int | None = None
) -> Finding:
    return Finding(severity, path, title, "", line, end, (agent,))  # type: ignore[arg-type]


def test_the_same_problem_from_two_agents_is_one_finding_listing_both():
    codex = [f("src/a.py", 10, "Division by zero when count is 0", "codex", "high")]
    claude = [f("src/a.py", 12, "Division by zero on empty input", "claude", "medium", 13)]
    (one,) = merge([codex, claude])
    assert one.agents == ("codex", "claude")
    assert (one.severity, one.line, one.end_line) == ("high", 10, 13)  # the worse severity, both spans


def test_findings_apart_stay_apart_and_keep_their_single_agent():
    codex = [f("src/a.py", 10, "Division by zero", "codex")]
    claude = [
        f("src/a.py", 30, "Division by zero", "claude"),  # too far
        f("src/b.py", 10, "Division by zero", "claude"),  # another file
        f("src/a.py", 11, "Unused import of os", "claude"),  # another problem
    ]
    merged = merge([codex, claude])
    assert len(merged) == 4
    assert all(len(one.agents) == 1 for one in merged)


def test_merged_findings_are_ordered_by_severity_then_agreement():
    codex = [
        f("x.py", 1, "Style nit in name", "codex", "low"),
        f("y.py", 5, "Leaks the file handle", "codex"),
    ]
    claude = [
        f("z.py", 2, "SQL injection in query", "claude", "critical"),
        f("y.py", 6, "Leaks file handle", "claude"),
    ]
    gemini = [f("w.py", 9, "Missing timeout", "gemini")]
    merged = merge([codex, claude, gemini])
    assert [(m.severity, m.agents) for m in merged] == [
        ("critical", ("claude",)),
        ("medium", ("codex", "claude")),
        ("medium", ("gemini",)),
        ("low", ("codex",)),
    ]


def test_titles_alike_or_not():
    assert alike("Division by zero when count is 0", "division by zero on an empty list")
    assert not alike("Division by zero", "Unused import")


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"base": "main", "commit": "HEAD"}, "one target at a time"),
        ({"uncommitted": False}, "nothing to review"),
        ({"base": "--output=/tmp/x"}, "must name a branch"),
        ({"commit": "a..b"}, "must name a branch"),
        ({"diff": b"bytes"}, "text of a diff"),
        ({"uncommitted": "yes"}, "True or False"),
    ],
)
def test_a_bad_target_is_refused_before_anything_starts(kw, words):
    args = {"uncommitted": True, "base": None, "commit": None, "diff": None, **kw}
    with pytest.raises(InvalidOptionsError, match=words):
        checked_target(args["uncommitted"], args["base"], args["commit"], args["diff"])


def test_each_target_names_its_change(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")  # README.md changed, uncommitted
    (repo / "new.py").write_text("untracked = 1\n")
    change = change_of(Target("uncommitted"), str(repo))
    assert "the user's own edit" in change and "b/new.py" in change and "untracked = 1" in change
    git(repo, "branch", "main-line")
    git(repo, "checkout", "-qb", "topic")
    (repo / "src" / "app.py").write_text("print('topic')\n")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qam", "topic")
    on_branch = change_of(Target("base", ref="main-line"), str(repo))
    assert "print('topic')" in on_branch and "README" in on_branch  # commit -a took README too
    assert "new.py" not in on_branch  # untracked: not in the branch
    sha = git(repo, "rev-parse", "HEAD").strip()
    assert "print('topic')" in change_of(Target("commit", ref=sha), str(repo))
    assert change_of(Target("diff", diff="some diff"), str(repo)) == "some diff"


def test_a_clean_tree_has_no_change_and_a_missing_ref_is_refused(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    git(repo, "checkout", "--", "README.md")
    assert change_of(Target("uncommitted"), str(repo)) == ""
    with pytest.raises(InvalidOptionsError, match="names no commit"):
        change_of(Target("base", ref="nope"), str(repo))


def test_a_clean_tree_reviews_to_an_empty_review_with_no_agent(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    git(repo, "checkout", "--", "README.md")
    # no agent can start here: no fake, no login; an empty review comes back anyway
    client = oauthpy.Client("claude", auth_source="external", env={"OAUTHPY_CLAUDE_BINARY": "/nonexistent"})
    review = client.review(cwd=repo)
    assert (review.changed, review.findings, review.summary) == (False, (), "No change to review.")


def test_paths_come_back_relative_to_the_repository():
    def item(severity: str, path: str, **more: object) -> dict[str, object]:
        return {"severity": severity, "path": path, "title": "t", "body": "b", **more}

    answer = {
        "summary": "s",
        "findings": [
            item("low", "/home/me/repo/src/a.py", line=3, end_line=1),  # in the repository
            item("high", "b/src/b.py", line=0),  # a diff's name; no line
            item("medium", "/dev/shm/oauthpy/repo-0123456789ab/src/c.py"),  # the run's worktree, gone
        ],
    }
    high, medium, low = findings_of(answer, "codex", ["/home/me/repo"])
    assert (high.path, high.line, high.end_line) == ("src/b.py", None, None)
    assert medium.path == "src/c.py"
    assert (low.path, low.line, low.end_line, low.agents) == ("src/a.py", 3, 3, ("codex",))


def test_the_question_carries_the_change_and_the_focus():
    asked = question(Target("base", ref="main"), "+secret_line", "look at the SQL")
    assert "+secret_line" in asked and "look at the SQL" in asked and "'main'" in asked


def test_providers_are_checked_before_anything_starts(tmp_path: Path):
    with pytest.raises(InvalidOptionsError, match="unknown provider"):
        oauthpy.review(["codex", "nobody"], cwd=tmp_path)
    with pytest.raises(InvalidOptionsError, match="named once"):
        oauthpy.review(["codex", "codex"], cwd=tmp_path)
