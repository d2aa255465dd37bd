"""Claude's account usage: the real pinned Claude Code (the SDK's bundled CLI) against the fake
Messages API, whose answers carry scripted ``anthropic-ratelimit-unified-*`` headers. The CLI
passes them on as ``rate_limit_event`` records only for a subscription login, so these runs use
a made-up ``CLAUDE_CODE_OAUTH_TOKEN`` (`subscription_env`); oauthpy keeps the last one a run
saw (`remember`, which the runner calls for each event) and `ClaudeUsage` reads it back."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import AccountUsage, AuthRequiredError, Client, RateLimitError, RunResult
from oauthpy._agents.claude.testing import FAKE_CLAUDE_OAUTH_TOKEN, subscription_env
from oauthpy._agents.claude.usage import resets_at_from
from oauthpy._errors import NotSupportedError
from oauthpy._events import EventKind
from oauthpy.testing import HttpError, Reply
from oauthpy.testing.anthropic import LimitWindow
from tests.support import Rig, assert_no_leftovers, open_rig


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("claude", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(round(seconds), dt.timezone.utc)


def read(env: dict[str, str], home: Path) -> AccountUsage:
    return Client("claude", auth_source="external", env=env, oauthpy_home=home).usage()


def run(rig: Rig, env: dict[str, str], home: Path) -> RunResult:
    # the runner keeps what each run's rate-limit events say, under the client's oauthpy home
    client = Client("claude", auth_source="external", env=env, oauthpy_home=home)
    return client.run("hi", cwd=rig.work, model=rig.model, timeout=60)


def test_the_scripted_windows_come_back_from_the_last_run(rig: Rig):
    five, week = time.time() + 3600, time.time() + 3 * 86400
    rig.fake.rate_limits(
        {"five_hour": LimitWindow(0.42, five), "seven_day": LimitWindow(0.07, week)}, claim="five_hour"
    )
    rig.fake.script(Reply(text="hello"))
    env, home = {**rig.env, **subscription_env()}, rig.root / "oauthpy"
    before = dt.datetime.now(dt.timezone.utc)
    result = run(rig, env, home)
    assert [e.text for e in result.events if e.kind is EventKind.OTHER] == ["RateLimitEvent"]
    usage = read(env, home)
    assert (usage.provider, usage.plan, usage.source) == ("claude", None, "stream")
    assert [(w.name, w.used_percent, w.resets_at, w.window_s) for w in usage.windows] == [
        ("five_hour", 42.0, utc(five), 18_000.0),
        ("seven_day", 7.0, utc(week), 604_800.0),
    ]
    assert usage.checked_at is not None and before <= usage.checked_at <= dt.datetime.now(dt.timezone.utc)
    kept = home / "usage" / "claude.json"
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert FAKE_CLAUDE_OAUTH_TOKEN not in kept.read_text()


def test_a_later_run_replaces_what_an_earlier_one_saw(rig: Rig):
    reset = time.time() + 7200
    env, home = {**rig.env, **subscription_env()}, rig.root / "oauthpy"
    rig.fake.rate_limits({"five_hour": LimitWindow(0.1, reset)}).script(Reply(text="one"))
    run(rig, env, home)
    rig.fake.rate_limits(
        {"five_hour": LimitWindow(0.9, reset, status="allowed_warning", surpassed_threshold=0.8)}
    ).script(Reply(text="two"))
    run(rig, env, home)
    assert [(w.name, w.used_percent) for w in read(env, home).windows] == [("five_hour", 90.0)]


def test_before_any_run_a_subscription_has_no_windows_yet(rig: Rig):
    usage = read({**rig.env, **subscription_env()}, rig.root / "oauthpy")
    assert (usage.plan, usage.windows, usage.checked_at, usage.source) == (None, (), None, "stream")


def test_an_api_key_login_gets_no_limits_from_claude_and_is_not_supported(rig: Rig):
    rig.fake.rate_limits({"five_hour": LimitWindow(0.5, time.time() + 3600)}).script(Reply(text="hi"))
    home = rig.root / "oauthpy"
    result = run(rig, rig.env, home)  # the rig's env logs in with an API key
    assert not [e for e in result.events if e.kind is EventKind.OTHER]  # the CLI sent none
    with pytest.raises(NotSupportedError, match="ANTHROPIC_API_KEY"):
        read(rig.env, home)


def test_no_login_is_auth_required_with_the_way_to_log_in(rig: Rig):
    env = {**rig.env, "ANTHROPIC_API_KEY": "", "CLAUDE_CONFIG_DIR": str(rig.root / "never-ran")}
    with pytest.raises(AuthRequiredError) as caught:
        read(env, rig.root / "oauthpy")
    assert caught.value.hint and "claude auth login" in caught.value.hint


def test_a_logged_out_state_the_cli_reports_is_auth_required(rig: Rig):
    # a config the CLI wrote, but no login in it: claude itself answers `loggedIn: false`
    config = rig.root / "logged-out"
    config.mkdir()
    (config / ".claude.json").write_text("{}")
    env = {**rig.env, "ANTHROPIC_API_KEY": "", "CLAUDE_CONFIG_DIR": str(config)}
    with pytest.raises(AuthRequiredError, match="not logged in"):
        read(env, rig.root / "oauthpy")


def test_a_spent_window_fails_the_run_with_when_it_resets(rig: Rig):
    # the CLI leaves out of ``unifiedWindows`` a window whose reset has passed when it reads the
    # headers: 30 s is ahead of the whole run even on a loaded machine
    reset = time.time() + 30
    rig.fake.rate_limits(
        {"five_hour": LimitWindow(1.0, reset, status="rejected"), "seven_day": LimitWindow(0.4, reset + 9)},
        status="rejected",
    )
    rig.fake.script(HttpError(429, "usage limit reached"))
    env, home = {**rig.env, **subscription_env()}, rig.root / "oauthpy"
    client = Client("claude", auth_source="external", env=env, oauthpy_home=home)
    seen = []
    with pytest.raises(RateLimitError) as caught:
        for event in client.stream_sync("hi", cwd=rig.work, model=rig.model, timeout=60):
            seen.append(event)
    assert "5-hour limit" in str(caught.value)
    assert caught.value.resets_at == utc(reset)
    assert resets_at_from(seen) == utc(reset)
    assert [(w.name, w.used_percent) for w in read(env, home).windows] == [
        ("five_hour", 100.0),
        ("seven_day", 40.0),
    ]
