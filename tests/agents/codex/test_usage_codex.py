"""`Client.usage()` for codex: the real pinned codex reads the account through its app-server
(``account/read``, ``account/rateLimits/read``) from the fake ChatGPT backend that the fake
Responses API serves, with a fake ChatGPT login in the test's own CODEX_HOME."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError, Client, CommandExecutionError, RateLimitError
from oauthpy._agents.codex.fake_chatgpt import USAGE_LIMIT, UsageWindow, log_in
from oauthpy._agents.codex.testing import codex_config
from oauthpy._agents.codex.usage import CodexUsage, resets_at_from
from oauthpy._errors import NotSupportedError
from oauthpy._usage import AccountUsage
from oauthpy.testing import HttpError
from oauthpy.testing.responses import FAKE_OPENAI_KEY
from tests.support import Rig, assert_no_leftovers, open_rig, real_binary

FIVE_HOURS_RESET = 1_900_000_000
WEEK_RESET = 1_900_500_000


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("codex", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def client_for(rig: Rig, codex_home: Path) -> Client:
    """A client on another CODEX_HOME, with the rig's leak-check marker."""
    user_home = codex_home / "home"
    user_home.mkdir(parents=True, exist_ok=True)
    return Client(
        "codex",
        auth_source="external",
        env={**rig.env, "CODEX_HOME": str(codex_home), "HOME": str(user_home)},
    )


def test_the_scripted_plan_and_windows_come_back_through_client_usage(rig: Rig):
    rig.fake.account(
        "pro",
        [UsageWindow(42, 18_000, FIVE_HOURS_RESET), UsageWindow(7, 604_800, WEEK_RESET)],
        credits={"has_credits": True, "unlimited": False, "balance": "9.99"},
    )
    log_in(rig.env["CODEX_HOME"], rig.fake)
    before = dt.datetime.now(dt.timezone.utc)
    usage = rig.client().usage()
    assert isinstance(usage, AccountUsage)
    assert (usage.provider, usage.plan, usage.source) == ("codex", "pro", "account/rateLimits/read")
    assert [(w.name, w.used_percent, w.window_s, w.limit, w.used) for w in usage.windows] == [
        ("primary", 42.0, 18_000.0, None, None),
        ("secondary", 7.0, 604_800.0, None, None),
    ]
    assert [w.resets_at for w in usage.windows] == [
        dt.datetime.fromtimestamp(FIVE_HOURS_RESET, dt.timezone.utc),
        dt.datetime.fromtimestamp(WEEK_RESET, dt.timezone.utc),
    ]
    assert usage.checked_at is not None and before <= usage.checked_at <= dt.datetime.now(dt.timezone.utc)
    # codex itself asked the fake backend, with the login of the test's CODEX_HOME
    asked = [r for r in rig.fake.requests if r.path == "/api/codex/usage"]
    assert asked and asked[-1].headers.get("chatgpt-account-id") == "acct-oauthpy-fake-0000"


def test_the_backend_names_the_plan_and_a_plan_without_windows_has_none(rig: Rig):
    rig.fake.account("plus")
    log_in(rig.env["CODEX_HOME"], rig.fake)
    rig.fake.account("free")  # the backend now says free; the login's token still says plus
    usage = rig.client().usage()
    assert (usage.plan, usage.windows) == ("free", ())


def test_the_async_twin_reads_the_same_through_the_reader(rig: Rig):
    import asyncio

    from oauthpy._agents.codex.provider import CodexProvider

    rig.fake.account("team", [UsageWindow(100, 18_000, FIVE_HOURS_RESET)])
    log_in(rig.env["CODEX_HOME"], rig.fake)
    usage = asyncio.run(CodexUsage(CodexProvider()).read(dict(rig.env), str(rig.root)))
    assert usage.plan == "team"
    assert [(w.name, w.used_percent) for w in usage.windows] == [("primary", 100.0)]


