"""A spent plan, through every agent's real CLI against its fake: `oauthpy.testing.quota_exceeded`
speaks each vendor's own shape (codex's ``usage_limit_reached``, the Messages API's answer to the
fake's login, Gemini's daily ``RESOURCE_EXHAUSTED``, OpenAI's ``insufficient_quota``), and oauthpy
types what each CLI makes of it as `QuotaExceededError`: never retried, the one thing ``fallback=``
moves on from by itself. A plain rate limit stays a plain `RateLimitError`
(tests/contract/test_faults.py)."""

from __future__ import annotations

import time

import pytest

from oauthpy import QuotaExceededError, RateLimitError
from oauthpy.testing import quota_exceeded
from tests.support import Rig

RESETS_IN = 3600


@pytest.mark.warm_agent(lone_runs=True)
@pytest.mark.waits_for_vendor_retries
def test_a_spent_quota_is_quota_exceeded_and_never_retried(rig: Rig):
    rig.fake.script(quota_exceeded(resets_in=RESETS_IN))
    started = time.time()
    with pytest.raises(QuotaExceededError) as caught:
        # asked to retry, oauthpy still does not: no retry within the run's time cures a spent plan
        rig.run(provider_options={"max_retries": 2, "retry_backoff_s": 0.05})
    error = caught.value
    assert isinstance(error, RateLimitError) and not error.transient
    assert error.attempts == 1 and error.retry is None
    # one model request, and those of a CLI that retries by itself (copilot, opencode)
    assert len(rig.model_bodies()) == 1 + rig.own_retries
    if rig.provision.quota_resets_at:
        assert error.resets_at is not None
        # codex exec names the minute of the reset: at most a minute after it
        assert started + RESETS_IN - 1 <= error.resets_at.timestamp() <= time.time() + RESETS_IN + 60
    else:
        assert error.resets_at is None


@pytest.mark.warm_agent(lone_runs=True)
@pytest.mark.waits_for_vendor_retries
def test_a_spent_quota_that_names_no_reset_is_quota_exceeded_where_the_cli_tells(rig: Rig):
    rig.fake.script(quota_exceeded(resets_in=None))
    if rig.provision.quota_needs_reset:
        # its CLI reports any other 429 in the same words: a rate limit is all oauthpy can say
        with pytest.raises(RateLimitError) as caught:
            rig.run()
        assert type(caught.value) is RateLimitError
        return
    with pytest.raises(QuotaExceededError) as caught:
        rig.run()
    assert caught.value.resets_at is None and not caught.value.transient
