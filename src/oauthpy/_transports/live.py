"""What every live JSON-RPC agent conversation shares (codex ``app-server``, gemini ``--acp``).

A `LiveAgent` is one long-lived vendor process behind a `Connection`.
A `LiveConversation` runs turns on one: it gets the agent (its own, or a warm one from
the client's `AgentPool`), opens the vendor's conversation on it (a codex
thread, an ACP session), hands the turn to the vendor's subclass, and afterwards keeps the
agent, gives it back to the pool or closes it. The rules live here once:

* a session keeps its agent and its vendor conversation for all its turns; inside ``with Client``
  it takes a warm agent and, closed, gives it back (`give_back`); a lone run whose turn failed
  keeps its agent for a retry (a new vendor conversation on it);
* a warm agent that died while idle is replaced once, before the run has started anything;
* an agent whose turn timed out, failed to stop, or broke the protocol is never used again;
* the closing events (``done``) are yielded after the agent is given back, so a caller's next
  run can already take it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any

from oauthpy._errors import CommandExecutionError, TimeoutExceededError
from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._permissions import Permissions
from oauthpy._pool import AgentPool
from oauthpy._process import Invocation, start_timeout, time_left
from oauthpy._transports.live_asks import serve
from oauthpy._transports.live_turn import (
    TurnDriver,
    TurnEnd,
    cut_by_deadline,
    interrupt,
    next_update,
    ran_out,
)
from oauthpy._transports.rpc import Connection

#: bound on a handshake and on every request that is not a turn (a run's own timeout cuts it)
from oauthpy._transports.rpc_messages import INCOMING

REQUEST_WAIT_S = 60.0


class LiveAgent:
    """One live vendor process (an `Agent`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._closed = False
        #: how many runs or session turns this process has taken
        self.served = 0
        #: the vendor conversations opened on it (a vendor may refuse one to a second process)
        self.threads: set[str] = set()

    def holds(self, conversation_id: str) -> bool:
        """Whether the vendor's conversation ``conversation_id`` was opened on this process."""
        return conversation_id in self.threads

    @property
    def usable(self) -> bool:
        return not self._closed and self.conn.broken is None and not self.conn.proc.gone()

    async def request(self, method: str, params: Any, deadline: float | None) -> Any:
        """A request bounded by the run's deadline and by `REQUEST_WAIT_S`."""
        wait = (
            REQUEST_WAIT_S if deadline is None else min(max(deadline - time.monotonic(), 0.0), REQUEST_WAIT_S)
        )
        return await self.conn.request(method, params, timeout=wait)

    async def aclose(self) -> None:
        self._closed = True
        await self.conn.close()

    def kill_now(self) -> None:
        self._closed = True
        self.conn.proc.kill_now()


async def initialize(
    conn: Connection, method: str, params: Any, deadline: float | None, started: float, who: str
) -> Any:
    """The agent's handshake request, within what is left of the run's deadline (else within
    `REQUEST_WAIT_S`); a timeout says the agent's start was the slow part."""
    what = f"starting {who} (no answer to {method})"
    left = time_left(deadline, what, started)
    try:
        return await conn.request(
            method, params, timeout=REQUEST_WAIT_S if left is None else min(left, REQUEST_WAIT_S)
        )
    except TimeoutExceededError:
        if ran_out(deadline):
            raise start_timeout(what, started) from None
        raise CommandExecutionError(
            f"{who} did not start: {method} got no answer within {REQUEST_WAIT_S:g} s", transient=True
        ) from None


#: the variable that names only the folder a process works in (OpenCode resolves paths from it,
#: so its runs take a process per folder); a catalogue call names its folders in its params and
#: may take a process of any folder (`AgentPool.acquire_any_folder`)
FOLDER_VAR = "PWD"


def process_key(inv: Invocation) -> str:
    """What makes two runs need different processes: argv and env (hashed: env holds secrets),
    as ``family/folder``: processes of one family differ only in their `FOLDER_VAR`."""
    env = dict(inv.env)
    folder = env.pop(FOLDER_VAR, "")
    return f"{_digest(repr((inv.argv, sorted(env.items()))))}/{_digest(folder)}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class LiveConversation:
    """Runs of one client (``session=False``) or the turns of one session, on live agents.

    Subclasses name the `transport` and implement `_start` (a new process and its
    handshake), `_open` (the vendor's conversation on an agent) and `_driver` (the vendor's
    side of a turn); `_turn_on` runs every vendor's turn the same way.
    """

    transport = ""
    provider = ""
    #: one agent serves several conversations at once (ACP sessions side by side): a batch's
    #: lone runs may share it (`AgentPool.share`)
    side_by_side = False

    def __init__(
        self,
        launch: Callable[[RunRequest, dict[str, str]], Invocation],
        *,
        session: bool,
        pool: AgentPool | None,
    ) -> None:
        self._launch = launch
        self._session = session
        self._pool = pool
        self._agent: LiveAgent | None = None
        #: a turn is under way on the agent (it cannot go back to the pool then)
        self._turning = False
        self._key = ""
        #: the vendor's conversation (thread, ACP session), and the agent that has it loaded
        self._thread: str | None = None
        self._thread_agent: LiveAgent | None = None
        #: the model the vendor's conversation runs on, as far as it said
        self._model: str | None = None
        #: what ``on_permission`` allowed for the whole conversation
        self.permissions = Permissions(self.provider)

    @property
    def who(self) -> str:
        """The agent, in messages ("codex app-server")."""
        return f"{self.provider} {self.transport}"

    # -- what a vendor implements ------------------------------------------------------------------

    async def _start(
        self, inv: Invocation, env: dict[str, str], deadline: float | None, started: float
    ) -> LiveAgent:
        """A new agent, started and initialized by the run's ``deadline`` (`start_timeout`)."""
        raise NotImplementedError

    async def _open(
        self, agent: LiveAgent, request: RunRequest, deadline: float | None
    ) -> tuple[str, str | None]:
        """Start (or, with ``request.resume``, resume) the vendor's conversation: its id and the
        model it runs on ("" when the vendor did not say, None when it took the run's)."""
        raise NotImplementedError

    async def _driver(self, agent: LiveAgent, thread: str, request: RunRequest, end: TurnEnd) -> TurnDriver:
        """The vendor's side of a turn on ``thread``, set up but not begun."""
        raise NotImplementedError

    async def _turn_on(
        self, agent: LiveAgent, thread: str, request: RunRequest, started: float, end: TurnEnd
    ) -> AsyncGenerator[Event, None]:
        """The turn's events up to its end, which it reports in ``end``.

        Closed early (``break``, cancellation), it stops the turn if it can and says whether the
        agent may serve again; a timeout leaves ``end.keep`` False.
        """
        driver = await self._driver(agent, thread, request, end)
        who = self.who
        try:
            try:
                await driver.begin()
            except TimeoutExceededError as exc:
                end.timed_out = True  # the agent may still be starting the turn
                raise cut_by_deadline(exc, end.deadline, started, f"{who} started the turn") from None
            while not driver.over:
                # the user's code running (a tool) is not the agent being idle
                method, params = await next_update(
                    driver.sub, request, end.deadline, started, end, who, idle=not driver.busy
                )
                if method == INCOMING:
                    for event in driver.asked(params):
                        yield event
                    served = await serve(params, driver.asks, request, self.permissions, end)
                    for event in driver.answered(params, served):
                        yield event
                    if end.failure is not None:
                        raise end.failure
                    continue
                for event in driver.feed(method, params):
                    yield event
            end.keep = True
            end.closing = driver.finish
        finally:
            if driver.running and self.side_by_side and not self._session:
                # a lone run's agent may be serving other runs, which go on: the turn must end
                # in there too, not run on (and spend the user's quota) until they are done;
                # a broken agent cannot be asked, and its failure is not the run's
                with contextlib.suppress(Exception):
                    await self._abandon(driver)
            elif not end.timed_out and not end.stop and self._session:
                if driver.running:
                    # broken out of or cancelled: stop the turn, keep the agent if it obeys
                    end.keep = await interrupt(agent, driver)
                elif driver.ended:
                    # left after the agent had ended the turn (its last news unread): nothing
                    # to stop, and the session keeps its process
                    end.keep = agent.usable
            driver.close()

    async def _abandon(self, driver: TurnDriver) -> None:
        """Ask the agent to drop a turn that its run has left (timed out, broken out of),
        without waiting: the run's agent is not kept (`side_by_side` conversations only)."""

    # -- the shared rules ------------------------------------------------------------------------------

    async def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        # One deadline for the whole call: starting the agent, its handshake, the turn.
        deadline = request.deadline()
        started = request.started()
        inv = self._launch(request, env)
        key = process_key(inv)
        agent = await self._agent_for(inv, key, env, deadline, started)
        end = TurnEnd(deadline, started)
        closing: list[Event] = []
        succeeded = False
        self._turning = True
        try:
            try:
                thread = await self._thread_for(agent, request, deadline)
            except TimeoutExceededError as exc:
                raise cut_by_deadline(exc, deadline, started, f"{self.who} opened the conversation") from None
            except CommandExecutionError:
                if agent.usable or not agent.served:
                    raise
                # A warm process that died while idle: the run goes on a fresh one, once.
                await self._done_with(agent, key, keep=False)
                agent = await self._agent_for(inv, key, env, deadline, started)
                thread = await self._thread_for(agent, request, deadline)
            agent.served += 1
            gen = self._turn_on(agent, thread, request, started, end)
            async with contextlib.aclosing(gen):
                async for event in gen:
                    yield event
            closing = end.closing()  # or the turn's error, classified
            succeeded = True
        finally:
            self._turning = False
            await self._done_with(agent, key, keep=end.keep and not end.stop, failed=not succeeded)
        for event in closing:
            yield event

    def thread_is_live(self) -> bool:
        """Whether this session's vendor conversation is loaded in a live agent."""
        agent = self._thread_agent
        return self._thread is not None and agent is not None and agent is self._agent and agent.usable

    async def _agent_for(
        self, inv: Invocation, key: str, env: dict[str, str], deadline: float | None, started: float
    ) -> LiveAgent:
        if self._agent is not None:
            if self._key == key and self._agent.usable:
                return self._agent
            await self._drop_agent()
        if self._pool is not None:
            agent = await self._pool.acquire(
                key,
                lambda: self._start(inv, env, deadline, started),
                shared=self.side_by_side and not self._session,
            )
        else:
            agent = await self._start(inv, env, deadline, started)
        self._agent, self._key = agent, key
        return agent

    async def _thread_for(self, agent: LiveAgent, request: RunRequest, deadline: float | None) -> str:
        if self._session and self._thread is not None and self._thread_agent is agent:
            return self._thread
        if self._session and self._thread is not None:
            # the session's conversation, on a new process (the old one broke or timed out)
            request = dataclasses.replace(request, resume=self._thread)
        thread, model = await self._open(agent, request, deadline)
        agent.threads.add(thread)
        # None: the vendor set the requested model itself; "": it did not say which it runs
        self._model = model if model is not None else request.model
        self._thread, self._thread_agent = thread, agent
        return thread

    async def _done_with(self, agent: LiveAgent, key: str, *, keep: bool, failed: bool = False) -> None:
        if self._pool is None or self._session:
            # A session keeps its agent for its next turn. A lone run keeps it only after its
            # turn failed (the model API did), for a retry: a new vendor conversation on it, no
            # second start; closing the conversation closes it.
            if not keep or not (self._session or failed):
                await self._drop_agent()
            return
        self._agent = None
        await self._pool.release(key, agent, reuse=keep)

    async def _drop_agent(self) -> None:
        agent, self._agent = self._agent, None
        if agent is not None:
            await agent.aclose()

    async def aclose(self) -> None:
        await self._drop_agent()

    async def give_back(self) -> None:
        """The session is done: its agent goes back to the client's pool when it is healthy and
        between turns (the next run or session takes it warm), else it is closed."""
        agent, self._agent = self._agent, None
        if agent is None:
            return
        if self._pool is not None and self._session and not self._turning:
            await self._pool.release(self._key, agent, reuse=True)
        else:
            await agent.aclose()
