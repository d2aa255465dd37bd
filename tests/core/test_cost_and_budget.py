"""Cost estimates, budgets and rate-limit resets: the parts that need no vendor."""

from __future__ import annotations

import asyncio
import datetime as dt
import pickle
import time
from collections.abc import AsyncGenerator

import pytest

from oauthpy import BudgetExceededError, Event, EventKind, InvalidOptionsError, RateLimitError, Usage
from oauthpy._batch import MAX_PAUSE_S, Finished, Throttle, _one
from oauthpy._budget import Budget, check_budget
from oauthpy._prices import PRICES_DATE, cost_of, price_of, prices
from oauthpy._retry import RetryLog, RetryPolicy, retrying, vendor_wait
from oauthpy.cli.batch_files import result_line
from oauthpy.cli.batch_progress import Tally
from tests.paths import REPO

pytestmark = pytest.mark.fast


def test_prices_are_found_by_id_and_by_a_dated_or_routed_name():
    assert price_of("gpt-5") == prices()["gpt-5"]
    assert price_of("claude-sonnet-4-5-20250929") == prices()["claude-sonnet-4-5"]
    assert price_of("openai/GPT-5-mini") == prices()["gpt-5-mini"]  # the longest entry it extends
    assert price_of("gpt-5.1-codex-mini-2025") == prices()["gpt-5.1-codex-mini"]
    for unknown in (None, "", "gpt-6-astra", "fake-model", "gpt-50"):
        assert price_of(unknown) is None
    assert dt.date.fromisoformat(PRICES_DATE)  # docs/account.md shows it


def test_a_cost_is_the_vendors_when_it_gave_one_else_the_tables_else_none():
    assert cost_of("gpt-5", Usage(input_tokens=10, cost_usd=0.5)) == (0.5, False)
    cost, estimated = cost_of(
        "gpt-5", Usage(input_tokens=1_000_000, cached_input_tokens=400_000, output_tokens=1000)
    )
    assert estimated and cost == pytest.approx(600_000 * 1.25e-6 + 400_000 * 0.125e-6 + 1000 * 10e-6)
    assert cost_of("gpt-6-astra", Usage(input_tokens=10)) == (None, False)
    assert cost_of("gpt-5", Usage()) == (None, False)  # no tokens: nothing to estimate


def test_usage_adds_up_and_keeps_an_unknown_cost_unknown():
    total = Usage(1, 2, 3, 4, 5, 0.25) + Usage(10, 20, 30, 40, 50, 0.5)
    assert total == Usage(11, 22, 33, 44, 55, 0.75)
    assert (Usage(cost_usd=1.0) + Usage()).cost_usd is None


def test_a_budget_refuses_only_once_it_is_spent():
    budget = Budget(1.0, "the batch's")
    budget.check()
    budget.charge("gpt-5", Usage(input_tokens=10, cost_usd=0.6))
    budget.charge("gpt-5", Usage())  # no model call: nothing to count
    budget.check()
    budget.charge(None, Usage(input_tokens=10, cost_usd=0.6))  # the run that crosses it finished
    with pytest.raises(
        BudgetExceededError, match=r"the batch's budget of \$1.0000 is spent \(\$1.2000\)"
    ) as err:
        budget.check()
    assert (err.value.budget_usd, err.value.spent_usd) == (1.0, pytest.approx(1.2))
    assert not err.value.transient and not RetryPolicy(max_retries=5).retryable(err.value)
    again = pickle.loads(pickle.dumps(err.value))  # it crosses process boundaries (a pool)
    assert (again.message, again.budget_usd, again.spent_usd) == (err.value.message, 1.0, pytest.approx(1.2))


def test_a_budget_fails_closed_after_a_run_whose_cost_is_unknown():
    budget = Budget(100.0, "the client's")
    budget.charge("gpt-6-astra", Usage(input_tokens=100, output_tokens=20))  # no price, none reported
    assert budget.spent_usd == 0
    with pytest.raises(
        BudgetExceededError, match="cannot be kept: a run on gpt-6-astra has no known cost"
    ) as err:
        budget.check()
    assert err.value.unpriced == "gpt-6-astra" and "price table" in (err.value.hint or "")


def test_a_run_does_not_wait_hours_for_a_limit_to_reset():
    far = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)

    async def attempt(left: float | None) -> AsyncGenerator[Event, None]:
        raise RateLimitError("codex was rate limited: weekly limit", resets_at=far)
        yield Event(EventKind.DONE)  # pragma: no cover - makes it a generator

    async def run() -> None:
        async for _ in retrying(attempt, RetryPolicy(max_retries=3), RetryLog(), live=False, timeout=None):
            pass

    started = time.monotonic()
    with pytest.raises(RateLimitError, match=r"resets in 2\.0 h: not waited for"):
        asyncio.run(run())
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), True, "5"])
def test_a_budget_must_be_a_positive_number_of_dollars(bad: object):
    with pytest.raises(InvalidOptionsError, match="budget_usd must be"):
        check_budget(bad)
    assert check_budget(None) is None and check_budget(2) == 2.0


def test_a_rate_limit_waits_until_its_reset_or_its_retry_after_whichever_is_later():
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    assert vendor_wait(RateLimitError("x", resets_at=soon)) == pytest.approx(30, abs=1)
    assert vendor_wait(RateLimitError("x", retry_after=90, resets_at=soon)) == 90
    assert vendor_wait(RateLimitError("x")) is None
    policy = RetryPolicy(backoff_s=1, jitter_s=0)
    assert policy.delay(1, RateLimitError("x", resets_at=soon), rand=lambda: 0) == pytest.approx(30, abs=1)


def test_a_paused_batch_says_when_it_resumes():
    now = [100.0]
    throttle = Throttle(4, clock=lambda: now[0])
    assert throttle.paused_until() is None
    before = time.time()
    throttle.rate_limited(60)
    resumes = throttle.paused_until()
    assert resumes is not None and before + 59 <= resumes <= time.time() + 61
    tally = Tally(10, clock=lambda: now[0], paused_until=throttle.paused_until)
    shown = time.strftime("%H:%M:%S", time.localtime(resumes))
    assert f"rate limited, resumes {shown}" in tally.status()
    now[0] += 61
    assert throttle.paused_until() is None and "resumes" not in tally.status()


def test_a_limit_that_resets_too_late_fails_the_item_instead_of_holding_the_batch():
    late = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=MAX_PAUSE_S + 60)
    error = RateLimitError("weekly limit", resets_at=late)

    async def always_limited(request: object) -> object:
        raise error

    throttle = Throttle(2)
    done: Finished = asyncio.run(_one(0, object(), always_limited, throttle, RetryPolicy(), 0))  # type: ignore[arg-type]
    assert done.result is error and done.attempts == 1 and throttle.pauses == 0


def test_an_item_the_budget_kept_from_starting_is_marked_not_run():
    error = BudgetExceededError("the batch's", 1.0, 1.5)
    line = result_line("a1", Finished(3, error, 1, 0.0))
    assert line["ok"] is False and line["not_run"] is True and line["error"]["type"] == "BudgetExceededError"
    tally = Tally(3, clock=lambda: 0.0)
    tally.add(True, 10, 0.5, item="a0")
    tally.add(False, 0, None, item="a1", error="BudgetExceededError", not_run=True)
    assert (tally.ok, tally.failed, tally.not_run, tally.done) == (1, 0, 1, 2)
    assert "1 not run: the budget is spent" in tally.summary()


def test_the_docs_say_how_old_the_price_table_is():

    page = REPO / "docs" / "account.md"
    assert f"prices of {PRICES_DATE}" in page.read_text()
