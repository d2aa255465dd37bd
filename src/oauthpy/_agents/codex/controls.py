"""Codex's session controls over ``app-server`` (`oauthpy._session_controls`): steer, rewind,
compact, context.

* ``steer``: ``turn/steer {threadId, expectedTurnId, input}`` to the running turn; codex adds the
  text to that turn's next model request (after the tool call it is running, or in place of the
  request in flight) and the turn ends as usual, with one ``turn/completed``.
* ``rewind``: ``thread/revert {threadId, beforeTurnId}`` (codex 0.163 has no
  ``thread/rollback``). The turn ids come from codex itself (``thread/turns/list``), so a
  session resumed by id can rewind turns of an earlier process too. Only the history goes:
  files the dropped turns changed stay changed.
* ``compact``: ``thread/compact/start``, which codex runs as a turn of its own (one model request
  asking for a summary); waited for until that turn completes.
* ``context``: the last ``thread/tokenUsage/updated`` of the conversation (codex sends one after
  each model request, and one after a compaction with the compacted size).

Facts: /work/shared/vendor-notes/agents-together.md §1.1-1.3 and §1.6.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from oauthpy._errors import (
    InvalidOptionsError,
    NotSupportedError,
    OauthPyError,
    SessionIdleError,
    TimeoutExceededError,
)
from oauthpy._events import Event
from oauthpy._fields import as_dict, as_list
from oauthpy._options import RunRequest
from oauthpy._session_controls import ContextUsage
from oauthpy._transports.base import as_int
from oauthpy._transports.live import REQUEST_WAIT_S, LiveAgent, LiveConversation
from oauthpy._transports.live_turn import TurnDriver
from oauthpy._transports.rpc import Subscription
from oauthpy._transports.rpc_messages import Incoming, RpcError

if TYPE_CHECKING:
    from oauthpy._agents.codex.app import CodexTurn
    from oauthpy._transports.live_asks import Asks

#: how long a steer waits for the turn under way to have started (the agent may still be
#: starting: a cold codex takes a few seconds)
STEER_WAIT_S = REQUEST_WAIT_S
#: how long `compact` waits for codex's compaction turn (one model request over the whole history)
COMPACT_WAIT_S = 600.0
#: how many of the thread's turns one ``thread/turns/list`` page asks for, and at most how many
#: pages a rewind reads (a bound on a cursor that would never end)
_PAGE = 50
_PAGES = 1000


class CodexControls(LiveConversation):
    """`AppServerConversation`'s steer, rewind, compact and context, on the conversation's
    agent and thread; its turns are watched through `_track`."""

    #: the turn under way, from when its driver is made until it is closed
    _steering: SteerableTurn | None = None
    #: set once the turn under way has started (or failed to): what an early steer waits on
    _began: asyncio.Event | None = None
    #: the last ``thread/tokenUsage/updated`` of the conversation's thread (None: none yet)
    _usage: dict[str, Any] | None = None
    #: the last turn's agent, thread and turn id, set when its driver closes
    _last_turn: tuple[LiveAgent, str, str | None] | None = None
    #: the turn of the last call that failed (None after one that did not): a retry drops it
    _failed_turn: tuple[LiveAgent, str, str | None] | None = None

    def _track(self, agent: LiveAgent, thread: str, driver: CodexTurn) -> TurnDriver:
        """``driver``, watched: steerable while it runs, its token usage remembered."""
        return SteerableTurn(self, agent, thread, driver)

    async def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        """`LiveConversation.turn`: while it is under way, a steer that comes before codex has
        started it (the agent still starting, say) waits for that instead of failing."""
        began = self._began = asyncio.Event()
        self._last_turn = self._failed_turn = None
        turn = super().turn(request, env)
        try:
            async with contextlib.aclosing(turn):
                async for event in turn:
                    yield event
        except Exception:
            self._failed_turn = self._last_turn
            raise
        finally:
            began.set()
            if self._began is began:
                self._began = None

    async def forget_failed_turn(self) -> None:
        """Before a session's turn is tried again: drop the failed attempt's turn from the
        thread (``thread/revert`` before it), so that the retry's prompt is not in the
        conversation twice. Only when codex recorded that turn as the thread's newest, on the
        agent the session still has; else nothing (a lone run's retry has a new thread)."""
        failed, self._failed_turn = self._failed_turn, None
        if failed is None or not self._session:
            return
        agent, thread, turn_id = failed
        if turn_id is None or agent is not self._agent or thread != self._thread or not agent.usable:
            return
        if await _user_turns(agent, thread, 1) != [turn_id]:
            return
        await agent.request("thread/revert", {"threadId": thread, "beforeTurnId": turn_id}, None)
        self._usage = None  # said again with the next model request

    # -- steer ---------------------------------------------------------------------------------

    async def steer(self, text: str) -> None:
        """Send ``text`` to the running turn (``turn/steer``); `SessionIdleError` when none runs."""
        turn = self._steering
        if (turn is None or turn.turn_id is None) and self._began is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._began.wait(), STEER_WAIT_S)
            turn = self._steering
        if turn is None or turn.turn_id is None or turn.ended:
            raise SessionIdleError("codex has no turn of this session running: nothing was steered")
        params = {
            "threadId": turn.thread,
            "expectedTurnId": turn.turn_id,
            "input": [{"type": "text", "text": text}],
        }
        try:
            await turn.agent.request("turn/steer", params, None)
        except RpcError as exc:
            raise _steer_refused(exc) from None

    # -- rewind --------------------------------------------------------------------------------

    async def rewind(self, turns: int) -> None:
        """Drop the thread's last ``turns`` turns (the user's: a compaction is not one) with
        ``thread/revert`` before the earliest of them. More turns than the thread has is an
        `InvalidOptionsError`, with nothing reverted."""
        agent, thread = self._live("rewind")
        ids = await _user_turns(agent, thread, turns)
        if len(ids) < turns:
            raise InvalidOptionsError(
                f"cannot rewind {turns} turn{'s' * (turns != 1)}: the conversation has "
                f"{len(ids)}; nothing was rewound"
            )
        sub = agent.conn.subscribe(thread)  # its news (status changes, thread/reverted) go here
        try:
            await agent.request("thread/revert", {"threadId": thread, "beforeTurnId": ids[turns - 1]}, None)
        finally:
            sub.close()
        # what codex said of the longer conversation is no longer true; it says it again with
        # the next model request
        self._usage = None

    # -- compact -------------------------------------------------------------------------------

    async def compact(self) -> None:
        """Have codex compact the thread (``thread/compact/start``) and wait, within
        `COMPACT_WAIT_S`, for the compaction turn to complete; its failure is raised classified
        as a turn's would be."""
        from oauthpy._agents.codex.app_parser import AppTurn

        agent, thread = self._live("compact")
        sub = agent.conn.subscribe(thread)  # before the request: the turn's news come early
        try:
            await agent.request("thread/compact/start", {"threadId": thread}, None)
            parser = AppTurn(thread, self._model)
            deadline = time.monotonic() + COMPACT_WAIT_S
            try:
                while not parser.completed:
                    method, params = await _next(sub, deadline)
                    if method == "thread/tokenUsage/updated" and isinstance(params, dict):
                        self._usage = params
                    parser.feed(method, params)
            except BaseException:
                # a compaction still running would take the next turn's input as its own (or
                # refuse it): its process goes, the next turn resumes the thread on a new one
                agent.kill_now()
                raise
            parser.finish()  # raises the compaction's error, if it failed
        finally:
            sub.close()

    # -- context -------------------------------------------------------------------------------

    async def context(self) -> ContextUsage:
        """The tokens of codex's last report (``thread/tokenUsage/updated``): ``used_tokens`` is
        its last request's total (the history it carried and the answer), after a compaction
        codex's estimate of the compacted history; ``window_tokens`` is ``modelContextWindow``
        (the model's window less codex's reserve). Before codex has reported anything in this
        process (no model request yet, or right after a rewind) it raises `SessionIdleError`
        rather than guess: zero would be wrong for a resumed conversation."""
        usage = self._usage
        if usage is None:
            raise SessionIdleError(
                "codex has not reported this conversation's token usage yet: it does after each "
                "model request",
                hint="run a turn first (after a rewind, the next turn reports again)",
            )
        report = as_dict(usage.get("tokenUsage"))
        window = report.get("modelContextWindow")
        return ContextUsage(
            used_tokens=as_int(as_dict(report.get("last")).get("totalTokens")),
            window_tokens=window if isinstance(window, int) and not isinstance(window, bool) else None,
            raw=usage,
        )

    # -- shared --------------------------------------------------------------------------------

    def _live(self, control: str) -> tuple[LiveAgent, str]:
        """The agent that has the session's thread loaded, and the thread."""
        if not self.thread_is_live() or self._agent is None or self._thread is None:
            raise SessionIdleError(
                f"codex: this session has no live conversation to {control} (no turn has run in "
                "this process, or its agent has ended)",
                hint="run a turn of the session first; a session resumed by id can then "
                f"{control} its earlier turns too",
            )
        return self._agent, self._thread


