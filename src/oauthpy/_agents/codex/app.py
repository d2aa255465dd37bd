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
import contextlib
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from oauthpy import __version__
from oauthpy._agents.codex.app_parser import AppTurn, interrupt_params, thread_of, thread_params, turn_params
from oauthpy._agents.codex.app_requests import (
    approval_answer,
    permission_of,
    questions_answer,
    questions_of,
    tool_answer,
    tool_call_of,
)
from oauthpy._agents.codex.controls import CodexControls
from oauthpy._errors import OauthPyError, SessionNotFoundError
from oauthpy._events import Event, EventKind, ModelInfo
from oauthpy._options import RunRequest
from oauthpy._permissions import PermissionRequest, Verdict
from oauthpy._process import Invocation, time_left
from oauthpy._questions import Question
from oauthpy._tools import ToolResult
from oauthpy._transports.live import REQUEST_WAIT_S, LiveAgent, initialize
from oauthpy._transports.live_turn import INTERRUPT_WAIT_S, TurnDriver, TurnEnd
from oauthpy._transports.rpc import Connection
from oauthpy._transports.rpc_messages import Incoming, RpcError

CLIENT_INFO = {"name": "oauthpy", "title": None, "version": __version__}
#: how codex refuses ``thread/resume`` with an id it has no rollout for
_NO_ROLLOUT = "no rollout found"
#: the `RunRequest.extra` key of a native review's ``review/start`` target: the turn is a review
REVIEW_TARGET = "review_target"

#: CODEX_HOMEs where an app-server has started once in this process: codex 0.163 fails
#: ("failed to initialize sqlite state runtime") when several processes initialize a fresh home
#: at once, so a first start in a home that may not be `initialized` takes `first_start_lock`
_ready_homes: set[str] = set()


#: the lock file that serializes first starts in a fresh CODEX_HOME, across processes and loops
_LOCK_NAME = ".oauthpy-first-start.lock"
_LOCK_POLL_S = 0.02


def initialized(home: str) -> bool:
    """Whether codex's state in ``home`` was made without oauthpy's lock (by codex alone, long
    ago): then no first start can be under way. Codex creates ``state_*.sqlite`` early in its
    start, so while the lock file exists, a start may still be initializing it."""
    try:
        names = os.listdir(home)
    except OSError:
        return False
    return _LOCK_NAME not in names and any(n.startswith("state_") and n.endswith(".sqlite") for n in names)


@contextlib.asynccontextmanager
async def first_start_lock(home: str, deadline: float | None, started: float) -> AsyncIterator[None]:
    """Hold an exclusive ``flock`` on a file in ``home`` while codex first starts there.

    flock locks belong to an open file, so this also orders two loops (threads) of one
    process. The wait is polled (never blocks the loop) and bounded by the run's deadline, or
    by `REQUEST_WAIT_S` after which the start goes ahead unlocked.
    """
    import fcntl

    try:
        fd = os.open(os.path.join(home, _LOCK_NAME), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:  # no home yet or not writable: codex reports that itself
        yield
        return
    try:
        give_up = time.monotonic() + REQUEST_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time_left(deadline, "waiting for another codex to initialize CODEX_HOME", started)
                if time.monotonic() >= give_up:
                    break
                await asyncio.sleep(_LOCK_POLL_S)
        yield
    finally:
        os.close(fd)  # releases the lock


class AppServer(LiveAgent):
    """One live ``codex app-server`` process."""

    @classmethod
    async def start(cls, inv: Invocation, home: str, deadline: float | None, started: float) -> AppServer:
        if home in _ready_homes or initialized(home):
            agent = await cls._start(inv, deadline, started)
        else:
            async with first_start_lock(home, deadline, started):
                agent = await cls._start(inv, deadline, started)
            _ready_homes.add(home)
        agent.home = home
        return agent

    @classmethod
    async def _start(cls, inv: Invocation, deadline: float | None, started: float) -> AppServer:
        time_left(deadline, "starting codex app-server", started)
        limits: list[Any] = [None]

        def route(method: str, params: Any) -> str | None:
            if method == "account/rateLimits/updated" and isinstance(params, dict):
                limits[0] = params.get("rateLimits")  # the agent's, not a thread's: kept here
            return thread_of(method, params)

        conn = await Connection.start(inv, dialect="lite", router=route)
        try:
            params = {"clientInfo": CLIENT_INFO, "capabilities": {"experimentalApi": True}}
            await initialize(conn, "initialize", params, deadline, started, "codex app-server")
            await conn.notify("initialized", timeout=REQUEST_WAIT_S)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, limits)

    def __init__(self, conn: Connection, rate_limits: list[Any] | None = None) -> None:
        super().__init__(conn)
        #: holds the last ``account/rateLimits/updated`` of this process (a ChatGPT login's windows)
        self.rate_limits = rate_limits or [None]
        #: its CODEX_HOME, whose config.toml a lean thread reads the MCP servers' names from
        self.home = ""


