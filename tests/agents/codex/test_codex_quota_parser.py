"""codex's spent plan typed as `QuotaExceededError` by both of its parsers, on what codex 0.163
wrote: against `quota_exceeded` (tests/recordings/codex/quota.jsonl, codex-app/quota.jsonl, made
by ``scripts/record_cli.py codex|codex-app quota``) and the failed turns of
tests/recordings/codex-usage/failed-turns.json. A 429 codex gave up retrying stays a plain
`RateLimitError`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from oauthpy import QuotaExceededError, RateLimitError
from oauthpy._agents.codex.app_parser import AppTurn, classify_turn_error, thread_of
from oauthpy._agents.codex.exec_parser import CodexParser, classify_failure
from tests import paths

pytestmark = pytest.mark.fast

UTC = dt.timezone.utc
#: what codex 0.163 says of an API key's ``insufficient_quota`` (exec and app-server alike; the
#: app-server's ``codexErrorInfo`` is ``usageLimitExceeded`` too), as seen against the fake
QUOTA_WORDS = "Quota exceeded. Check your plan and billing details."


def test_exec_types_the_recorded_usage_limit_with_the_minute_codex_names():
    parser = CodexParser()
    for line in (paths.RECORDINGS / "codex" / "quota.jsonl").read_text().splitlines():
        parser.feed(line)
    with pytest.raises(QuotaExceededError) as caught:
        parser.finish(1, "")
    assert not caught.value.transient and caught.value.resets_at is not None
    assert "hit your usage limit" in str(caught.value) and "try again at" in str(caught.value)


def test_the_app_server_types_the_recorded_usage_limit_with_the_reset_of_its_headers():
    lines = [json.loads(x) for x in (paths.RECORDINGS / "codex-app" / "quota.jsonl").read_text().splitlines()]
    thread = next(m["result"] for m in lines if m.get("id") == 2)
    turn = AppTurn(thread["thread"]["id"], thread["model"])
    for m in lines:
        if m.get("method") == "account/rateLimits/updated":  # the agent's, as app.py keeps it
            turn.rate_limits = m["params"]["rateLimits"]
        elif "method" in m and "id" not in m and thread_of(m["method"], m.get("params")) == turn.session_id:
            turn.feed(m["method"], m.get("params"))
    reset = turn.rate_limits["primary"]["resetsAt"]
    with pytest.raises(QuotaExceededError) as caught:
        turn.finish()
    assert caught.value.resets_at == dt.datetime.fromtimestamp(reset, UTC)
    assert caught.value.details["codex_error"] == "usageLimitExceeded"


def failed_turns() -> dict[str, Any]:
    found: dict[str, Any] = json.loads((paths.RECORDINGS / "codex-usage" / "failed-turns.json").read_text())[
        "cases"
    ]
    return found


@pytest.mark.parametrize("name", sorted(failed_turns()))
def test_each_recorded_failed_turn_is_a_quota_only_when_the_plan_is_spent(name: str):
    case = failed_turns()[name]
    sent = {m["method"]: m["params"] for m in case["app_server"]}
    updated = sent.get("account/rateLimits/updated", {}).get("rateLimits")
    exec_failed = next(e for e in case["exec_events"] if e["type"] == "turn.failed")
    found = [
        classify_turn_error(sent["error"]["error"], updated),
        classify_failure(exec_failed["error"]["message"], 1, ""),
    ]
    want = QuotaExceededError if "usage_limit" in name else RateLimitError
    assert [type(f) for f in found] == [want, want]
    assert all(f.transient is (want is RateLimitError) for f in found)


def test_an_api_key_s_spent_quota_is_a_quota_on_both_paths():
    for found in (
        classify_failure(QUOTA_WORDS, 1, ""),
        classify_turn_error({"message": QUOTA_WORDS, "codexErrorInfo": "usageLimitExceeded"}),
    ):
        assert type(found) is QuotaExceededError and found.resets_at is None


def test_a_disk_quota_is_no_plan_quota():
    # the words of the OS (EDQUOT), not codex's for a spent plan
    found = classify_failure("failed to write rollout: Disk quota exceeded (os error 122)", 1, "")
    assert not isinstance(found, RateLimitError)
