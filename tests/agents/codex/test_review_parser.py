"""Codex's review answer read without codex: its priorities as severities, its rendering of a
review read back (when no rollout keeps the whole answer), an answer codex could not read, and
the ``review/start`` target of each kind of change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oauthpy._agents.codex.review import as_findings, rendered, reread, severity_of, target_of
from oauthpy._review import Prepared
from oauthpy._review_target import checked_target
from tests.git_repos import git, make_repo

pytestmark = pytest.mark.fast

RENDERED = """Two problems.

Full review comments:

- [P1] Division by zero when count is 0 \u2014 /repo/stats.py:2-3
  `average()` divides by `len(xs)` without checking for an empty list.

  Guard it.

- Median of an even-length list picks the upper middle \u2014 /repo/stats.py:7-7
  For `[1, 2]` this returns 2.
"""


def test_priorities_are_severities_and_a_title_s_tag_stands_in_for_a_missing_one():
    assert [severity_of(p, "t") for p in (0, 1, 2, 3)] == ["critical", "high", "medium", "low"]
    assert severity_of(None, "[P0] Crash") == "critical" and severity_of(None, "Crash") == "medium"
    assert severity_of(7, "[P3] x") == "low" and severity_of(True, "x") == "medium"


def test_the_rendered_review_is_read_back():
    answer = rendered(RENDERED)
    assert answer["overall_explanation"] == "Two problems."
    first, second = as_findings(answer)
    assert first == {
        "severity": "high",
        "path": "/repo/stats.py",
        "line": 2,
        "end_line": 3,
        "title": "Division by zero when count is 0",
        "body": "`average()` divides by `len(xs)` without checking for an empty list.\n\nGuard it.",
    }
    assert (second["severity"], second["line"], second["end_line"]) == ("medium", 7, 7)
    assert second["body"] == "For `[1, 2]` this returns 2."
    one = rendered("Fine.\n\nReview comment:\n\n- [P3] Typo \u2014 /r/a.py:1-1\n  teh")
    assert [(f["severity"], f["title"], f["body"]) for f in as_findings(one)] == [("low", "Typo", "teh")]
    assert rendered("Looks fine to me, no issues.") == {
        "findings": [],
        "overall_explanation": "Looks fine to me, no issues.",
    }


def test_an_answer_codex_kept_as_text_is_read_as_the_model_s_json():
    model = {"findings": [{"title": "x", "code_location": {}}], "overall_explanation": "e"}
    for said in (json.dumps(model), f"```json\n{json.dumps(model)}\n```"):
        kept = {"findings": [], "overall_correctness": "", "overall_explanation": said}
        assert reread(kept) == model
    plain = {"findings": [], "overall_correctness": "", "overall_explanation": "no issues"}
    assert reread(plain) is plain
    read = {"findings": [], "overall_correctness": "patch is correct", "overall_explanation": "{}"}
    assert reread(read) is read


def test_each_change_is_codex_s_own_target_and_focus_or_a_diff_a_custom_one(tmp_path: Path):
    repo = make_repo(tmp_path / "repo")
    git(repo, "branch", "-M", "main")
    git(repo, "checkout", "-qb", "topic")
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "second one")
    sha = git(repo, "rev-parse", "HEAD").strip()

    def target(focus: str | None = None, **kw: object) -> tuple[dict[str, object], str]:
        given = {"uncommitted": True, "base": None, "commit": None, "diff": None, **kw}
        return target_of(Prepared(checked_target(**given), repo, focus))

    assert target()[0] == {"type": "uncommittedChanges"}
    assert target(base="main")[0] == {"type": "baseBranch", "branch": "main"}
    assert target(commit="HEAD")[0] == {"type": "commit", "sha": sha, "title": "second one"}
    diff = "--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-b\n+c\n"
    custom, words = target(diff=diff)
    assert custom == {"type": "custom", "instructions": words} and "+c" in words
    focused, words = target(focus="the SQL", commit="HEAD")
    assert focused["type"] == "custom" and words.startswith(
        f"Review the code changes introduced by commit {sha}"
    )
    assert words.endswith("Focus on: the SQL")
