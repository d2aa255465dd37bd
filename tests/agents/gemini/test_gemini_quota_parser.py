"""Gemini's spent daily quota typed as `QuotaExceededError` on both of its paths, on what gemini
0.61 wrote against `quota_exceeded` (tests/recordings/gemini/quota.jsonl, exit 173, and
gemini-acp/quota.jsonl: ``scripts/record_cli.py gemini|gemini-acp quota``). A per-minute quota,
which gemini retries itself and words as the API does ("You exceeded your current quota"),
stays a plain `RateLimitError` that says how long to wait."""

from __future__ import annotations

import json

import pytest

from oauthpy import QuotaExceededError, RateLimitError
from oauthpy._agents.gemini.acp import classify_rpc_error
from oauthpy._agents.gemini.parser import GeminiParser, classify_failure
from tests import paths

pytestmark = pytest.mark.fast

#: gemini's words when a per-minute quota outlasted its retries (agents-together.md, 3.3)
PER_MINUTE = (
    "[API Error: You exceeded your current quota, please check your plan and billing details.\n"
    "Suggested retry after 2s.]\nPlease wait and try again later. To increase your limits, request a "
    "quota increase through AI Studio, or switch to another /auth method"
)
#: a Google login's daily limit as the Code Assist API words it (gemini-cli issue 2047)
CODE_ASSIST_DAILY = (
    "Quota exceeded for quota metric 'Gemini 2.5 Pro Requests' and limit 'Gemini 2.5 Pro Requests "
    "per day per user per tier' of service 'cloudcode-pa.googleapis.com'"
)


def test_the_headless_run_types_the_recorded_daily_quota():
    parser = GeminiParser("gemini-2.5-flash")
    for line in (paths.RECORDINGS / "gemini" / "quota.jsonl").read_text().splitlines():
        parser.feed(line)
    with pytest.raises(QuotaExceededError) as caught:
        parser.finish(173, "")  # 429 mod 256, as the CLI exited
    assert not caught.value.transient and caught.value.resets_at is None
    assert "exhausted your daily quota" in str(caught.value)


def test_the_acp_answer_types_the_recorded_daily_quota():
    lines = (paths.RECORDINGS / "gemini-acp" / "quota.jsonl").read_text().splitlines()
    error = json.loads(lines[-1])["error"]  # the session/prompt answer
    found = classify_rpc_error(error["code"], error["message"])
    assert type(found) is QuotaExceededError and not found.transient


@pytest.mark.parametrize("name", ["gemini", "gemini-acp"])
def test_a_recorded_plain_429_stays_a_rate_limit(name: str):
    lines = (paths.RECORDINGS / name / "http_429.jsonl").read_text().splitlines()
    if name == "gemini-acp":
        error = json.loads(lines[-1])["error"]
        found = classify_rpc_error(error["code"], error["message"])
    else:
        parser = GeminiParser("gemini-2.5-flash")
        for line in lines:
            parser.feed(line)
        with pytest.raises(RateLimitError) as caught:
            parser.finish(173, "")
        found = caught.value
    assert type(found) is RateLimitError and found.transient


def test_a_per_minute_quota_is_a_rate_limit_with_gemini_s_suggested_wait():
    for found in (classify_failure(PER_MINUTE, 173, ""), classify_rpc_error(429, PER_MINUTE)):
        assert type(found) is RateLimitError and found.transient
    assert classify_failure(PER_MINUTE, 173, "").retry_after == 2  # type: ignore[attr-defined]


def test_a_google_login_s_daily_limit_is_a_quota():
    assert type(classify_failure(CODE_ASSIST_DAILY, 173, "")) is QuotaExceededError
    assert type(classify_rpc_error(429, CODE_ASSIST_DAILY)) is QuotaExceededError
