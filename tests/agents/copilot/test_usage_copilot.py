"""Copilot's account usage: the real pinned copilot's SDK server (``--headless --stdio``)
answers ``account.getQuota`` and ``account.getCurrentAuth`` from the fake GitHub API
(`oauthpy._agents.copilot.fake_github`: an HTTPS proxy on loopback that plays ``api.github.com`` with a
CA of its own), logged in with a made-up token in ``COPILOT_GITHUB_TOKEN``."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError
from oauthpy._agents.copilot.fake_github import FakeGitHubApi, Quota
from oauthpy._agents.copilot.usage import CopilotUsage
from oauthpy._errors import NotSupportedError
from oauthpy._usage import AccountUsage
from tests.support import Rig, assert_no_leftovers, open_rig

RESET = 1_798_761_600  # 2027-01-01T00:00:00Z
#: what points the rig's copilot at the model fake with no GitHub login (BYOK, offline)
_BYOK = (
    "COPILOT_OFFLINE",
    "COPILOT_PROVIDER_BASE_URL",
    "COPILOT_PROVIDER_TYPE",
    "COPILOT_PROVIDER_WIRE_API",
    "COPILOT_PROVIDER_API_KEY",
    "COPILOT_MODEL",
)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("copilot", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


@pytest.fixture
def github() -> Iterator[FakeGitHubApi]:
    with FakeGitHubApi() as fake:
        yield fake


def github_env(rig: Rig, github: FakeGitHubApi | None) -> dict[str, str]:
    """The rig's env (its state dirs, binary and leak marker) with a GitHub login, not BYOK."""
    env = {k: v for k, v in rig.env.items() if k not in _BYOK}
    return {**env, **(github.env() if github else {})}


def read(env: dict[str, str], home: Path) -> AccountUsage:
    return asyncio.run(CopilotUsage(None).read(env, str(home)))


def test_the_scripted_plan_and_quotas_come_back_through_copilot(rig: Rig, github: FakeGitHubApi):
    github.account(
        "business",
        {
            "premium_interactions": Quota(300, 255),
            "chat": Quota(0, 0, unlimited=True),
            "completions": Quota(2000, 500),
        },
        reset=RESET,
    )
    before = dt.datetime.now(dt.timezone.utc)
    usage = read(github_env(rig, github), rig.root)
    assert (usage.provider, usage.plan, usage.source) == ("copilot", "business", "account.getQuota")
    reset = dt.datetime.fromtimestamp(RESET, dt.timezone.utc)
    assert [(w.name, w.used_percent, w.limit, w.used, w.resets_at) for w in usage.windows] == [
        ("premium_interactions", 15.0, 300.0, 45.0, reset),
        ("completions", 75.0, 2000.0, 1500.0, reset),
    ]
    assert usage.checked_at is not None and before <= usage.checked_at <= dt.datetime.now(dt.timezone.utc)
    # copilot itself asked the fake GitHub, with the token
    assert ("GET", "api.github.com", "/copilot_internal/user", True) in github.requests
    assert github.token not in repr(usage)


def test_no_github_login_is_auth_required_with_the_way_to_log_in(rig: Rig):
    with pytest.raises(AuthRequiredError) as caught:
        read(github_env(rig, None), rig.root)
    assert caught.value.hint and "copilot login" in caught.value.hint


def test_a_token_github_refuses_is_auth_required_and_not_shown(rig: Rig, github: FakeGitHubApi):
    github.account("individual", {"premium_interactions": Quota(300, 1)}, status=401)
    started = time.monotonic()
    with pytest.raises(AuthRequiredError) as caught:
        read(github_env(rig, github), rig.root)
    assert github.token not in str(caught.value) + repr(caught.value.__dict__)
    assert time.monotonic() - started < 60


def test_a_model_provider_of_ones_own_has_no_quota_to_read(rig: Rig):
    # the rig's copilot runs offline on the fake model provider (BYOK), with no GitHub login
    with pytest.raises(NotSupportedError, match="COPILOT_PROVIDER_BASE_URL"):
        read(dict(rig.env), rig.root)
