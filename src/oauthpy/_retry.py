"""Opt-in retries of transient failures: one loop for ``run`` and ``stream``.

Hand-written rather than tenacity: the loop has to know whether an attempt already handed
events to a stream consumer (then it must not be replayed), and it keeps a redacted summary of
every attempt for ``RunResult.raw["retry"]`` and the final error.

``timeout`` bounds the whole call: attempts and backoffs together. Each attempt gets what is
left, and a retry whose backoff would end past the deadline is not made: the last error is
raised, saying so.

``run`` buffers each attempt's events and keeps only the successful attempt's. ``stream``
yields events as they arrive, so a consumer may already hold part of a failed attempt: before
a retry it gets an ``error`` event with ``status="retrying"``, and every event of a later
attempt has ``attempt`` set to its number. Nothing is replayed unmarked.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from oauthpy._errors import (
    AuthRequiredError,
    BudgetExceededError,
    InvalidOptionsError,
    OauthPyError,
    RateLimitError,
    SessionNotFoundError,
    StructuredOutputError,
    TimeoutExceededError,
)
from oauthpy._events import Event, EventKind
from oauthpy._redact import redact

if TYPE_CHECKING:
    from oauthpy._transports.base import Conversation

#: the longest a retry (or a batch's pause) waits for a rate limit to reset: a limit that resets
#: later (a weekly plan window) fails the run instead of holding it for days
MAX_WAIT_S = 3600.0
DEFAULT_BACKOFF_S = 1.0
DEFAULT_BACKOFF_MAX_S = 30.0
DEFAULT_JITTER_S = 0.25
#: never retried, whatever the options say: they will not heal by trying again
PERMANENT = (
    AuthRequiredError,
    BudgetExceededError,
    InvalidOptionsError,
    StructuredOutputError,
    SessionNotFoundError,
)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 0
    backoff_s: float = DEFAULT_BACKOFF_S
    backoff_max_s: float = DEFAULT_BACKOFF_MAX_S
    jitter_s: float = DEFAULT_JITTER_S
    on_timeout: bool = False

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> RetryPolicy:
        def num(key: str, default: float) -> float:
            value = opts.get(key)
            return float(value) if value is not None else default

        return cls(
            max_retries=int(opts.get("max_retries") or 0),
            backoff_s=num("retry_backoff_s", DEFAULT_BACKOFF_S),
            backoff_max_s=num("retry_backoff_max_s", DEFAULT_BACKOFF_MAX_S),
            jitter_s=num("retry_jitter_s", DEFAULT_JITTER_S),
            on_timeout=bool(opts.get("retry_on_timeout")),
        )

    def retryable(self, exc: BaseException) -> bool:
        if isinstance(exc, PERMANENT) or not isinstance(exc, OauthPyError):
            return False
        if isinstance(exc, TimeoutExceededError):
            return self.on_timeout
        return bool(exc.transient)

    def delay(self, attempt: int, exc: BaseException, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry ``attempt`` (1-based), honouring a longer Retry-After
        and the time a rate limit resets (``RateLimitError.resets_at``)."""
        base = min(self.backoff_max_s, self.backoff_s * 2.0 ** (attempt - 1))
        wait = min(self.backoff_max_s, base + rand() * self.jitter_s)
        return max(wait, vendor_wait(exc) or 0.0)


def vendor_wait(exc: BaseException) -> float | None:
    """How long the vendor said to wait: its Retry-After, or until its limit resets (the longer);
    None when it said nothing."""
    if not isinstance(exc, RateLimitError):
        return None
    waits = []
    if isinstance(exc.retry_after, (int, float)):
        waits.append(float(exc.retry_after))
    if exc.resets_at is not None:
        import datetime as dt

        waits.append((exc.resets_at - dt.datetime.now(dt.timezone.utc)).total_seconds())
    return max(waits) if waits else None


@dataclass
class RetryLog:
    """What the retry loop did: goes to ``RunResult.raw["retry"]``."""

    attempts: int = 0
    summaries: list[dict[str, Any]] = field(default_factory=list)
    backoff_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "retries": max(self.attempts - 1, 0),
            "attempt_errors": self.summaries,
            "total_backoff_s": round(self.backoff_s, 3),
        }


def _summary(attempt: int, exc: BaseException) -> dict[str, Any]:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return {"attempt": attempt, "error": type(exc).__name__, "message": redact(first)[:500]}


