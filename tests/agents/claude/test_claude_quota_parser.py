"""Claude's spent plan typed as `QuotaExceededError` by its parser, on stream-json the bundled CLI
2.1.329 wrote, turned into SDK messages by the SDK's own parser: against `quota_exceeded`
(tests/recordings/claude/quota*.jsonl, ``scripts/record_claude.py quota quota_subscription``)
and the usage probes (tests/recordings/claude-usage/). A 429 without a rejected window stays a
plain `RateLimitError`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from claude_agent_sdk._internal.message_parser import parse_message

from oauthpy import QuotaExceededError, RateLimitError
from oauthpy._agents.claude.parser import ClaudeParser
from tests import paths

pytestmark = pytest.mark.fast


def finish(path: Path) -> Any:
    """What the parser raises at the end of a recorded failed run."""
    parser = ClaudeParser()
    for line in path.read_text().splitlines():
        data = json.loads(line)
        if data.get("type") in ("control_response", "control_request"):
            continue
        message = parse_message(data)
        if message is not None:
            parser.feed(message)
    with pytest.raises(RateLimitError) as caught:
        parser.finish()
    return caught.value


def rejected_reset(path: Path) -> dt.datetime:
    first = next(json.loads(x) for x in path.read_text().splitlines() if '"rate_limit_event"' in x)
    return dt.datetime.fromtimestamp(first["rate_limit_info"]["resetsAt"], dt.timezone.utc)


@pytest.mark.parametrize(
    "path",
    [
        paths.RECORDINGS / "claude" / "quota_subscription.jsonl",
        paths.RECORDINGS / "claude-usage" / "rejected_429.jsonl",
    ],
    ids=["quota_exceeded", "probe"],
)
def test_a_subscription_s_rejected_window_is_a_quota_that_resets_when_the_event_says(path: Path):
    error = finish(path)
    assert type(error) is QuotaExceededError and not error.transient
    assert error.resets_at == rejected_reset(path)
    assert "5-hour limit" in str(error) and error.details["status"] == 429


def test_an_api_key_out_of_credits_is_a_quota_with_no_reset():
    error = finish(paths.RECORDINGS / "claude" / "quota.jsonl")
    assert type(error) is QuotaExceededError and error.resets_at is None
    assert "Credit balance is too low" in str(error)


@pytest.mark.parametrize(
    "path",
    [paths.RECORDINGS / "claude" / "http_429.jsonl", paths.RECORDINGS / "claude-usage" / "api_key_429.jsonl"],
    ids=["plain", "api_key_with_plan_headers"],
)
def test_a_429_without_a_rejected_window_is_a_plain_rate_limit(path: Path):
    error = finish(path)
    assert type(error) is RateLimitError and error.transient and error.resets_at is None
