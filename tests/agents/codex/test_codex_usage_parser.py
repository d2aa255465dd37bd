"""The codex usage reader's pure parts on answers recorded from the real codex 0.163 against the
fakes (tests/recordings/codex-usage, its README says what each is: account/read,
account/rateLimits/read, and the failed turns of a usage limit / 429), and its requests checked
against the JSON schema the pinned binary prints."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from oauthpy import AuthRequiredError, CommandExecutionError
from oauthpy._agents.codex.provider import find_binary
from oauthpy._agents.codex.usage import (
    ACCOUNT_PARAMS,
    LIMITS_PARAMS,
    bucket_windows,
    refusal,
    resets_at_from,
    usage_of,
)
from oauthpy._errors import NotSupportedError
from oauthpy._options import merged_env
from tests.paths import RECORDINGS

pytestmark = pytest.mark.fast

RECORDED = RECORDINGS / "codex-usage"
UTC = dt.timezone.utc
CHECKED = dt.datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def exchanges(name: str) -> dict[str, dict[str, Any]]:
    """The recording's answers (``result`` or ``error``) by method."""
    data = json.loads((RECORDED / name).read_text())
    return {e["method"]: e for e in data["exchanges"]}


def at(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)


def test_a_chatgpt_pro_account_gives_its_plan_and_both_windows():
    got = exchanges("chatgpt-pro.json")
    usage = usage_of(got["account/read"]["result"], got["account/rateLimits/read"]["result"], CHECKED)
    assert (usage.provider, usage.plan, usage.checked_at, usage.source) == (
        "codex",
        "pro",
        CHECKED,
        "account/rateLimits/read",
    )
    assert [(w.name, w.used_percent, w.resets_at, w.window_s) for w in usage.windows] == [
        ("primary", 42.0, at(1_900_000_000), 18_000.0),
        ("secondary", 7.0, at(1_900_500_000), 604_800.0),
    ]
    assert all(w.limit is None and w.used is None for w in usage.windows)


def test_a_plan_without_windows_has_none_and_the_backend_plan_wins_over_the_login():
    got = exchanges("chatgpt-no-windows.json")
    login = {"account": {"type": "chatgpt", "email": "x@oauthpy.invalid", "planType": "pro"}}
    usage = usage_of(login, got["account/rateLimits/read"]["result"], CHECKED)
    assert (usage.plan, usage.windows) == ("free", ())


def test_the_login_names_the_plan_when_the_backend_does_not_and_unknown_is_none():
    login = {"account": {"type": "chatgpt", "email": None, "planType": "plus"}}
    assert usage_of(login, {"rateLimits": {"planType": None}}, CHECKED).plan == "plus"
    unknown = {"account": {"type": "chatgpt", "email": None, "planType": "unknown"}}
    assert usage_of(unknown, {"rateLimits": {"planType": "unknown"}}, CHECKED).plan is None
    assert usage_of(None, {}, CHECKED) == usage_of(None, None, CHECKED)


def test_other_limits_and_a_spend_control_limit_are_windows_of_their_own():
    # shapes from the pinned schema (RateLimitSnapshot, SpendControlLimitSnapshot)
    limits = {
        "rateLimits": {"limitId": "codex", "primary": {"usedPercent": 10, "windowDurationMins": 300}},
        "rateLimitsByLimitId": {
            "codex_other": {
                "limitId": "codex_other",
                "primary": {"usedPercent": 88, "resetsAt": 1_735_693_200},
            },
            "codex": {
                "limitId": "codex",
                "primary": {"usedPercent": 10, "windowDurationMins": 300, "resetsAt": None},
                "individualLimit": {
                    "limit": "50",
                    "used": "12.5",
                    "remainingPercent": 75,
                    "resetsAt": 1_900_000_000,
                },
            },
        },
    }
    usage = usage_of(None, limits, CHECKED)
    assert [(w.name, w.used_percent, w.resets_at, w.limit, w.used, w.window_s) for w in usage.windows] == [
        ("primary", 10.0, None, None, None, 18_000.0),
        ("individual_limit", 25.0, at(1_900_000_000), 50.0, 12.5, None),
        ("codex_other.primary", 88.0, at(1_735_693_200), None, None, None),
    ]
    assert bucket_windows("codex", {"primary": None, "secondary": {}}) == []


