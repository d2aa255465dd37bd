"""What a run learned besides its events (`Outcome`), and the `RunResult` its events fold into
(`collect`)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oauthpy._events import Event, RunResult
    from oauthpy._options import RunRequest


class Outcome:
    """What a run learned that is not an event: structured output, auth source, retries, and a
    worktree run's changes."""

    __slots__ = ("changes", "diff", "output", "repository", "retry", "source", "transport", "workspace")

    def __init__(self) -> None:
        self.changes: tuple[Any, ...] = ()
        self.diff: str | None = None
        #: a worktree run's repository, and its kept worktree
        self.repository: str | None = None
        self.workspace: str | None = None
        self.output: Any = None
        self.source = "external"
        self.retry: Any = None  # a RetryLog when the run may retry
        #: what carried the run (its conversation's transport)
        self.transport: str | None = None


#: the kinds of event that show a run moving again after its agent's retry notice (the CLI's
#: spinner clears its retry note on them too)
MOVING = frozenset({"message", "reasoning", "command", "file_change", "tool", "done"})


def kept_session(session_id: str | None, request: RunRequest) -> str | None:
    """The run's conversation id, or None when the run kept no session (``ephemeral``, as a
    batch's runs are unless told): nothing to go on with."""
    return None if request.provider_options.get("ephemeral") else session_id


def last_retry(notice: Event | None, event: Event) -> Event | None:
    """The agent's retry notice still in force after ``event``: ``event`` itself when it is one
    (codex's ``Reconnecting... 2/5``, Claude Code's ``api_retry``), None once the run moves
    again. A timeout that fires while one is in force says so (`TimeoutExceededError.while_retrying`)."""
    if event.status == "retrying":
        return event
    return None if event.kind.value in MOVING else notice


async def collect(
    gen: AsyncGenerator[Event, None], request: RunRequest, outcome: Outcome, provider: str, transport: str
) -> RunResult:
    """Drain a run's events into its `RunResult`. A live run (``on_event``) yields the
    attempts that failed too: as without it, only the last attempt's events are the result's.
    ``transport``: the client's, for a run whose conversation did not say which carried it (read
    after the events: `Outcome.transport` is known once the turn is under way)."""
    from oauthpy._events import EventKind, RunResult, Usage

    started = time.monotonic()
    events: list[Event] = []
    async with contextlib.aclosing(gen):
        async for event in gen:
            if event.status == "retrying" and isinstance(event.raw, dict) and "retry" in event.raw:
                events = []  # oauthpy retries: the failed attempt's events are not the result's
                continue
            if event.status == "failover":  # another agent takes the turn: its events are
                events = []
                continue
            events.append(event)
    done = events[-1] if events and events[-1].kind is EventKind.DONE else None
    usage = done.usage if done and done.usage else Usage()
    model = done.model if done else None
    from oauthpy._prices import cost_of

    cost, estimated = cost_of(model or request.model, usage)
    return RunResult(
        provider=provider,
        transport=outcome.transport or transport,
        text=done.text if done else "",
        events=tuple(events),
        elapsed_s=time.monotonic() - started,
        cwd=request.cwd,
        usage=usage,
        model=model,
        session_id=kept_session(done.session_id if done else None, request),
        output=outcome.output,
        auth_source=outcome.source,
        raw={"retry": outcome.retry.as_dict()} if outcome.retry is not None else {},
        cost_usd=cost,
        cost_estimated=estimated,
        changes=outcome.changes,
        diff=outcome.diff,
        workspace=outcome.workspace,
        repository=outcome.repository,
    )
