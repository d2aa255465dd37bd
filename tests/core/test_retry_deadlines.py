"""Opt-in retries with an agent named: timeouts retried only when asked, a backoff or an attempt
bounded by what the timeout has left, a stream's retry marks, none by default (the shared retry
suite is tests/contract/test_retries.py)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, CommandExecutionError, EventKind, TimeoutExceededError
from oauthpy.testing import Hang, HttpError, text
from tests.contract.test_retries import FAST
from tests.support import assert_no_leftovers


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
