"""The Agent Client Protocol conversation, written once for every ACP agent.

`AcpAgent` is one agent process (its own process group: launchers such as npm's re-execute
node, and only the group takes both down) behind a JSON-RPC 2.0 `Connection`; its
``initialize`` answer says what it can (``loadSession``, ``authMethods``). `AcpConversation`
runs turns on it: ``session/new`` for a run (each with its own cwd, model, mode and the MCP
server of the run's tools), the same ACP session for every turn of a session, ``session/load``
for ``resume=`` where the agent can load; ``session/prompt`` is the turn, ``session/cancel``
interrupts it, ``session/request_permission`` goes to ``on_permission`` (``elicitation/create``
to ``on_question``), and the session's
``session/update`` notifications go through the pure translator `acp_turn`. What differs
between agents is the conversation's `AcpProfile`.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oauthpy._errors import NotSupportedError, OauthPyError, SessionNotFoundError
from oauthpy._events import Event, ModelInfo
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._options import RunRequest
from oauthpy._permissions import Decision
from oauthpy._pool import AgentPool
from oauthpy._process import Invocation, start_timeout, time_left
from oauthpy._transports.acp.asks import DECLINE, ELICITATION, REQUEST_PERMISSION, AcpAsks, choose
from oauthpy._transports.acp.profile import AcpProfile, auth_methods_text
from oauthpy._transports.acp.prompt_turn import TOOL_EVENT, TOOL_EXIT, PromptTurn
from oauthpy._transports.acp.turn import (
    INIT_PARAMS,
    AcpTurn,
    current_model,
    model_option,
    models_of,
    session_of,
    session_params,
    takes_images,
)
from oauthpy._transports.acp.usage import ContextReports
from oauthpy._transports.rpc import Connection, Subscription
from oauthpy._transports.rpc_messages import RpcError
from oauthpy._user_exit import UserCodeExit

if TYPE_CHECKING:
    from oauthpy._mcp_tools import ToolEndpoint
    from oauthpy._session_controls import ContextUsage
from oauthpy._transports.live import LiveAgent, LiveConversation, initialize
from oauthpy._transports.live_turn import TurnDriver, TurnEnd

#: what starts a conversation's agent process for a run
Launch = Callable[[RunRequest, dict[str, str]], Invocation]


#: per event loop and agent: held while one of its processes starts (see
#: `AcpProfile.one_start_at_a_time`)
_START_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _start_lock(name: str) -> asyncio.Lock:
    locks = _START_LOCKS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(name, asyncio.Lock())


async def _acquire(lock: asyncio.Lock, timeout: float | None) -> bool:
    """``lock`` acquired within ``timeout`` (False when the time ran out); cancelled, it is
    never left held."""
    task = asyncio.ensure_future(lock.acquire())
    try:
        done, _ = await asyncio.wait((task,), timeout=timeout)
    except BaseException:
        task.cancel()
        if task.done() and not task.cancelled():
            lock.release()
        raise
    if not done:
        task.cancel()
        return False
    return True


async def _answer_agent(method: str, params: Any) -> Any:
    """Requests from the agent that no turn takes (its turn is over): refused."""
    if method == REQUEST_PERMISSION:
        return choose(params, Decision.DENY)
    if method == ELICITATION:
        return DECLINE
    raise OauthPyError(f"oauthpy does not serve {method}")


class AcpAgent(LiveAgent):
    """One live ACP agent process, and what its ``initialize`` answer said it can do."""

    def __init__(self, conn: Connection, answer: Any) -> None:
        super().__init__(conn)
        answer = as_dict(answer)
        self.capabilities = as_dict(answer.get("agentCapabilities"))
        #: its ``authMethods``, and in words for the hint of `AuthRequiredError`
        self.auth_method_list = [m for m in as_list(answer.get("authMethods")) if isinstance(m, dict)]
        self.auth_methods = auth_methods_text(self.auth_method_list)

    @classmethod
    async def start(
        cls, profile: AcpProfile, inv: Invocation, deadline: float | None, started: float
    ) -> AcpAgent:
        time_left(deadline, f"starting {profile.title}", started)
        conn = await Connection.start(inv, dialect="jsonrpc2", handler=_answer_agent, router=session_of)
        try:
            answer = await initialize(conn, "initialize", INIT_PARAMS, deadline, started, profile.title)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, answer)

    def loads(self, profile: AcpProfile) -> bool:
        """Whether ``session/load`` can carry a conversation on in this agent."""
        if profile.loads_sessions is not None:
            return profile.loads_sessions
        return self.capabilities.get("loadSession") is True


class AcpConversation(LiveConversation):
    """Runs of one client (``session=False``) or the turns of one session, over ACP."""

    @property
    def transport(self) -> str:  # type: ignore[override]  # a class attribute in the base
        return "acp"

    def __init__(self, profile: AcpProfile, launch: Launch, *, session: bool, pool: AgentPool | None) -> None:
        self.profile = profile
        self.provider = profile.name
        self.side_by_side = profile.sessions_side_by_side
        super().__init__(launch, session=session, pool=pool)
        #: the ACP mode the session is in, and the one it started in
        self._mode = ""
        self._first_mode = ""
        #: the id of the session's model config option, when that is how it takes a model
        self._model_config = ""
        #: the model ids the session offers (``session/new``'s ``models``)
        self._offered: tuple[str, ...] = ()
        #: serves the run's tools to gemini (MCP over loopback HTTP), while the conversation lasts
        self._endpoint: ToolEndpoint | None = None
        #: the running turn's notifications, where the endpoint reports tool calls
        self._sink: Subscription | None = None
        #: the agent's last ``usage_update`` (`context`)
        self._context = ContextReports()

    async def _start(
        self, inv: Invocation, env: dict[str, str], deadline: float | None, started: float
    ) -> LiveAgent:
        if not self.profile.one_start_at_a_time:
            return await AcpAgent.start(self.profile, inv, deadline, started)
        lock = _start_lock(self.profile.name)
        what = f"starting {self.profile.title} (after the ones started before it)"
        # the wait for the others' starts is part of this run's own start
        if not await _acquire(lock, time_left(deadline, what, started)):
            raise start_timeout(what, started)
        try:
            return await AcpAgent.start(self.profile, inv, deadline, started)
        finally:
            lock.release()

    async def _open(
        self, agent: LiveAgent, request: RunRequest, deadline: float | None
    ) -> tuple[str, str | None]:
        servers = []
        if request.tools:
            if self._endpoint is None:
                from oauthpy._mcp_tools import ToolEndpoint

                endpoint = ToolEndpoint(request.tools, self._report, self._fail)
                await endpoint.start()
                self._endpoint = endpoint
            servers.append(self._endpoint.acp_server(self.profile.tool_server))
        assert isinstance(agent, AcpAgent)
        if request.resume:
            sid, answer = request.resume, await self._load(agent, request, servers, deadline)
        else:
            try:
                answer = await agent.request("session/new", session_params(request, servers), deadline)
            except RpcError as exc:
                raise self.profile.classify(
                    exc.code, exc.said, exc.details.get("data"), agent.auth_methods
                ) from None
            sid = as_str(as_dict(answer).get("sessionId"))
            if not sid:
                raise OauthPyError(f"{self.profile.title} answered session/new without a sessionId")
        mode = as_dict(as_dict(answer).get("modes")).get("currentModeId")
        self._mode = self._first_mode = mode if isinstance(mode, str) else ""
        # an agent that offers the model as a config option only takes it that way
        option = model_option(answer)
        self._model_config = as_str(option.get("id")) if option and "models" not in as_dict(answer) else ""
        self._offered = tuple(m.id for m in models_of(answer))
        # an agent that does not say its model (copilot with a provider of one's own) is told
        # the run's by `_configure`, never assumed to run it
        return sid, current_model(answer) or ""

    async def _load(
        self, agent: AcpAgent, request: RunRequest, servers: list[dict[str, Any]], deadline: float | None
    ) -> Any:
        """``session/load`` of ``request.resume``; the history it replays is not this turn's."""
        sid = as_str(request.resume)
        if not agent.loads(self.profile):
            raise SessionNotFoundError(
                sid,
                f"{self.profile.name} cannot load a session into a new process (its ACP agent "
                "does not offer session/load), so resume= cannot continue one",
            )
        sub = agent.conn.subscribe(sid)
        try:
            params = {**session_params(request, servers), "sessionId": sid}
            return await agent.request("session/load", params, deadline)
        except RpcError as exc:
            if self.profile.unknown_session(exc.code, exc.said, exc.details.get("data")):
                raise SessionNotFoundError(
                    sid, f"{self.profile.name}: no session {sid}: {exc.said}"
                ) from None
            raise self.profile.classify(
                exc.code, exc.said, exc.details.get("data"), agent.auth_methods
            ) from None
        finally:
            sub.close()  # the replayed history arrived before the answer, and goes with it

    def _report(self, event: Event) -> None:
        if self._sink is not None:
            self._sink.push(TOOL_EVENT, event)

    def _fail(self, exc: UserCodeExit) -> None:
        """A tool raised ``SystemExit``/``KeyboardInterrupt``: the turn ends with it (the agent
        meanwhile gets an error result, and its process is stopped, not asked to cancel)."""
        if self._sink is not None:
            self._sink.push(TOOL_EXIT, exc)

    async def _configure(
        self, agent: LiveAgent, sid: str, request: RunRequest, deadline: float | None
    ) -> None:
        """The run's model and approval mode on the ACP session, where they differ from its own."""
        model = request.model or self.profile.default_model
        if model:
            model = self.profile.model_id(model, self._offered)
        if model and model != self._model:
            if self._model_config:
                params = {"sessionId": sid, "configId": self._model_config, "value": model}
                await agent.request("session/set_config_option", params, deadline)
            else:
                await agent.request("session/set_model", {"sessionId": sid, "modelId": model}, deadline)
            self._model = model
        mode = self.profile.mode_of(request) or self._first_mode
        if mode and mode != self._mode:
            await agent.request("session/set_mode", {"sessionId": sid, "modeId": mode}, deadline)
            self._mode = mode

    async def _abandon(self, driver: TurnDriver) -> None:
        assert isinstance(driver, PromptTurn)
        await driver.cancel()

    async def _driver(self, agent: LiveAgent, sid: str, request: RunRequest, end: TurnEnd) -> TurnDriver:
        assert isinstance(agent, AcpAgent)
        if request.attachments and not takes_images(agent.capabilities):
            # refused, not sent without its pictures: the answer would be about something else
            raise NotSupportedError(
                f"{self.profile.title} does not accept images in a prompt (its initialize offers no "
                "promptCapabilities.image); the prompt was not sent"
            )
        await self._configure(agent, sid, request, end.deadline)
        # oauthpy's own tools are the ones it registered with the agent for this conversation
        own = self._endpoint.names if self._endpoint is not None else frozenset()
        shown = self.profile.model_name(self._model) if self._model else self._model
        parser = self.profile.turn(sid, shown, own) or AcpTurn(self.profile, sid, shown, own)
        parser.context = self._context
        driver = PromptTurn(
            agent, sid, request, end, parser, AcpAsks(self.profile, request.cwd, own, parser.own_calls)
        )
        self._sink = driver.sub
        return driver

    @property
    def who(self) -> str:
        return self.profile.title

    async def context(self) -> ContextUsage:
        """The context window as the agent's last ``usage_update`` said (`Session.context`)."""
        return self._context.usage(self.profile.title)

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            endpoint, self._endpoint = self._endpoint, None
            if endpoint is not None:
                await endpoint.aclose()


async def list_models(
    profile: AcpProfile, inv: Invocation, request: RunRequest, timeout: float
) -> tuple[ModelInfo, ...]:
    """The ``models`` a new ACP session offers, from a short-lived agent process."""
    started = time.monotonic()
    agent = await AcpAgent.start(profile, inv, started + timeout, started)
    try:
        try:
            answer = await agent.conn.request("session/new", session_params(request), timeout=timeout)
        except RpcError as exc:
            raise profile.classify(exc.code, exc.said, exc.details.get("data"), agent.auth_methods) from None
        return models_of(answer)
    finally:
        await agent.aclose()


__all__ = ["AcpAgent", "AcpConversation", "list_models"]
