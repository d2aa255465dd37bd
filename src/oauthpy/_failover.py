"""Failover (``fallback=``): when an agent cannot take the work, the next agent of the list does.

What moves the work on is decided here, once for every agent, from oauthpy's typed errors: a
spent plan (`QuotaExceededError`), a rate limit whose wait is longer than ``fallback_after_s``,
an agent that is not installed or not logged in; with ``fallback_on``, a timeout or a crash too.
Never bad input, a budget stop, the user's own code raising or an interrupt: those are not the
agent's to fix, and a second agent would only repeat them.

Every agent's request is made (and so checked) before the first one starts (`oauthpy._fallback`).
Each try is a run of its own, in a fresh worktree when the run asked for one, so the next agent
never sees the failed one's partial edits. A session moves its conversation instead: the next
agent opens one of its own, told the conversation so far.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from oauthpy._errors import (
    AuthRequiredError,
    CommandExecutionError,
    OauthPyError,
    ProviderNotInstalledError,
    QuotaExceededError,
    RateLimitError,
    SessionNotFoundError,
    StructuredOutputError,
    TimeoutExceededError,
)
from oauthpy._events import Event, EventKind, FailedAttempt, RunResult, Usage
from oauthpy._fallback import Plan, Spec, for_agent

if TYPE_CHECKING:
    from oauthpy._options import RunRequest
    from oauthpy._runner import Runner


def moves_on(exc: OauthPyError, plan: Plan) -> bool:
    """Whether the next agent takes the work after ``exc``."""
    if isinstance(exc, (QuotaExceededError, ProviderNotInstalledError, AuthRequiredError)):
        return True
    if isinstance(exc, RateLimitError):
        wait = exc.retry_after
        if exc.resets_at is not None:
            wait = max(wait or 0.0, exc.resets_at.timestamp() - time.time())
        return wait is not None and wait > plan.after_s
    if isinstance(exc, TimeoutExceededError):
        return "timeout" in plan.on
    if isinstance(exc, CommandExecutionError) and not isinstance(exc, StructuredOutputError):
        return "crash" in plan.on
    return False


class _Try:
    """One agent's try: what it changed, as its events told (for the record of a failed one)."""

    def __init__(self, name: str, request: RunRequest) -> None:
        self.name = name
        self.request = request
        self.started = time.monotonic()
        self.changed: list[str] = []
        #: what its finished turns used (a try that failed after a turn had finished)
        self.usage = Usage()

    async def seen(self, gen: AsyncGenerator[Event, None]) -> AsyncGenerator[Event, None]:
        async with contextlib.aclosing(gen):
            async for event in gen:
                if event.kind is EventKind.FILE_CHANGE:
                    self.changed += [c.path for c in event.changes if c.path not in self.changed]
                if event.kind is EventKind.DONE and event.usage is not None:
                    self.usage = self.usage + event.usage
                yield event

    def failed(self, exc: OauthPyError) -> FailedAttempt:
        return FailedAttempt(
            provider=self.name,
            error_type=type(exc).__name__,
            message=exc.message,
            elapsed_s=time.monotonic() - self.started,
            changed=tuple(self.changed),
            changes_discarded=self.request.workspace is not None,
        )


def _tries(runner: Runner, request: RunRequest) -> list[tuple[str, Runner, RunRequest]]:
    plan: Plan = request.fallback
    first = replace(request, fallback=None)
    return [(runner.name, runner, first), *((r.name, r, for_agent(runner, r, request)) for r in plan.runners)]


def failover_event(failed: FailedAttempt, next_agent: str) -> Event:
    """The ``error`` event (``status="failover"``) that says who takes the work, and why."""
    where = ""
    if failed.changed:
        shown = ", ".join(failed.changed[:5]) + (" ..." if len(failed.changed) > 5 else "")
        where = f" (its changes {'discarded' if failed.changes_discarded else 'left in the tree'}: {shown})"
    return Event(
        kind=EventKind.ERROR,
        text=f"{failed.provider} failed ({failed.error_type}: {failed.message}){where}; {next_agent} takes the work",
        status="failover",
        is_error=True,
        raw={"failover": {"from": failed.provider, "to": next_agent, "error": failed.error_type}},
    )


def _given_up(exc: OauthPyError, failed: list[FailedAttempt]) -> OauthPyError:
    """The last agent's error, its hint saying what the others did before it."""
    if len(failed) > 1:
        before = "; ".join(f"{f.provider}: {f.error_type}" for f in failed[:-1])
        exc.hint = f"{exc.hint + '; ' if exc.hint else ''}tried before: {before}"
    exc.failed_over = tuple(failed)
    return exc