class SteerableTurn:
    """A codex turn (`CodexTurn`) its conversation can steer: the turn's id once started, its
    token usage remembered on the conversation. Everything else is the driver's."""

    def __init__(self, owner: CodexControls, agent: LiveAgent, thread: str, driver: CodexTurn) -> None:
        self._owner, self.agent, self.thread, self._driver = owner, agent, thread, driver
        owner._steering = self

    @property
    def turn_id(self) -> str | None:
        return self._driver.turn_id

    @property
    def sub(self) -> Subscription:
        return self._driver.sub

    @property
    def asks(self) -> Asks:
        return self._driver.asks

    @property
    def over(self) -> bool:
        return self._driver.over

    @property
    def running(self) -> bool:
        return self._driver.running

    @property
    def ended(self) -> bool:
        return self._driver.ended

    @property
    def busy(self) -> bool:
        return self._driver.busy

    async def begin(self) -> None:
        try:
            await self._driver.begin()
        finally:
            if self._owner._began is not None:
                self._owner._began.set()

    def feed(self, method: str, params: Any) -> list[Event]:
        if method == "thread/tokenUsage/updated" and isinstance(params, dict):
            self._owner._usage = params
        return self._driver.feed(method, params)

    def asked(self, incoming: Incoming) -> list[Event]:
        return self._driver.asked(incoming)

    def answered(self, incoming: Incoming, events: list[Event]) -> list[Event]:
        return self._driver.answered(incoming, events)

    def finish(self) -> list[Event]:
        return self._driver.finish()

    async def stop(self) -> bool:
        return await self._driver.stop()

    def close(self) -> None:
        self._owner._last_turn = (self.agent, self.thread, self.turn_id)
        if self._owner._steering is self:
            self._owner._steering = None
        self._driver.close()


