"""`Comparison.best` and the judge's answer, without agents: the ranking (check, judge, changed
lines, cost; a failed attempt last), what a judge may return, and the bad input `compare`
refuses before anything starts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import oauthpy
from oauthpy import Attempt, CheckResult, Comparison, InvalidOptionsError, OauthPyError, Verdict
from oauthpy._compare_judge import call_function, checked_judge, ordered, question
from oauthpy._comparison import diff_lines

pytestmark = pytest.mark.fast

PASSED = CheckResult(True, 0, "1 passed", 0.1)
FAILED = CheckResult(False, 1, "1 failed", 0.1)


def diff(lines: int) -> str:
    return "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n" + "+line\n" * lines


def attempt(
    index: int,
    *,
    check: CheckResult | None = None,
    lines: int = 1,
    cost: float | None = None,
    error: OauthPyError | None = None,
    provider: str = "codex",
) -> Attempt:
    if error is not None:
        return Attempt(provider, index, None, (), None, None, None, None, 1.0, error)
    return Attempt(provider, index, f"answer {index}", (), diff(lines), check, None, cost, 1.0)


def best(*attempts: Attempt, verdict: Verdict | None = None) -> int:
    return Comparison(attempts, verdict).best().index


def test_a_passed_check_ranks_before_a_failed_one_before_none_whatever_the_lines():
    assert (
        best(attempt(0, lines=1), attempt(1, check=FAILED, lines=1), attempt(2, check=PASSED, lines=50)) == 2
    )
    assert best(attempt(0, lines=1), attempt(1, check=FAILED, lines=50)) == 1


def test_a_failed_attempt_ranks_last_and_none_finished_has_no_best():
    error = OauthPyError("crashed")
    assert best(attempt(0, error=error), attempt(1, check=FAILED, lines=90)) == 1
    assert [a.index for a in Comparison((attempt(0, error=error), attempt(1))).ranked()] == [1, 0]
    with pytest.raises(OauthPyError, match="no attempt finished"):
        Comparison((attempt(0, error=error),)).best()
    with pytest.raises(OauthPyError, match="no attempt finished"):
        Comparison(()).best()


def test_the_judge_decides_between_equal_checks_and_the_ones_it_left_out_rank_after():
    three = (attempt(0, check=PASSED, lines=1), attempt(1, check=PASSED, lines=5), attempt(2, check=PASSED))
    assert best(*three) == 0  # no judge: fewer lines
    verdict = Verdict("judge", (1,), "the second")
    assert [a.index for a in Comparison(three, verdict).ranked()] == [1, 0, 2]
    # a check that passed still beats the judge's first
    assert best(attempt(0, check=FAILED), attempt(1, check=PASSED), verdict=Verdict("j", (0, 1), "")) == 1


def test_then_fewer_changed_lines_then_lower_cost_then_a_known_cost_then_the_order_asked():
    assert best(attempt(0, lines=3), attempt(1, lines=2)) == 1
    assert best(attempt(0, cost=0.2), attempt(1, cost=0.1)) == 1
    assert best(attempt(0), attempt(1, cost=0.5)) == 1  # an unknown cost after a known one
    assert best(attempt(0), attempt(1)) == 0


def test_a_comparison_is_a_sequence_of_its_attempts_in_order():
    comparison = Comparison((attempt(0), attempt(1, provider="gemini")))
    assert len(comparison) == 2 and comparison[1].provider == "gemini"
    assert [a.index for a in comparison] == [0, 1] and list(comparison[:1]) == [comparison[0]]
    assert comparison.verdict is None


def test_lines_count_a_diffs_additions_and_removals_not_its_headers():
    assert diff_lines("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n+more\n") == (2, 1)
    assert diff_lines(None) == (0, 0)


def test_a_failed_attempt_has_nothing_to_apply():
    with pytest.raises(InvalidOptionsError, match="no changes to apply"):
        attempt(0, error=OauthPyError("x")).apply()


def test_an_attempts_repr_shows_no_answer_text():
    shown = repr(Attempt("codex", 0, "key sk-proj-" + "a1B2c3D4" * 5, (), None, PASSED, None, None, 2.0))
    assert "sk-proj" not in shown and "check=passed" in shown


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("best is 0", "must return \\(order, reason\\)"),
        (([0],), "must return \\(order, reason\\)"),
        (([0], 3), "reason must be a string"),
        (("01", "r"), "order must be a list of positions"),
        (([True], "r"), "must hold positions"),
        (([0.0], "r"), "must hold positions"),
        (([2], "r"), "names position 2; the 2 attempts it got are 0 to 1"),
        (([-1], "r"), "names position -1"),
        (([1, 1], "r"), "names position 1 twice"),
        ({"order": [0, 5], "reason": "r"}, "names position 5"),
    ],
)
def test_a_judges_answer_that_is_no_ranking_is_refused(value: Any, error: str):
    with pytest.raises(InvalidOptionsError, match=error):
        ordered(value, 2, "the judge")


def test_a_judges_answer_may_rank_some_of_them_and_may_come_as_json():
    assert ordered(([1], "only one"), 3, "j") == ((1,), "only one")
    assert ordered({"order": [2, 0, 1], "reason": "r"}, 3, "j") == ((2, 0, 1), "r")
    assert ordered(((), "none is good"), 3, "j") == ((), "none is good")


def test_a_judge_function_gets_the_finished_attempts_and_its_positions_become_their_indexes():
    finished = [attempt(1), attempt(3)]
    seen: list[Any] = []

    def judge(attempts: Any) -> tuple[list[int], str]:
        seen.append(attempts)
        return [1, 0], "the later one"

    async def async_judge(attempts: Any) -> tuple[list[int], str]:
        return [1], "async too"

    verdict = asyncio.run(call_function(judge, finished))
    assert seen == [tuple(finished)]
    assert verdict.order == (3, 1) and verdict.reason == "the later one" and verdict.judge.endswith("judge")
    assert asyncio.run(call_function(async_judge, finished)).order == (3,)
    with pytest.raises(InvalidOptionsError, match="names position 2"):
        asyncio.run(call_function(lambda attempts: ([2], "r"), finished))


@pytest.mark.parametrize("judge", ["nobody", "", 5, ["codex"]])
def test_a_judge_that_is_neither_an_agent_nor_a_function_is_refused(judge: Any):
    with pytest.raises(InvalidOptionsError, match="judge must be an agent's name or a function"):
        checked_judge(judge)


def test_the_agent_judge_is_asked_about_each_answer_check_and_diff_redacted():
    key = "sk-proj-" + "a1B2c3D4" * 5
    finished = [
        Attempt("codex", 0, f"done, {key}", (), diff(1), FAILED, None, None, 1.0),
        Attempt("gemini", 2, "done too", (), diff(2), None, None, None, 1.0),
    ]
    asked = question("Fix the test", finished)
    assert key not in asked and "<task>\nFix the test\n</task>" in asked
    assert '<attempt position="0" agent="codex">\ncheck: failed (exit 1)' in asked
    assert '<attempt position="1" agent="gemini">\ncheck: none' in asked
    assert asked.count("+line") == 3 and "1 failed" in asked


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"n": 0}, "n must be a whole number"),
        ({"n": True}, "n must be a whole number"),
        ({"n": 1.5}, "n must be a whole number"),
        ({"check": ""}, "check must be a shell command"),
        ({"check": 3}, "check must be a shell command"),
        ({"check": "pytest\0"}, "check contains a NUL"),
        ({"check": "pytest", "check_timeout": -1}, "check_timeout must be a positive number"),
        ({"judge": "nobody"}, "judge must be an agent's name"),
        ({"providers": ["codex", "codex"]}, "each provider may be named once"),
        ({"providers": "codex"}, "providers must be a non-empty list"),
    ],
)
def test_compare_refuses_bad_input_before_any_agent_starts(
    kw: dict[str, Any], error: str, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    env, fired = tripwire
    providers = kw.pop("providers", ["codex", "gemini"])
    with pytest.raises(InvalidOptionsError, match=error):
        oauthpy.compare("task", providers, cwd=tmp_path, env=env, auth_source="external", **kw)
    assert not fired.exists()
