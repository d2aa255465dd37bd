"""Codex over ``codex app-server``: one live process, a thread per conversation, a turn per run.

`AppServer` is one ``codex [-c ...] app-server --listen stdio://`` process behind a
`Connection` (own process group, run marker, bounded waits).
`AppServerConversation` runs turns on it: a new thread for a run (``thread/start``), the
same thread for every turn of a session (``thread/resume`` after a reconnect), notifications
routed by thread id into the pure translator `codex_app_parser`. Inside ``with Client``
the process comes from the client's `AgentPool` and goes back to it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator
from typing import Any

from .._errors import OauthPyError, SessionNotFoundError
from .._events import Event, EventKind, ModelInfo
from .._options import RunRequest
from .._permissions import PermissionRequest, Verdict
from .._process import Invocation
from .._rpc import INCOMING, Connection, RpcError, Subscription
from .._teardown import within
from .._tools import ToolResult
from .codex_app_parser import AppTurn, interrupt_params, thread_of, thread_params, turn_params
from .codex_app_requests import approval_answer, permission_of, tool_answer, tool_call_of
from .live import (
    INTERRUPT_WAIT_S,
    REQUEST_WAIT_S,
    LiveAgent,
    LiveConversation,
    TurnEnd,
    next_update,
    serve,
)

CLIENT_INFO = {"name": "oauthpy", "title": None, "version": "0.1.0"}
#: how codex refuses ``thread/resume`` with an id it has no rollout for
_NO_ROLLOUT = "no rollout found"

#: CODEX_HOMEs where an app-server has started once: codex 0.163 fails ("failed to initialize
#: sqlite state runtime") when several processes initialize a fresh home at once
_ready_homes: set[str] = set()
_home_locks: dict[tuple[int, str], asyncio.Lock] = {}


class AppServer(LiveAgent):
    """One live ``codex app-server`` process."""

    @classmethod
    async def start(cls, inv: Invocation, home: str, timeout: float | None) -> AppServer:
        limit = min(timeout, REQUEST_WAIT_S) if timeout else REQUEST_WAIT_S
        if home in _ready_homes:
            return await cls._start(inv, limit)
        key = (id(asyncio.get_running_loop()), home)
        lock = _home_locks.setdefault(key, asyncio.Lock())
        async with lock:
            agent = await cls._start(inv, limit)
            _ready_homes.add(home)
        _home_locks.pop(key, None)
        return agent

    @classmethod
    async def _start(cls, inv: Invocation, limit: float) -> AppServer:
        conn = await Connection.start(inv, dialect="codex", router=thread_of)
        try:
            await conn.request(
                "initialize",
                {"clientInfo": CLIENT_INFO, "capabilities": {"experimentalApi": True}},
                timeout=limit,
            )
            await conn.notify("initialized", timeout=limit)
        except BaseException:
            await conn.close()
            raise
        return cls(conn)


class AppServerConversation(LiveConversation):
    """Runs of one client (``session=False``) or the turns of one session, over app-server:
    a thread per run, one thread for all the turns of a session."""

    transport = "app-server"
    provider = "codex"

    async def _start(self, inv: Invocation, env: dict[str, str], timeout: float | None) -> LiveAgent:
        home = env.get("CODEX_HOME") or os.path.expanduser("~/.codex")
        return await AppServer.start(inv, home, timeout)

    async def _open(
        self, agent: LiveAgent, request: RunRequest, deadline: float | None
    ) -> tuple[str, str | None]:
        method = "thread/resume" if request.resume else "thread/start"
        try:
            answer = await agent.request(method, thread_params(request), deadline)
        except RpcError as exc:
            if request.resume and _NO_ROLLOUT in str(exc):
                raise SessionNotFoundError(
                    request.resume, f"codex: {_NO_ROLLOUT} for thread id {request.resume}"
                ) from None
            raise
        model = answer.get("model") if isinstance(answer, dict) else None
        return _get(answer, "thread", "id"), model if isinstance(model, str) else None

    async def _turn_on(
        self, agent: LiveAgent, thread_id: str, request: RunRequest, started: float, end: TurnEnd
    ) -> AsyncGenerator[Event, None]:
        deadline = request.deadline()
        parser = AppTurn(thread_id, self._model)
        asks = CodexAsks(request.cwd)
        sub = agent.conn.subscribe(thread_id)  # before turn/start: its first news come early
        turn_id: str | None = None
        try:
            answer = await agent.request("turn/start", turn_params(thread_id, request), deadline)
            turn_id = _get(answer, "turn", "id")
            while not parser.completed:
                method, params = await next_update(sub, request, deadline, started, end, "codex app-server")
                if method == INCOMING:
                    for event in await serve(params, asks, request, self.permissions, end):
                        yield event
                    continue
                for event in parser.feed(method, params):
                    if event.kind is EventKind.FILE_CHANGE and event.item_id:
                        asks.paths[event.item_id] = tuple(c.path for c in event.changes)
                    yield event
            end.keep = True
            end.closing = parser.finish
        finally:
            stoppable = not end.keep and not end.timed_out and not end.stop
            if stoppable and turn_id is not None and self._session:
                # broken out of or cancelled: stop the turn, keep the agent if it obeys
                end.keep = await _interrupt(agent, sub, thread_id, turn_id)
            sub.close()


class CodexAsks:
    """What a codex turn is asked (approvals, dynamic tool calls), for `live.serve`."""

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        #: the files of each fileChange item of the turn: its approval request names none
        self.paths: dict[str, tuple[str, ...]] = {}

    def permission(self, method: str, params: Any) -> PermissionRequest | None:
        return permission_of(method, params, self.paths, self.cwd)

    def answer(self, method: str, params: Any, verdict: Verdict) -> Any:
        return approval_answer(method, params, verdict)

    def own_tool(self, ask: PermissionRequest) -> bool:
        return False  # dynamic tools are never submitted for approval

    def tool_call(self, method: str, params: Any) -> tuple[str, Any] | None:
        return tool_call_of(method, params)

    def tool_answer(self, result: ToolResult) -> Any:
        return tool_answer(result)


async def _interrupt(agent: LiveAgent, sub: Subscription, thread_id: str, turn_id: str) -> bool:
    """Interrupt a running turn and wait for it to end; False when that did not work in time."""

    async def interrupt() -> None:
        await agent.conn.request(
            "turn/interrupt", interrupt_params(thread_id, turn_id), timeout=INTERRUPT_WAIT_S
        )
        while (await sub.next())[0] != "turn/completed":
            pass

    try:
        await within(interrupt(), INTERRUPT_WAIT_S)
    except Exception:  # a second cancel propagates: the agent is then closed, not kept
        return False
    return agent.usable


def _get(answer: Any, outer: str, inner: str) -> str:
    value = answer.get(outer) if isinstance(answer, dict) else None
    found = value.get(inner) if isinstance(value, dict) else None
    if not isinstance(found, str):
        raise OauthPyError(f"codex app-server answered without {outer}.{inner}")
    return found


async def list_models(inv: Invocation, home: str, timeout: float) -> tuple[ModelInfo, ...]:
    """``model/list`` on a short-lived app-server (codex answers it offline from its catalog)."""
    agent = await AppServer.start(inv, home, timeout)
    try:
        found: list[ModelInfo] = []
        cursor: str | None = None
        for _ in range(50):  # pages; a bound, not a limit anyone reaches
            params: dict[str, Any] = {"cursor": cursor} if cursor else {}
            page = await agent.conn.request("model/list", params, timeout=timeout)
            found += [model_info(m) for m in (page or {}).get("data") or () if isinstance(m, dict)]
            cursor = (page or {}).get("nextCursor")
            if not isinstance(cursor, str) or not cursor:
                break
        return tuple(found)
    finally:
        await agent.aclose()


def model_info(entry: dict[str, Any]) -> ModelInfo:
    efforts = tuple(
        e["reasoningEffort"]
        for e in entry.get("supportedReasoningEfforts") or ()
        if isinstance(e, dict) and isinstance(e.get("reasoningEffort"), str)
    )
    name = entry.get("model") or entry.get("id")
    return ModelInfo(
        id=str(name),
        display_name=str(entry.get("displayName") or name),
        description=str(entry.get("description") or ""),
        is_default=entry.get("isDefault") is True,
        efforts=efforts,
        source="vendor",
    )