def test_no_login_is_auth_required_with_the_way_to_log_in(rig: Rig):
    home = rig.root / "no-login"
    home.mkdir()
    (home / "config.toml").write_text("[analytics]\nenabled = false\n\n[features]\nplugins = false\n")
    with pytest.raises(AuthRequiredError) as caught:
        client_for(rig, home).usage()
    assert "not logged in" in str(caught.value)
    assert caught.value.hint and "oauthpy auth login --provider codex" in caught.value.hint


def test_a_login_the_backend_refuses_is_auth_required_and_shows_no_token(rig: Rig):
    rig.fake.account("plus", [UsageWindow(1)], status=401)
    log_in(rig.env["CODEX_HOME"], rig.fake)
    with pytest.raises(AuthRequiredError) as caught:
        rig.client().usage()
    assert "refused" in str(caught.value)
    assert "oauthpy-fake-chatgpt" not in repr(caught.value.__dict__) + str(caught.value)


@pytest.mark.parametrize("status", [401, 500])
def test_a_backend_answer_that_echoes_an_opaque_token_is_not_quoted(rig: Rig, status: int):
    # red team R10: only known credential shapes were masked in the quoted answer body
    echoed = "opaque-9f8e7d6c5b4a39281706"
    rig.fake.account("plus", [UsageWindow(1)], status=status, error_body={"detail": f"proxy saw {echoed}"})
    log_in(rig.env["CODEX_HOME"], rig.fake)
    with pytest.raises((AuthRequiredError, CommandExecutionError)) as caught:
        rig.client().usage()
    assert f"failed: {status} " in str(caught.value)  # the status line stays
    assert echoed not in str(caught.value) + repr(caught.value.__dict__)


def test_an_api_key_login_has_no_usage_limits_to_read(rig: Rig):
    home = rig.root / "api-key"
    home.mkdir()
    (home / "config.toml").write_text(codex_config(rig.fake.url, use_login=True))
    env = {**rig.env, "CODEX_HOME": str(home), "TMPDIR": str(home)}
    subprocess.run(
        [real_binary("codex", env), "login", "--with-api-key"],
        input=FAKE_OPENAI_KEY.encode(),
        env=env,
        capture_output=True,
        timeout=60,
        check=True,
    )
    with pytest.raises(NotSupportedError, match="API key") as caught:
        client_for(rig, home).usage()
    assert FAKE_OPENAI_KEY not in str(caught.value)


def test_a_model_provider_of_ones_own_has_no_usage_limits_to_read(rig: Rig):
    # the rig's codex uses a model provider with its own key, and no login at all
    with pytest.raises(NotSupportedError, match="needs no OpenAI login"):
        rig.client().usage()


# both transports type it as a rate limit that says when it resets (app-server from
# codexErrorInfo ``usageLimitExceeded``, exec from codex's words)
@pytest.mark.parametrize("transport", ["app-server", "exec"])
def test_a_scripted_usage_limit_says_when_it_resets_and_resets_at_from_reads_it(rig: Rig, transport: str):
    rig.fake.account("plus", [UsageWindow(100, 18_000)])
    log_in(rig.env["CODEX_HOME"], rig.fake)
    rig.fake.script(HttpError(429, "The usage limit has been reached", retry_after=150, code=USAGE_LIMIT))
    client = Client("codex", auth_source="external", env=rig.env, transport=transport)
    started = time.time()
    with pytest.raises(RateLimitError) as caught:
        client.run("hi", cwd=rig.work, model=rig.model, timeout=60)
    assert not caught.value.transient  # the plan's limit: no retry helps before it resets
    assert caught.value.resets_at is not None
    assert started + 150 - 1 <= caught.value.resets_at.timestamp() <= time.time() + 150 + 60
    said = str(caught.value)
    assert "usage limit" in said and "try again at" in said
    found = resets_at_from(said)
    assert found is not None
    # codex names the minute of the reset: its end is never before it, at most a minute after
    assert started + 150 - 1 <= found.timestamp() <= time.time() + 150 + 60