@pytest.mark.parametrize(
    ("recording", "error", "words"),
    [
        ("no-login.json", AuthRequiredError, "not logged in"),
        ("api-key-login.json", NotSupportedError, "API key"),
        ("env-key-provider.json", NotSupportedError, "needs no OpenAI login"),
        ("chatgpt-refused-401.json", AuthRequiredError, "refused"),
    ],
)
def test_codex_refusals_become_typed_errors(recording: str, error: type, words: str):
    got = exchanges(recording)
    account = got.get("account/read", {}).get("result")
    found = refusal(got["account/rateLimits/read"]["error"]["message"], account)
    assert type(found) is error and words in str(found)


def test_a_backend_failure_is_a_plain_execution_error():
    found = refusal("failed to fetch codex rate limits: GET http://x/api/codex/usage failed: 500", None)
    assert type(found) is CommandExecutionError and "500" in str(found)


# -- resets of failed turns ----------------------------------------------------------------------


def failed_turns() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = json.loads((RECORDED / "failed-turns.json").read_text())["cases"]
    return cases


def turn_error(case: dict[str, Any]) -> tuple[str, Any, str]:
    """The app-server error message, the last rateLimits update, and the exec error message."""
    sent = {m["method"]: m["params"] for m in case["app_server"]}
    exec_failed = next(e for e in case["exec_events"] if e["type"] == "turn.failed")
    updated = sent.get("account/rateLimits/updated", {}).get("rateLimits")
    return sent["error"]["error"]["message"], updated, exec_failed["error"]["message"]


@pytest.mark.parametrize("login", ["env_key", "chatgpt"])
def test_a_usage_limit_with_resets_at_gives_the_end_of_the_minute_codex_names(login: str):
    case = failed_turns()[f"{login}/usage_limit_resets_at"]
    reset = case["reset"]
    message, updated, exec_message = turn_error(case)
    assert "try again at" in message and message == exec_message
    recorded_at = at(reset - 3617)  # the probe scripted the reset 3617 s ahead
    expected = at(reset - reset % 60 + 60)
    for said in (message, exec_message):
        assert resets_at_from(said, rate_limits=updated, now=recorded_at, tz=UTC) == expected
    assert expected >= at(reset)


@pytest.mark.parametrize("login", ["env_key", "chatgpt"])
def test_the_exhausted_window_of_the_rate_limit_update_gives_the_exact_reset(login: str):
    case = failed_turns()[f"{login}/usage_limit_headers"]
    message, updated, _ = turn_error(case)
    assert updated["primary"]["usedPercent"] == 100
    assert resets_at_from(message, rate_limits=updated, tz=UTC) == at(case["reset"])


@pytest.mark.parametrize(
    "case",
    [
        "env_key/usage_limit_resets_in",
        "chatgpt/rate_limit_429_retry_after",
        "env_key/rate_limit_429_retry_after",
    ],
)
def test_codex_saying_later_or_giving_up_on_a_429_gives_no_reset(case: str):
    message, updated, exec_message = turn_error(failed_turns()[case])
    assert resets_at_from(message, rate_limits=updated, tz=UTC) is None
    assert resets_at_from(exec_message, tz=UTC) is None


def test_a_reset_on_another_day_and_in_another_zone():
    # codex's other format (core/src/error.rs format_retry_timestamp): "%b %-d{suffix}, %Y %-I:%M %p"
    zone = dt.timezone(dt.timedelta(hours=-5))
    said = "You've hit your usage limit. Try again at Nov 25th, 2026 2:05 PM."
    assert resets_at_from(said, now=CHECKED, tz=zone) == dt.datetime(2026, 11, 25, 19, 6, tzinfo=UTC)
    assert resets_at_from("try again at 12:30 AM.", now=CHECKED, tz=UTC) == dt.datetime(
        2026, 11, 24, 0, 31, tzinfo=UTC
    )
    assert resets_at_from("try again at Feb 30th, 2026 1:00 AM.", tz=UTC) is None
    assert resets_at_from("", tz=UTC) is None


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("codex-usage-schema")
    binary = find_binary(merged_env({}))
    subprocess.run(
        [binary, "app-server", "generate-json-schema", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
        env={**merged_env({}), "CODEX_HOME": str(out), "TMPDIR": str(out)},
    )
    return out / "v2"


def test_the_requests_and_the_recorded_answers_fit_the_pinned_schema(schemas: Path):
    def valid(name: str, value: Any) -> None:
        jsonschema.validate(value, json.loads((schemas / name).read_text()))

    valid("GetAccountParams.json", ACCOUNT_PARAMS)
    valid("NullableGetAccountRateLimitsParams.json", LIMITS_PARAMS)
    got = exchanges("chatgpt-pro.json")
    valid("GetAccountResponse.json", got["account/read"]["result"])
    valid("GetAccountRateLimitsResponse.json", got["account/rateLimits/read"]["result"])