def _reason(exc: OauthPyError) -> str:
    """A few words for why an attempt failed: the HTTP status when known, else the error kind."""
    details = getattr(exc, "details", None)
    status = details.get("status") if isinstance(details, dict) else None
    if isinstance(status, int):
        return str(status)
    return "429" if isinstance(exc, RateLimitError) else type(exc).__name__


def _exhausted(exc: OauthPyError, log: RetryLog, why: str = "") -> OauthPyError:
    """A new error of the last one's class and fields (``raise ... from`` the last one), its
    message listing every attempt (already redacted), with ``attempts`` and ``retry`` set. The
    last error itself is left as it was raised."""
    lines = [f"  attempt {s['attempt']}: {s['error']}: {s['message']}" for s in log.summaries]
    new = type(exc).__new__(type(exc))
    new.__dict__.update(exc.__dict__)
    new.message = f"{exc.message}\nfailed {log.attempts} attempts{why}:\n" + "\n".join(lines)
    new.args = (new.message if not new.hint else f"{new.message}\nhint: {new.hint}",)
    new.attempts = log.attempts
    new.retry = log.as_dict()
    return new


async def retrying(
    attempt_events: Callable[[float | None], AsyncGenerator[Event, None]],
    policy: RetryPolicy,
    log: RetryLog,
    *,
    live: bool,
    timeout: float | None = None,
) -> AsyncGenerator[Event, None]:
    """Yield the events of the first attempt that succeeds, retrying transient failures.

    ``attempt_events(left)`` starts one attempt with ``left`` seconds of ``timeout`` (None:
    unbounded). ``live``: events go out as they arrive (``stream``), and a retry is announced by
    an ``error`` event with ``status="retrying"``. Otherwise each attempt is buffered and only
    the successful one is yielded. Events of attempt n > 1 carry ``attempt=n``.
    """
    deadline = time.monotonic() + timeout if timeout is not None else None
    attempt = 0
    while True:
        attempt += 1
        log.attempts = attempt
        buffered: list[Event] = []
        gen = attempt_events(None if deadline is None else max(deadline - time.monotonic(), 0.001))
        try:
            try:
                async for event in gen:
                    event.attempt = attempt
                    if live:
                        yield event
                    else:
                        buffered.append(event)
            finally:
                await gen.aclose()
        except OauthPyError as exc:
            summary = _summary(attempt, exc)
            log.summaries.append(summary)
            if attempt > policy.max_retries or not policy.retryable(exc):
                if attempt > 1:
                    raise _exhausted(exc, log) from exc
                raise
            wait = policy.delay(attempt, exc)
            if wait > MAX_WAIT_S:  # a limit that resets in hours: no retry, the error says when
                raise _exhausted(exc, log, f" (it resets in {wait / 3600:.1f} h: not waited for)") from exc
            if deadline is not None and time.monotonic() + wait >= deadline:
                # the backoff alone would outlast the timeout: no attempt could follow it
                # shown to a tenth: the runner hands on what validating the call left of the
                # caller's timeout (19.99 s of a timeout=20), which is the caller's number
                shown = f"{timeout:.1f}".rstrip("0").rstrip(".")
                raise _exhausted(exc, log, f" (no time left within timeout={shown} s for another)") from exc
            log.backoff_s += wait
            if live:
                total = policy.max_retries + 1
                yield Event(
                    EventKind.ERROR,
                    text=f"attempt {attempt} of {total} failed ({summary['message']}); retrying in {wait:.2f} s",
                    status="retrying",
                    attempt=attempt,
                    is_error=True,
                    # for a progress display: "retry 2/3 after 429"
                    raw={"retry": {"next": attempt + 1, "of": total, "after": _reason(exc), "wait_s": wait}},
                )
            await asyncio.sleep(wait)
            continue
        for event in buffered:
            yield event
        return


async def after_failed_turn_forgotten(
    conversation: Conversation, gen: AsyncGenerator[Event, None]
) -> AsyncGenerator[Event, None]:
    """``gen``, once the conversation has dropped the failed attempt's turn where it can
    (`forget_failed_turn`): a session's retried prompt is then in its history once."""
    forget = getattr(conversation, "forget_failed_turn", None)
    if forget is not None:
        # at best: an agent that cannot drop it now still gets the retry (as before this step)
        with contextlib.suppress(OauthPyError):
            await forget()
    async with contextlib.aclosing(gen):
        async for event in gen:
            yield event


__all__ = ["RetryLog", "RetryPolicy", "after_failed_turn_forgotten", "retrying"]