@contextlib.asynccontextmanager
async def one_call(
    inv: Invocation, env: dict[str, str], wait_s: float
) -> AsyncIterator[tuple[AppServer, float]]:
    """A ``codex app-server`` for one call that is not a run (the session catalogue, the
    account's usage), and the call's deadline: stopped and reaped when the call ends, also on
    error and cancellation; the whole call is bounded by ``wait_s``."""
    started = time.monotonic()
    deadline = started + wait_s
    home = env.get("CODEX_HOME") or os.path.expanduser("~/.codex")
    agent = await AppServer.start(inv, home, deadline, started)
    try:
        yield agent, deadline
    finally:
        await agent.aclose()


class AppServerConversation(CodexControls):
    """Runs of one client (``session=False``) or the turns of one session, over app-server:
    a thread per run, one thread for all the turns of a session (steered, rewound, compacted:
    `CodexControls`)."""

    transport = "app-server"
    provider = "codex"

    async def _start(
        self, inv: Invocation, env: dict[str, str], deadline: float | None, started: float
    ) -> LiveAgent:
        home = env.get("CODEX_HOME") or os.path.expanduser("~/.codex")
        return await AppServer.start(inv, home, deadline, started)

    async def _open(
        self, agent: LiveAgent, request: RunRequest, deadline: float | None
    ) -> tuple[str, str | None]:
        method = "thread/resume" if request.resume else "thread/start"
        servers: tuple[str, ...] = ()
        if request.lean and not request.resume and isinstance(agent, AppServer) and agent.home:
            from oauthpy._agents.codex.lean import mcp_servers

            servers = mcp_servers(agent.home, request.cwd)
        try:
            answer = await agent.request(method, thread_params(request, servers), deadline)
        except RpcError as exc:
            if request.resume and _NO_ROLLOUT in str(exc):
                raise SessionNotFoundError(
                    request.resume, f"codex: {_NO_ROLLOUT} for thread id {request.resume}"
                ) from None
            raise
        model = answer.get("model") if isinstance(answer, dict) else None
        return _get(answer, "thread", "id"), model if isinstance(model, str) else None

    async def _driver(
        self, agent: LiveAgent, thread_id: str, request: RunRequest, end: TurnEnd
    ) -> TurnDriver:
        return self._track(
            agent, thread_id, CodexTurn(agent, thread_id, request, end, AppTurn(thread_id, self._model))
        )


