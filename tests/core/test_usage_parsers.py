"""The usage readers' pure parsers, over output recorded from the real pinned CLIs
(tests/recordings/claude-usage/, tests/recordings/copilot-usage/)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from oauthpy import AuthRequiredError
from oauthpy._agents.claude import usage as cu
from oauthpy._errors import NotSupportedError
from oauthpy._events import Event, EventKind
from tests.paths import RECORDINGS

pytestmark = pytest.mark.fast


def utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)


def claude_stream(name: str) -> list[Any]:
    """A recorded ``claude -p --output-format stream-json`` run, as the SDK parses it."""
    from claude_agent_sdk._internal.message_parser import parse_message

    lines = (RECORDINGS / "claude-usage" / f"{name}.jsonl").read_text().splitlines()
    return [parse_message(json.loads(line)) for line in lines if line]


def as_events(messages: list[Any]) -> list[Event]:
    from oauthpy._agents.claude.parser import ClaudeParser

    parser = ClaudeParser()
    return [e for m in messages for e in parser.feed(m)]


def test_the_windows_of_a_recorded_event_in_the_order_of_their_length(tmp_path: Path):
    events = as_events(claude_stream("allowed"))
    assert [e.text for e in events if e.kind is EventKind.OTHER] == ["RateLimitEvent"]
    cu.remember_all(tmp_path, "claude", events)
    usage = cu.usage_of(cu.load(tmp_path), "max")
    assert (usage.provider, usage.plan, usage.source) == ("claude", "max", "stream")
    assert [(w.name, w.used_percent, w.resets_at, w.window_s) for w in usage.windows] == [
        ("five_hour", 42.0, utc(1795600000), 18_000.0),
        ("seven_day", 7.0, utc(1796000000), 604_800.0),
    ]
    assert usage.checked_at is not None
    assert stat.S_IMODE(os.stat(tmp_path / "usage" / "claude.json").st_mode) == 0o600


def test_a_warning_keeps_only_rate_limit_fields():
    (event,) = [m for m in claude_stream("warning") if type(m).__name__ == "RateLimitEvent"]
    info = cu.info_of(event)
    assert info is not None and info["status"] == "allowed_warning"
    windows = cu.windows_of(cu._kept(info))
    assert [(w.name, w.used_percent) for w in windows] == [("five_hour", 82.0), ("seven_day", 30.0)]
    assert set(cu._kept({**info, "upgradePaths": ["x"], "orgId": "o"})) <= set(cu._KEPT) | {"unifiedWindows"}


def test_the_event_s_own_window_stands_in_when_unified_windows_lack_it():
    info = {"status": "rejected", "resetsAt": 1795600000, "rateLimitType": "seven_day_opus"}
    assert cu.windows_of(info) == [
        cu.QuotaWindow("seven_day_opus", None, utc(1795600000), window_s=604_800.0)
    ]


def test_nothing_seen_is_no_windows_and_no_time():
    assert cu.usage_of(None, None) == cu.AccountUsage("claude", None, (), None, "stream")


def test_an_unreadable_record_counts_as_nothing_seen(tmp_path: Path):
    (tmp_path / "usage").mkdir()
    (tmp_path / "usage" / "claude.json").write_text("{not json")
    assert cu.load(tmp_path) is None


def test_events_without_rate_limits_write_nothing(tmp_path: Path):
    assert not cu.remember(tmp_path, "claude", Event(EventKind.MESSAGE, text="hi"))
    assert not cu.remember(tmp_path, "claude", Event(EventKind.OTHER, text="x", raw={"status": 1}))
    assert not (tmp_path / "usage").exists()


def test_resets_at_from_a_recorded_usage_limit():
    messages = claude_stream("rejected_429")
    assert cu.resets_at_from(messages) == utc(1795600000)
    assert cu.resets_at_from(as_events(messages)) == utc(1795600000)
    raw = json.loads((RECORDINGS / "claude-usage" / "rejected_429.jsonl").read_text().splitlines()[0])
    assert cu.resets_at_from(raw) == utc(1795600000)  # the stream record itself
    # the failed turn's words say the same minute, for people
    assert "hit your 5-hour limit" in getattr(messages[-1], "result", "")


def test_resets_at_from_is_none_without_a_rejected_event():
    assert cu.resets_at_from(claude_stream("api_key_429")) is None  # an API key: none sent
    assert cu.resets_at_from(claude_stream("allowed")) is None  # allowed: nothing to wait for
    assert cu.resets_at_from(None) is None


def test_the_parser_gives_the_rate_limit_error_its_reset():
    from oauthpy import RateLimitError
    from oauthpy._agents.claude.parser import ClaudeParser

    parser = ClaudeParser()
    for message in claude_stream("rejected_429"):
        parser.feed(message)
    with pytest.raises(RateLimitError) as caught:
        parser.finish()
    assert caught.value.resets_at == utc(1795600000)


def status(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((RECORDINGS / "claude-usage" / f"auth_status_{name}.json").read_text())
    return found


def test_plan_from_recorded_auth_status_answers():
    assert cu.plan_from_status(status("oauth_token")) is None
    with pytest.raises(NotSupportedError, match="api_key"):
        cu.plan_from_status(status("api_key"))
    with pytest.raises(AuthRequiredError):
        cu.plan_from_status(status("none"))
    # a claude.ai login adds email, org and ``subscriptionType`` (CLI 2.1.329's `auth status`)
    claude_ai = {**status("oauth_token"), "authMethod": "claude.ai", "subscriptionType": "max"}
    assert cu.plan_from_status(claude_ai) == "max"


# -- copilot ----------------------------------------------------------------------------------


def copilot_answer(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((RECORDINGS / "copilot-usage" / f"{name}.json").read_text())
    return found


def test_copilot_quotas_and_plan_from_recorded_answers():
    from oauthpy._agents.copilot import usage as co

    result = co.checked(copilot_answer("get_quota"), {})
    user = co.copilot_user(copilot_answer("get_current_auth"))
    assert set(user) == {"copilot_plan", "quota_reset_date_utc", "resets"}  # no login, no token
    checked_at = dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)
    usage = co.usage_of(result, user, checked_at)
    reset = utc(1798761600)
    assert usage == co.AccountUsage(
        "copilot",
        "business",
        (
            co.QuotaWindow("premium_interactions", 15.0, reset, 300.0, 45.0),
            co.QuotaWindow("completions", 75.0, reset, 2000.0, 1500.0),
        ),
        checked_at,
        "account.getQuota",
    )


def test_copilot_reset_date_is_not_taken_for_the_reset():
    from oauthpy._agents.copilot import usage as co

    # getQuota's resetDate is GitHub's snapshot time: without getCurrentAuth, no reset is known
    usage = co.usage_of(co.checked(copilot_answer("get_quota"), {}), {}, utc(0))
    assert [w.resets_at for w in usage.windows] == [None, None]
    assert usage.plan is None
    # the account-wide reset stands in for a snapshot without its own
    user = {"quota_reset_date_utc": "2027-01-01T00:00:00.000Z", "resets": {}}
    usage = co.usage_of(co.checked(copilot_answer("get_quota"), {}), user, utc(0))
    assert {w.resets_at for w in usage.windows} == {utc(1798761600)}


def test_copilot_errors_are_typed():
    from oauthpy import CommandExecutionError
    from oauthpy._agents.copilot import usage as co

    with pytest.raises(AuthRequiredError, match="not logged in"):
        co.checked(copilot_answer("get_quota_logged_out"), {})
    with pytest.raises(NotSupportedError, match="COPILOT_PROVIDER_BASE_URL"):
        co.checked(copilot_answer("get_quota_byok_offline"), {"COPILOT_PROVIDER_BASE_URL": "http://x"})
    with pytest.raises(NotSupportedError, match="offline"):
        co.checked(None, {"COPILOT_OFFLINE": "true"})
    with pytest.raises(CommandExecutionError, match="in time"):
        co.checked(None, {})
    assert co.copilot_user(None) == {} and co.copilot_user({"error": {}}) == {}


def test_a_home_that_cannot_keep_the_record_does_not_fail_the_run(tmp_path: Path):
    (event,) = [e for e in as_events(claude_stream("allowed")) if e.kind is EventKind.OTHER]
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the home should be: nothing can be made under it
    assert not cu.remember(blocked, "claude", event)
    assert cu.remember(tmp_path, "claude", event)


@pytest.mark.parametrize("provider", ["gemini", "opencode"])
def test_an_agent_that_tells_no_quota_says_so_before_anything_starts(provider: str, monkeypatch) -> None:
    from oauthpy import Client
    from oauthpy._process import Process

    def no_start(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process was started")

    monkeypatch.setattr(Process, "start", no_start)
    with pytest.raises(NotSupportedError, match=f"{provider} tells no quota or usage left") as caught:
        Client(provider, auth_source="external", env={"PATH": ""}).usage()
    assert "docs/account.md" in (caught.value.hint or "")
