"""Opt-in retries with the real CLIs: what is retried, what is not, and what the caller sees."""

from __future__ import annotations

from typing import Any

import pytest

from oauthpy import AuthRequiredError, CommandExecutionError
from oauthpy.testing import text
from tests.support import LIVE_TRANSPORTS, Rig, assert_no_leftovers, count_spawns

FAST = {"retry_backoff_s": 0.05, "retry_jitter_s": 0.0}


def _run(rig: Rig, **opts: Any) -> Any:
    return rig.run(provider_options={**FAST, **opts})


def test_a_transient_failure_is_retried_and_the_result_says_so(rig: Rig):
    # an agent that retries by itself gets the failure each time, so that oauthpy sees it
    rig.fake.script(*[rig.api_error(500, "blip")] * (1 + rig.own_retries), text("recovered"))
    spawns = count_spawns(rig)
    result = _run(rig, max_retries=2)
    assert result.text == "recovered"
    # a live agent serves the retry too (no second start); a one-shot CLI is started again
    assert len(spawns.read_text().splitlines()) == (1 if result.transport in LIVE_TRANSPORTS else 2), (
        result.transport
    )
    retry = result.raw["retry"]
    assert (retry["attempts"], retry["retries"]) == (2, 1)
    assert retry["attempt_errors"][0]["attempt"] == 1 and retry["total_backoff_s"] >= 0.05
    assert {e.attempt for e in result.events} == {2}  # only the successful attempt's events
    assert len(rig.model_bodies()) == 2 + rig.own_retries
    assert_no_leftovers(rig.env)


@pytest.mark.warm_agent(lone_runs=True)
def test_exhausted_retries_raise_the_last_error_listing_every_attempt(rig: Rig):
    rig.fake.script(rig.api_error(500, "still down"))
    with pytest.raises(CommandExecutionError) as err:
        _run(rig, max_retries=2)
    message = str(err.value)
    assert "failed 3 attempts" in message
    assert all(f"attempt {n}:" in message for n in (1, 2, 3))
    assert err.value.attempts == 3 and err.value.retry and err.value.retry["attempts"] == 3
    last = err.value.__cause__  # the last attempt's own error, as it was raised
    assert type(last) is type(err.value) and isinstance(last, CommandExecutionError)
    assert last.attempts == 1 and "failed 3 attempts" not in str(last)
    assert len(rig.model_bodies()) == 3 * (1 + rig.own_retries)


@pytest.mark.warm_agent(lone_runs=True)
def test_auth_failures_are_never_retried(rig: Rig):
    rig.fake.script(rig.api_error(401, "bad key"))
    with pytest.raises(AuthRequiredError) as err:
        _run(rig, max_retries=3)
    assert err.value.attempts == 1
    # one attempt (an agent may retry by itself within it: copilot tries a 401 3 times)
    assert len(rig.model_bodies()) <= 1 + rig.own_retries