class CodexTurn:
    """The codex side of one turn (`live.TurnDriver`): ``turn/start``, then the thread's
    notifications until ``turn/completed``; ``turn/interrupt`` stops it."""

    busy = False  # codex runs the run's tools through requests, answered within the loop

    def __init__(
        self, agent: LiveAgent, thread_id: str, request: RunRequest, end: TurnEnd, parser: AppTurn
    ) -> None:
        self._agent, self._thread, self._request, self._end = agent, thread_id, request, end
        self._parser = parser
        self.asks = CodexAsks(request.cwd)
        self.sub = agent.conn.subscribe(thread_id)  # before turn/start: its first news come early
        self._turn_id: str | None = None
        self._sent = False  # turn/start is on its way: the turn may be running
        self._copies: str | None = None  # the attachments' private copies, removed at close

    @property
    def turn_id(self) -> str | None:
        """Codex's id of the turn, once ``turn/start`` has answered."""
        return self._turn_id

    @property
    def over(self) -> bool:
        return self._parser.completed

    @property
    def running(self) -> bool:
        # from the moment turn/start is sent: a cancel that lands before its answer is read
        # (the model may already be asked) must still interrupt, or the session loses its agent
        return self._sent and not self._parser.completed

    @property
    def ended(self) -> bool:
        return self._parser.completed

    async def begin(self) -> None:
        images: list[str] = []
        if self._request.attachments:  # codex reads a path: a private copy of the checked bytes
            from oauthpy._attachments import private_copies, private_folder

            self._copies = private_folder()  # known before the write: `close` removes it
            images = await asyncio.to_thread(private_copies, self._request.attachments, self._copies)
        method, params = "turn/start", turn_params(self._thread, self._request, images)
        target = self._request.extra.get(REVIEW_TARGET)
        if target is not None:  # codex's review mode (`_agents.codex.review`): a target, no prompt
            method, params = "review/start", {"threadId": self._thread, "target": target}
        self._sent = True
        answer = await self._agent.request(method, params, self._end.deadline)
        self._turn_id = _get(answer, "turn", "id")

    def feed(self, method: str, params: Any) -> list[Event]:
        events = self._parser.feed(method, params)
        for event in events:
            if event.kind is EventKind.FILE_CHANGE and event.item_id:
                # its approval request names no files
                self.asks.paths[event.item_id] = tuple(c.path for c in event.changes)
        return events

    def asked(self, incoming: Incoming) -> list[Event]:
        return []

    def answered(self, incoming: Incoming, events: list[Event]) -> list[Event]:
        return events

    def finish(self) -> list[Event]:
        if isinstance(self._agent, AppServer):
            self._parser.rate_limits = self._agent.rate_limits[0]
        return self._parser.finish()

    async def stop(self) -> bool:
        while self._turn_id is None:  # stopped before turn/start's answer was read
            method, params = await self.sub.next()
            if method == "turn/completed":
                return True
            if method == "turn/started":
                self._turn_id = _get(params, "turn", "id")
        params = interrupt_params(self._thread, self._turn_id)
        await self._agent.conn.request("turn/interrupt", params, timeout=INTERRUPT_WAIT_S)
        while (await self.sub.next())[0] != "turn/completed":
            pass
        return True

    def close(self) -> None:
        self.sub.close()
        if self._copies is not None:
            from oauthpy._attachments import remove_copies

            remove_copies(self._copies)


class CodexAsks:
    """What a codex turn is asked (approvals, dynamic tool calls, questions to the user), for
    `live_asks.serve`."""

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

    def told(self, params: Any, verdict: Verdict) -> Verdict:
        return verdict  # codex takes every decision as given

    def tool_answer(self, result: ToolResult) -> Any:
        return tool_answer(result)

    def questions(self, method: str, params: Any) -> tuple[Question, ...] | None:
        return questions_of(method, params)

    def question_answer(self, method: str, params: Any, answers: list[tuple[str, ...] | None]) -> Any:
        return questions_answer(params, answers)


def _get(answer: Any, outer: str, inner: str) -> str:
    value = answer.get(outer) if isinstance(answer, dict) else None
    found = value.get(inner) if isinstance(value, dict) else None
    if not isinstance(found, str):
        raise OauthPyError(f"codex app-server answered without {outer}.{inner}")
    return found


async def list_models(inv: Invocation, home: str, timeout: float) -> tuple[ModelInfo, ...]:
    """``model/list`` on a short-lived app-server (codex answers it offline from its catalog)."""
    started = time.monotonic()
    agent = await AppServer.start(inv, home, started + timeout, started)
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
