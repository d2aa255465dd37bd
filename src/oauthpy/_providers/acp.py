"""Gemini over ``gemini --acp``: one live process, an ACP session per conversation, a turn per run.

`AcpAgent` is one ``gemini --acp`` process (its own process group: the launcher re-executes
node, and only the group takes both down) behind a JSON-RPC 2.0
`Connection`. `AcpConversation` runs turns on it: ``session/new`` for
a run (each with its own cwd, model and mode), the same ACP session for every turn of a
session; ``session/prompt`` is the turn, ``session/cancel`` interrupts it, and the session's
``session/update`` notifications go through the pure translator `gemini_acp_parser`.

Gemini 0.61 cannot load an ACP session into a process (``session/load`` answers "No previous
sessions found"), but it does write every ACP turn to its chat files, and headless
``gemini --resume <id>`` carries them on. So a conversation that is only on disk (``resume=``,
or a session whose process was lost) goes on through the headless one-shot path.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from .._catalog import GEMINI_DEFAULT_MODEL
from .._errors import CommandExecutionError, InvalidOptionsError, OauthPyError
from .._events import Event, ModelInfo
from .._options import RunRequest
from .._permissions import Decision
from .._pool import AgentPool
from .._process import Invocation, time_left
from .._rpc import INCOMING, Connection, RpcError, Subscription
from .._teardown import within
from .._user_exit import UserCodeExit
from .base import Conversation

if TYPE_CHECKING:
    from .._mcp_tools import ToolEndpoint
from .gemini import GeminiProvider
from .gemini_acp_parser import (
    INIT_PARAMS,
    AcpTurn,
    classify_rpc_error,
    mode_of,
    models_of,
    prompt_params,
    session_of,
    session_params,
)
from .gemini_acp_requests import REQUEST_PERMISSION, GeminiAsks, choose
from .live import (
    INTERRUPT_WAIT_S,
    LiveAgent,
    LiveConversation,
    TurnEnd,
    initialize,
    next_update,
    serve,
)

#: put into a turn's notifications when its ``session/prompt`` has been answered
_ANSWERED = "(session/prompt answered)"
#: put into a turn's notifications by the run's tool endpoint: a ``tool`` event
_TOOL_EVENT = "(tool event)"
#: put there by the endpoint too: a tool raised ``SystemExit``/``KeyboardInterrupt``
_TOOL_EXIT = "(tool exit)"


async def _answer_agent(method: str, params: Any) -> Any:
    """Requests from gemini that no turn takes (its turn is over): refused."""
    if method == REQUEST_PERMISSION:
        return choose(params, Decision.DENY)
    raise OauthPyError(f"oauthpy does not serve {method}")


class AcpAgent(LiveAgent):
    """One live ``gemini --acp`` process."""

    @classmethod
    async def start(cls, inv: Invocation, deadline: float | None, started: float) -> AcpAgent:
        time_left(deadline, "starting gemini --acp", started)
        conn = await Connection.start(inv, dialect="jsonrpc2", handler=_answer_agent, router=session_of)
        try:
            await initialize(conn, "initialize", INIT_PARAMS, deadline, started, "gemini --acp")
        except BaseException:
            await conn.close()
            raise
        return cls(conn)


class AcpConversation(LiveConversation):
    """Runs of one client (``session=False``) or the turns of one session, over ACP."""

    provider = "gemini"

    @property
    def transport(self) -> str:  # type: ignore[override]  # a class attribute in the base
        return "stream-json" if self._on_disk is not None else "acp"

    def __init__(self, launch: Any, *, session: bool, pool: AgentPool | None, headless: Conversation) -> None:
        super().__init__(launch, session=session, pool=pool)
        #: carries a conversation that exists only on disk (see the module's docstring)
        self._headless = headless
        #: the session's id once its turns go through the headless path
        self._on_disk: str | None = None
        #: the ACP mode the session is in
        self._mode = "default"
        #: serves the run's tools to gemini (MCP over loopback HTTP), while the conversation lasts
        self._endpoint: ToolEndpoint | None = None
        #: the running turn's notifications, where the endpoint reports tool calls
        self._sink: Subscription | None = None

    async def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        if self._on_disk is None and request.resume and not self.thread_is_live():
            self._on_disk = request.resume
            await self._drop_agent()  # its process no longer has the session, if it ever had it
        if self._on_disk is None:
            yielded = False
            gen = super().turn(request, env)
            try:
                async with contextlib.aclosing(gen):
                    async for event in gen:
                        yielded = True
                        yield event
                return
            except CommandExecutionError:
                # The session's process died before this turn showed anything (killed between
                # turns, say): the conversation is on disk, so the turn goes on there.
                if yielded or not self._session or self._thread is None or self.thread_is_live():
                    raise
                self._on_disk = self._thread
        if request.tools or request.on_permission is not None:
            # headless gemini can neither ask nor call the run's tools (nor does it offer the
            # model shell or write tools outside yolo mode)
            raise InvalidOptionsError(
                "gemini cannot take on_permission or tools in a conversation that goes on from "
                "disk (resume=, or a session whose gemini process was lost)",
                hint="start a new session for tools and permission prompts",
            )
        request = dataclasses.replace(request, resume=self._on_disk)
        gen = self._headless.turn(request, env)
        async with contextlib.aclosing(gen):
            async for event in gen:
                yield event

    async def _start(
        self, inv: Invocation, env: dict[str, str], deadline: float | None, started: float
    ) -> LiveAgent:
        return await AcpAgent.start(inv, deadline, started)

    async def _open(
        self, agent: LiveAgent, request: RunRequest, deadline: float | None
    ) -> tuple[str, str | None]:
        servers = []
        if request.tools:
            if self._endpoint is None:
                from .._mcp_tools import ToolEndpoint

                endpoint = ToolEndpoint(request.tools, self._report, self._fail)
                await endpoint.start()
                self._endpoint = endpoint
            servers.append(self._endpoint.acp_server())
        try:
            answer = await agent.request("session/new", session_params(request, servers), deadline)
        except RpcError as exc:
            raise classify_rpc_error(exc.code, exc.said) from None
        sid = answer.get("sessionId") if isinstance(answer, dict) else None
        if not isinstance(sid, str):
            raise OauthPyError("gemini --acp answered session/new without a sessionId")
        models = answer.get("models")
        current = models.get("currentModelId") if isinstance(models, dict) else None
        modes = answer.get("modes")
        mode = modes.get("currentModeId") if isinstance(modes, dict) else None
        self._mode = mode if isinstance(mode, str) else "default"
        return sid, current if isinstance(current, str) else None

    def _report(self, event: Event) -> None:
        if self._sink is not None:
            self._sink.push(_TOOL_EVENT, event)

    def _fail(self, exc: UserCodeExit) -> None:
        """A tool raised ``SystemExit``/``KeyboardInterrupt``: the turn ends with it (gemini
        meanwhile gets an error result, and its process is stopped, not asked to cancel)."""
        if self._sink is not None:
            self._sink.push(_TOOL_EXIT, exc)

    async def _configure(
        self, agent: LiveAgent, sid: str, request: RunRequest, deadline: float | None
    ) -> None:
        """The run's model and approval mode on the ACP session, where they differ from its own."""
        model = request.model or GEMINI_DEFAULT_MODEL
        if model != self._model:
            await agent.request("session/set_model", {"sessionId": sid, "modelId": model}, deadline)
            self._model = model
        mode = mode_of(request) or "default"
        if mode != self._mode:
            await agent.request("session/set_mode", {"sessionId": sid, "modeId": mode}, deadline)
            self._mode = mode

    async def _turn_on(
        self, agent: LiveAgent, sid: str, request: RunRequest, started: float, end: TurnEnd
    ) -> AsyncGenerator[Event, None]:
        deadline = end.deadline  # the call's, set before the agent started
        await self._configure(agent, sid, request, deadline)
        # oauthpy's own tools are the ones it registered with gemini for this conversation
        own = self._endpoint.names if self._endpoint is not None else frozenset()
        parser = AcpTurn(sid, self._model, own)
        asks = GeminiAsks(request.cwd, own, parser.own_calls)
        sub = self._sink = agent.conn.subscribe(sid)
        #: tool calls under way: gemini is silent meanwhile, which is not idle time
        running: set[str | None] = set()
        text = GeminiProvider.prompt_text(request)
        # The turn's own bounds (idle, total) cut it, below: the request waits as long as it runs.
        prompt = asyncio.ensure_future(
            agent.conn.request("session/prompt", prompt_params(sid, text), timeout=None)
        )
        # After every notification that came before the answer (one reader, in order).
        prompt.add_done_callback(lambda _: sub.push(_ANSWERED, None))
        try:
            while True:
                method, params = await next_update(
                    sub, request, deadline, started, end, "gemini --acp", idle=not running
                )
                if method == _ANSWERED:
                    break
                if method == INCOMING:
                    # a question about a call gemini never announced: start it first, and close
                    # it when refused, so the events have the shape of every other agent's
                    for event in parser.asked(params.method, params.params):
                        yield event
                    served = await serve(params, asks, request, self.permissions, end)
                    for event in parser.answered(params.method, params.params, served):
                        yield event
                elif method == _TOOL_EVENT:
                    event = params
                    if event.status == "in_progress":
                        running.add(event.item_id)
                    else:
                        running.discard(event.item_id)
                    yield event
                elif method == _TOOL_EXIT:
                    end.stop = True
                    raise params
                else:
                    for event in parser.feed(method, params):
                        yield event
            try:
                answer = prompt.result()
            except RpcError as exc:
                # the model API failed; the agent itself is fine and serves on
                end.keep = agent.usable
                raise classify_rpc_error(exc.code, exc.said) from None
            end.keep = True
            end.closing = lambda: parser.finish(answer)
        finally:
            self._sink = None
            if not prompt.done() and not end.timed_out and not end.stop and self._session:
                # broken out of or cancelled: stop the turn, keep the agent if it obeys
                end.keep = await _cancel(agent, sid, prompt)
            if not prompt.done():
                prompt.cancel()
            elif not prompt.cancelled():
                prompt.exception()  # retrieved: an agent's failure is reported once, above
            sub.close()

    async def aclose(self) -> None:
        try:
            await super().aclose()
            await self._headless.aclose()
        finally:
            endpoint, self._endpoint = self._endpoint, None
            if endpoint is not None:
                await endpoint.aclose()


async def _cancel(agent: LiveAgent, sid: str, prompt: asyncio.Future[Any]) -> bool:
    """``session/cancel`` and wait for the prompt's answer; False when that did not work in time."""

    async def cancel() -> None:
        await agent.conn.notify("session/cancel", {"sessionId": sid}, timeout=INTERRUPT_WAIT_S)
        await asyncio.wait((prompt,))

    try:
        await within(cancel(), INTERRUPT_WAIT_S)
    except Exception:  # a second cancel propagates: the agent is then closed, not kept
        return False
    return agent.usable and prompt.done() and not prompt.cancelled() and prompt.exception() is None


async def list_models(inv: Invocation, request: RunRequest, timeout: float) -> tuple[ModelInfo, ...]:
    """The ``models`` a new ACP session offers, from a short-lived ``gemini --acp``."""
    started = time.monotonic()
    agent = await AcpAgent.start(inv, started + timeout, started)
    try:
        answer = await agent.conn.request("session/new", session_params(request), timeout=timeout)
        return models_of(answer)
    finally:
        await agent.aclose()


__all__ = ["AcpAgent", "AcpConversation", "list_models"]