async def arun(runner: Runner, request: RunRequest) -> RunResult[Any]:
    """A run with failover: the first agent's result, else the next one's that answered, with
    the failed tries on ``RunResult.attempts``."""
    from oauthpy._run_outcome import Outcome

    failed: list[FailedAttempt] = []
    spent: Usage | None = None  # what failed tries used, when one had finished a turn
    tries = _tries(runner, request)
    for position, (name, each, each_request) in enumerate(tries):
        attempt = _Try(name, each_request)
        outcome = Outcome()
        try:
            result = await each.collect(
                attempt.seen(each.one_shot(each_request, outcome, live=False)), each_request, outcome
            )
        except OauthPyError as exc:
            failed.append(attempt.failed(exc))
            if attempt.usage != Usage():
                spent = attempt.usage if spent is None else spent + attempt.usage
            if position == len(tries) - 1 or not moves_on(exc, request.fallback):
                raise _given_up(exc, failed) from None
            if each_request.on_event is not None:
                await _show(failover_event(failed[-1], tries[position + 1][0]), each_request)
            continue
        if not failed:
            return result
        return replace(
            result,
            attempts=tuple(failed),
            usage=result.usage if spent is None else spent + result.usage,
            elapsed_s=result.elapsed_s + sum(f.elapsed_s for f in failed),
        )
    raise AssertionError("unreachable: the last try returns or raises")


async def _show(event: Event, request: RunRequest) -> None:
    from oauthpy._on_event import watched

    async def one() -> AsyncGenerator[Event, None]:
        yield event

    async for _ in watched(one(), request.on_event):
        pass


async def stream(runner: Runner, request: RunRequest) -> AsyncGenerator[Event, None]:
    """A stream with failover: the first agent's events, then, when it fails over, an ``error``
    event with ``status="failover"`` naming the next agent, then that agent's events."""
    from oauthpy._run_outcome import Outcome

    failed: list[FailedAttempt] = []
    tries = _tries(runner, request)
    for position, (name, each, each_request) in enumerate(tries):
        attempt = _Try(name, each_request)
        gen = attempt.seen(each.one_shot(each_request, Outcome(), live=True))
        try:
            async with contextlib.aclosing(gen):
                async for event in gen:
                    yield event
            return
        except OauthPyError as exc:
            failed.append(attempt.failed(exc))
            if position == len(tries) - 1 or not moves_on(exc, request.fallback):
                raise _given_up(exc, failed) from None
        event = failover_event(failed[-1], tries[position + 1][0])
        if each_request.on_event is not None:
            await _show(event, each_request)
        yield event


def with_context(history: Sequence[tuple[str, str]], prompt: str) -> str:
    """``prompt`` for an agent that takes over a conversation: the conversation so far first."""
    if not history:
        return prompt
    said = "\n\n".join(f"User: {asked}\n\nAssistant: {answer}" for asked, answer in history)
    return (
        "[This conversation began with another assistant, which can no longer answer. "
        f"The conversation so far:]\n\n{said}\n\n[The user's new message:]\n\n{prompt}"
    )


async def session_turn(
    session: Any, request: RunRequest, outcome: Any, *, live: bool, token: object
) -> AsyncGenerator[Event, None]:
    """A session's turn with failover: on its agent, else, when that one cannot take it, on the
    next agent of the session's ``fallback``, which gets a session of its own seeded with the
    conversation so far (`with_context`). The session then stays on that agent."""
    asked = request.prompt
    if not session._resume_mine:  # the resumed id is not of this agent's form: not asked
        session._resume_mine = True
        await session._resume_elsewhere_next()
        session._runner.check(request)
    while True:
        attempt = _Try(session._runner.name, request)
        answer: str | None = None
        try:
            gen = attempt.seen(session._events(request, outcome, live=live, token=token))
            async with contextlib.aclosing(gen):
                async for event in gen:
                    if event.kind is EventKind.DONE:
                        answer = event.text
                    yield event
        except OauthPyError as exc:
            if isinstance(exc, SessionNotFoundError) and session._resume_elsewhere:
                # a conversation that failed over before it was closed: the agent that took it
                # has it (nothing failed here, so no attempt is recorded)
                await session._resume_elsewhere_next()
                session._runner.check(request)  # its own checks of this turn's options
                continue
            failed = attempt.failed(exc)
            session._failed_over.append(failed)
            spec: Spec = session._fallback
            if not session._fallback_runners or not moves_on(exc, Plan((), spec.on, spec.after_s)):
                raise _given_up(exc, session._failed_over) from None
            runner = session._fallback_runners[0]
            runner.check(request)  # its own checks of this turn's options
            yield failover_event(failed, runner.name)
            await session._move_to(runner, keep_id=False)
            request = replace(request, prompt=with_context(session._history, asked), resume=None)
            continue
        session._resume_elsewhere = []  # the conversation is found: it stays here
        session._history.append((asked, answer or ""))
        return
