"""Claude's spent plan with a subscription login, through the real pinned Claude Code: the fake's
`quota_exceeded` answers a bearer token with a 429 whose ``anthropic-ratelimit-unified-*``
headers reject the five-hour window, the CLI passes them on as a rejected ``rate_limit_event``
(a subscription login only, `subscription_env`), and oauthpy raises `QuotaExceededError` with its
reset. The API-key side (out of credits) is in tests/contract/test_quota.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import Client, QuotaExceededError, RateLimitError
from oauthpy._agents.claude.testing import subscription_env
from oauthpy.testing import HttpError, quota_exceeded
from tests.support import Rig, assert_no_leftovers, open_rig


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("claude", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def run(rig: Rig) -> None:
    env = {**rig.env, **subscription_env()}
    Client("claude", auth_source="external", env=env).run("hi", cwd=rig.work, model=rig.model, timeout=60)


def test_a_spent_five_hour_window_is_a_quota_that_resets_when_the_api_said(rig: Rig):
    rig.fake.script(quota_exceeded(resets_in=600))
    started = time.time()
    with pytest.raises(QuotaExceededError) as caught:
        run(rig)
    reset = caught.value.resets_at
    # the API says the reset in whole seconds (rounded), the moment it answers
    assert reset is not None and started + 599 <= reset.timestamp() <= time.time() + 601
    assert "5-hour limit" in str(caught.value) and not caught.value.transient
    assert len(rig.fake.model_requests()) == 1  # the CLI does not retry it either


def test_a_spent_window_without_a_reset_is_still_a_quota(rig: Rig):
    rig.fake.script(quota_exceeded(resets_in=None))
    with pytest.raises(QuotaExceededError) as caught:
        run(rig)
    assert caught.value.resets_at is None


def test_a_429_that_rejects_no_window_is_a_plain_rate_limit(rig: Rig):
    # the servers limiting everyone, "not your usage limit" in the CLI's words
    rig.fake.script(HttpError(429, "slow down"))
    with pytest.raises(RateLimitError) as caught:
        run(rig)
    assert type(caught.value) is RateLimitError and caught.value.transient
    assert caught.value.resets_at is None
