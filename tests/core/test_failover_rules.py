"""What moves the work to the next agent of ``fallback=``, and what ``fallback=`` accepts
(`oauthpy._failover`), without processes."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from oauthpy import (
    AuthRequiredError,
    BudgetExceededError,
    Client,
    CommandExecutionError,
    InvalidOptionsError,
    NotSupportedError,
    OauthPyError,
    ProviderNotInstalledError,
    QuotaExceededError,
    RateLimitError,
    StructuredOutputError,
    TimeoutExceededError,
)
from oauthpy._failover import moves_on
from oauthpy._fallback import Plan, check_spec

pytestmark = pytest.mark.fast


def plan(on: tuple[str, ...] = (), after_s: float = 60.0) -> Plan:
    return Plan((), frozenset(on), after_s)


def soon(seconds: float) -> datetime:
    return datetime.fromtimestamp(time.time() + seconds, tz=timezone.utc)


@pytest.mark.parametrize(
    "error",
    [
        QuotaExceededError("plan spent"),
        ProviderNotInstalledError("not installed"),
        AuthRequiredError("not logged in"),
        RateLimitError("wait", retry_after=3600),
        RateLimitError("wait", resets_at=soon(3600)),
    ],
    ids=lambda e: f"{type(e).__name__}:{getattr(e, 'retry_after', None)}",
)
def test_what_moves_the_work_on_by_default(error: OauthPyError):
    assert moves_on(error, plan())


@pytest.mark.parametrize(
    "error",
    [
        RateLimitError("short wait", retry_after=2),
        RateLimitError("wait unknown"),
        RateLimitError("resets soon", resets_at=soon(10)),
        InvalidOptionsError("bad input"),
        BudgetExceededError("the client's", 1.0, 1.0),
        TimeoutExceededError("slow", which="timeout", after_s=1.0),
        CommandExecutionError("crashed", returncode=1),
        StructuredOutputError("bad answer", returncode=0),
        NotSupportedError("no"),
    ],
    ids=lambda e: type(e).__name__ + ":" + e.message,
)
def test_what_does_not_by_default(error: OauthPyError):
    assert not moves_on(error, plan())


def test_fallback_on_widens_it_to_timeouts_and_crashes_but_never_a_bad_answer():
    wide = plan(on=("timeout", "crash"))
    assert moves_on(TimeoutExceededError("slow", which="timeout", after_s=1.0), wide)
    assert moves_on(CommandExecutionError("crashed", returncode=1), wide)
    assert not moves_on(StructuredOutputError("bad answer", returncode=0), wide)
    assert not moves_on(InvalidOptionsError("bad input"), wide)


def test_fallback_after_s_is_how_long_a_rate_limit_may_ask_to_wait():
    assert moves_on(RateLimitError("wait", retry_after=20), plan(after_s=10))
    assert not moves_on(RateLimitError("wait", retry_after=20), plan(after_s=30))


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"fallback": ["nope"]}, "unknown agent 'nope'"),
        ({"fallback": 3}, "must be a list"),
        ({"fallback": ["claude", "claude"]}, "named once"),
        ({"fallback": ["acp"]}, "needs its command"),
        ({"fallback": ["claude"], "fallback_on": ["weather"]}, "fallback_on takes"),
        ({"fallback": ["claude"], "fallback_after_s": -1}, "fallback_after_s"),
        ({"fallback_on": ["timeout"]}, "need fallback="),
    ],
)
def test_bad_fallback_options_are_refused(kw: dict[str, object], words: str):
    with pytest.raises(InvalidOptionsError, match=words):
        check_spec(kw.get("fallback"), kw.get("fallback_on"), kw.get("fallback_after_s"))
    with pytest.raises(InvalidOptionsError, match=words):
        Client("codex", **kw)  # type: ignore[arg-type]


def test_one_name_is_a_list_of_one_and_a_client_may_be_given():
    assert check_spec("claude") is not None and check_spec("claude").agents == ("claude",)  # type: ignore[union-attr]
    other = Client("gemini")
    assert check_spec([other, "claude"]).agents == (other, "claude")  # type: ignore[union-attr]


def test_a_session_takes_fallback_when_opened_and_a_turn_may_not_change_it(tmp_path):
    chat = Client("codex").session(cwd=tmp_path, fallback=["claude"])
    assert chat.provider == "codex"
    with pytest.raises(TypeError, match="failover is set when it is opened"):
        chat.run("hi", fallback=["gemini"])  # type: ignore[call-arg]
    with pytest.raises(
        InvalidOptionsError, match="fallback agent claude: unknown provider_options key 'sandbox'"
    ):
        Client("codex").session(cwd=tmp_path, fallback=["claude"], provider_options={"sandbox": "read-only"})