def _steer_refused(exc: RpcError) -> OauthPyError:
    """Codex's refusal of a steer, as the error a caller can act on."""
    kind = as_dict(
        as_dict(as_dict(as_dict(exc.details).get("data")).get("codexErrorInfo")).get("activeTurnNotSteerable")
    )
    if kind:
        return NotSupportedError(f"codex cannot steer a {kind.get('turnKind') or 'running'} turn")
    words = exc.said
    if "no active turn" in words or "expected active turn id" in words:
        return SessionIdleError("the turn ended before the steer reached codex: nothing was steered")
    return exc


async def _user_turns(agent: LiveAgent, thread: str, wanted: int) -> list[str]:
    """The ids of the thread's last ``wanted`` user turns (those with a user message: not a
    compaction), newest first, read from codex (``thread/turns/list``, newest first)."""
    found: list[str] = []
    cursor: str | None = None
    for _ in range(_PAGES):
        params: dict[str, Any] = {"threadId": thread, "limit": _PAGE, "sortDirection": "desc"}
        if cursor:
            params["cursor"] = cursor
        page = as_dict(await agent.request("thread/turns/list", params, None))
        for turn in as_list(page.get("data")):
            items = as_list(as_dict(turn).get("items"))
            if any(as_dict(item).get("type") == "userMessage" for item in items):
                found.append(str(as_dict(turn).get("id")))
        cursor = page.get("nextCursor") if isinstance(page.get("nextCursor"), str) else None
        if not cursor or len(found) >= wanted:
            break
    return found[:wanted]


async def _next(sub: Subscription, deadline: float) -> tuple[str, Any]:
    try:
        return await sub.next(max(deadline - time.monotonic(), 0.0))
    except asyncio.TimeoutError:
        raise TimeoutExceededError(
            f"codex did not finish compacting the conversation within {COMPACT_WAIT_S:g} s",
            which="total",
            after_s=COMPACT_WAIT_S,
        ) from None
    except StopAsyncIteration:
        raise OauthPyError("codex app-server closed the connection while compacting") from None
