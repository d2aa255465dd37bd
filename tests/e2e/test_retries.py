"""Opt-in retries with the real CLIs: what is retried, what is not, and what the caller sees."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from oauthpy import AuthRequiredError, Client, CommandExecutionError, EventKind, TimeoutExceededError
from oauthpy.testing import Hang, HttpError, text
from tests.support import LIVE_TRANSPORTS, Rig, assert_no_leftovers, count_spawns

FAST = {"retry_backoff_s": 0.05, "retry_jitter_s": 0.0}


def _run(rig: Rig, **opts: Any) -> Any:
    return rig.run(provider_options={**FAST, **opts})


def test_a_transient_failure_is_retried_and_the_result_says_so(rig: Rig):
    # an agent that retries by itself gets the failure each time, so that oauthpy sees it
    rig.fake.script(*[rig.api_error(500, "blip")] * (1 + rig.own_retries), text("recovered"))
    spawns = count_spawns(rig)
    result = _run(rig, max_retries=2)
    assert result.text == "recovered"
    # a live agent serves the retry too (no second start); a one-shot CLI is started again
    assert len(spawns.read_text().splitlines()) == (1 if result.transport in LIVE_TRANSPORTS else 2), (
        result.transport
    )
    retry = result.raw["retry"]
    assert (retry["attempts"], retry["retries"]) == (2, 1)
    assert retry["attempt_errors"][0]["attempt"] == 1 and retry["total_backoff_s"] >= 0.05
    assert {e.attempt for e in result.events} == {2}  # only the successful attempt's events
    assert len(rig.model_bodies()) == 2 + rig.own_retries
    assert_no_leftovers(rig.env)


def test_exhausted_retries_raise_the_last_error_listing_every_attempt(rig: Rig):
    rig.fake.script(rig.api_error(500, "still down"))
    with pytest.raises(CommandExecutionError) as err:
        _run(rig, max_retries=2)
    message = str(err.value)
    assert "failed 3 attempts" in message
    assert all(f"attempt {n}:" in message for n in (1, 2, 3))
    assert err.value.attempts == 3 and err.value.retry and err.value.retry["attempts"] == 3
    last = err.value.__cause__  # the last attempt's own error, as it was raised
    assert type(last) is type(err.value) and isinstance(last, CommandExecutionError)
    assert last.attempts == 1 and "failed 3 attempts" not in str(last)
    assert len(rig.model_bodies()) == 3 * (1 + rig.own_retries)
    assert_no_leftovers(rig.env)


@pytest.mark.warm_agent(costly_starts=True)
def test_auth_failures_are_never_retried(rig: Rig):
    rig.fake.script(rig.api_error(401, "bad key"))
    with pytest.raises(AuthRequiredError) as err:
        _run(rig, max_retries=3)
    assert err.value.attempts == 1
    # one attempt (an agent may retry by itself within it: copilot tries a 401 3 times)
    assert len(rig.model_bodies()) <= 1 + rig.own_retries


def test_timeouts_are_retried_only_when_asked(openai_fake, codex_env, workdir: Path):
    # An idle timeout ends one attempt; `timeout` bounds the whole call, retries included.
    openai_fake.script(Hang(60), text("second try"))
    client = Client("codex", auth_source="external", env=codex_env)
    with pytest.raises(TimeoutExceededError):
        client.run("hi", cwd=workdir, idle_timeout=2, timeout=60, provider_options={**FAST, "max_retries": 1})
    openai_fake.script(Hang(60), text("second try"))
    result = client.run(
        "hi",
        cwd=workdir,
        idle_timeout=2,
        timeout=60,
        provider_options={**FAST, "max_retries": 1, "retry_on_timeout": True},
    )
    assert result.text == "second try" and result.raw["retry"]["attempts"] == 2
    assert_no_leftovers(codex_env)


def test_a_backoff_that_would_outlast_the_timeout_is_not_slept(openai_fake, codex_env, workdir: Path):
    # `timeout` bounds the whole call: a 30 s backoff within a 20 s timeout is not waited out.
    openai_fake.script(HttpError(500, "down"))
    client = Client("codex", auth_source="external", env=codex_env)
    started = time.monotonic()
    with pytest.raises(CommandExecutionError, match="no time left within timeout=20 s") as err:
        client.run(
            "hi",
            cwd=workdir,
            timeout=20,
            provider_options={"max_retries": 3, "retry_backoff_s": 30, "retry_jitter_s": 0},
        )
    assert time.monotonic() - started < 20
    assert err.value.attempts == 1 and err.value.retry and err.value.retry["attempts"] == 1
    assert len(openai_fake.model_requests()) == 1


def test_each_attempt_gets_only_what_the_timeout_has_left(openai_fake, codex_env, workdir: Path):
    # Hangs are retried (retry_on_timeout) until the call's one deadline, not once per attempt.
    openai_fake.script(Hang(60))
    client = Client("codex", auth_source="external", env=codex_env)
    started = time.monotonic()
    with pytest.raises(TimeoutExceededError):
        client.run(
            "hi",
            cwd=workdir,
            timeout=4,
            idle_timeout=3,
            provider_options={**FAST, "max_retries": 5, "retry_on_timeout": True},
        )
    assert time.monotonic() - started < 8  # per-attempt timeouts would take 6 x 3 s
    assert_no_leftovers(codex_env)


def test_a_stream_marks_the_retry_and_the_events_of_the_new_attempt(
    anthropic_fake, claude_env, workdir: Path
):
    anthropic_fake.script(HttpError(500, "blip"), text("streamed again"))
    client = Client("claude", auth_source="external", env=claude_env)

    async def collect() -> list[Any]:
        return [
            e async for e in client.stream("hi", cwd=workdir, provider_options={**FAST, "max_retries": 1})
        ]

    events = asyncio.run(collect())
    boundary = [i for i, e in enumerate(events) if e.kind is EventKind.ERROR and e.status == "retrying"]
    assert len(boundary) == 1
    before, after = events[: boundary[0]], events[boundary[0] + 1 :]
    assert all(e.attempt == 1 for e in before) and all(e.attempt == 2 for e in after)
    assert after[-1].kind is EventKind.DONE and after[-1].text == "streamed again"
    assert_no_leftovers(claude_env)


def test_no_retries_by_default(openai_fake, codex_env, workdir: Path):
    openai_fake.script(HttpError(500, "once"), text("would have worked"))
    with pytest.raises(CommandExecutionError):
        Client("codex", auth_source="external", env=codex_env).run("hi", cwd=workdir)
    assert len(openai_fake.model_requests()) == 1
