"""The backoff formula and the retry classification, without any process."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from oauthpy._errors import (
    AuthRequiredError,
    CommandExecutionError,
    InvalidOptionsError,
    OauthPyError,
    RateLimitError,
    SessionNotFoundError,
    StructuredOutputError,
    TimeoutExceededError,
)
from oauthpy._retry import RetryPolicy

pytestmark = pytest.mark.fast


def test_backoff_doubles_up_to_the_cap_plus_jitter():
    policy = RetryPolicy(max_retries=5, backoff_s=1.0, backoff_max_s=5.0, jitter_s=0.5)
    exc = CommandExecutionError("x", transient=True)
    assert [policy.delay(n, exc, rand=lambda: 0.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    assert policy.delay(1, exc, rand=lambda: 1.0) == 1.5
    assert policy.delay(4, exc, rand=lambda: 1.0) == 5.0  # the jitter never passes the cap


def test_a_longer_retry_after_wins_a_shorter_one_does_not():
    policy = RetryPolicy(max_retries=1, backoff_s=1.0, backoff_max_s=30.0, jitter_s=0.0)
    assert policy.delay(1, RateLimitError("slow", retry_after=7.5)) == 7.5
    assert policy.delay(1, RateLimitError("slow", retry_after=0.2)) == 1.0


@pytest.mark.parametrize(
    ("exc", "retried"),
    [
        (RateLimitError("429"), True),
        (CommandExecutionError("500", transient=True), True),
        (CommandExecutionError("bad config"), False),
        (AuthRequiredError("401"), False),
        (InvalidOptionsError("bad"), False),
        (StructuredOutputError("schema", transient=True), False),
        (SessionNotFoundError("id", "unknown"), False),
        (TimeoutExceededError("t", which="total", after_s=1), False),
        (ValueError("not ours"), False),
    ],
)
def test_what_is_retried(exc: BaseException, retried: bool):
    assert RetryPolicy(max_retries=1).retryable(exc) is retried


def test_timeouts_only_with_retry_on_timeout():
    exc = TimeoutExceededError("t", which="idle", after_s=1)
    assert RetryPolicy(max_retries=1, on_timeout=True).retryable(exc)


def test_a_backoff_past_the_timeout_quotes_the_callers_timeout_not_what_validation_left() -> None:
    import asyncio

    from oauthpy import CommandExecutionError
    from oauthpy._retry import RetryLog, RetryPolicy, retrying

    async def attempt(left: float | None):  # type: ignore[no-untyped-def]
        raise CommandExecutionError("down", transient=True)
        yield  # an async generator, as every attempt is

    policy = RetryPolicy.from_options({"max_retries": 3, "retry_backoff_s": 30, "retry_jitter_s": 0})

    async def run() -> None:
        # the runner hands on what validating the call left of timeout=20
        async for _ in retrying(attempt, policy, RetryLog(), live=False, timeout=19.9853):
            pass

    with pytest.raises(CommandExecutionError, match=r"no time left within timeout=20 s for another"):
        asyncio.run(run())


def test_a_retry_goes_on_when_the_failed_turn_cannot_be_dropped():
    from oauthpy._events import Event, EventKind
    from oauthpy._retry import after_failed_turn_forgotten

    class Stuck:
        """A conversation whose agent refuses to drop the failed turn."""

        async def forget_failed_turn(self) -> None:
            raise OauthPyError("revert refused")

    async def attempt() -> Any:
        yield Event(kind=EventKind.MESSAGE, text="retried")

    async def main() -> list[str]:
        return [e.text async for e in after_failed_turn_forgotten(Stuck(), attempt())]  # type: ignore[arg-type]

    assert asyncio.run(main()) == ["retried"]  # the retry ran, its prompt once more in the history
