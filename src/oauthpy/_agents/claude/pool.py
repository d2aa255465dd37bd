"""Warm Claude processes inside ``with Client("claude")``: one connected CLI serves run after run.

Claude Code starts a new conversation on a live process when it is sent ``/clear`` as a
prompt: a new session id, no model request, its cost totals back at zero (measured: the next
model request holds only the new prompt and equals a fresh run's, but for the session id and
the three text blocks recording the ``/clear``). A pooled run is therefore as isolated as a
fresh one, at about a tenth of its time. What ``/clear`` does not reset decides when a process
is given back to the pool (`ClaudeAgent.give_back`), and it fails closed:

* background work (shells, subagents) and session crons survive ``/clear`` and would speak in
  the next conversation: a Stop hook reports them at the end of each turn, and a process whose
  turn left any, or gave no report, is closed;
* a prompt that is itself a slash command (``/model``, ``/add-dir``, ...) changes the process:
  it runs on a process of its own (`poolable`), as do resumed runs, SDK options that make
  ``/clear`` a model prompt or pin a session, and runs with MCP servers of the user's own (their
  state, a counter or a browser's cookies, would outlive ``/clear``);
* a run that timed out, failed, was cancelled or broken out of closes its process;
* after ``/clear`` the process must say it started a new conversation, with the same settings
  as its first one (model, permission mode, tools, folder...), or it is closed.

Each run's callback and tools are its own (`ClaudeAsks.start_turn`), run in its own
``contextvars`` context, as a fresh process would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import signal
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from oauthpy._agents.claude.asks import asks_user, tools_shown
from oauthpy._agents.claude.session import ClaudeConversation, Connected, close_cli, connect
from oauthpy._errors import CommandExecutionError
from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._permissions import Permissions
from oauthpy._pool import AgentPool
from oauthpy._run_marks import (
    KILL_NOW_WAIT_S,
    kill_marked,
    own_children,
    reap_now,
    release,
    run_pids,
    state_of,
)
from oauthpy._teardown import within

if TYPE_CHECKING:
    from oauthpy._agents.claude.provider import ClaudeProvider
    from oauthpy._agents.claude.sdk import Reader

#: bound on the ``/clear`` between two runs (measured: about 0.05 s)
CLEAR_WAIT_S = 5.0
#: SDK options that pin a session or make ``/clear`` an ordinary prompt: never pooled
_UNPOOLED_SDK_OPTIONS = frozenset(
    {"verbatim_prompts", "resume", "continue_conversation", "fork_session", "session_id", "session_store"}
)
#: what may differ between the ``init`` of a process's conversations
_PER_CONVERSATION = frozenset({"session_id", "uuid"})


def poolable(request: RunRequest) -> bool:
    """Whether a run may go on a shared process (else it gets a process of its own)."""
    opts = request.provider_options
    sdk = opts.get("sdk_options") or {}
    return (
        request.resume is None
        and not request.prompt.lstrip().startswith("/")
        and not _UNPOOLED_SDK_OPTIONS.intersection(sdk)
        and not opts.get("mcp_servers")
        and not sdk.get("mcp_servers")
    )


def pool_key(request: RunRequest, env: dict[str, str]) -> str:
    """Everything the CLI fixes when it starts (hashed: the env holds secrets).

    The tools count by what the CLI was shown of them (name, description, arguments): each run's
    calls go to its own functions.
    """
    text = repr(
        (
            request.cwd,
            request.model,
            sorted((k, repr(v)) for k, v in request.provider_options.items()),
            repr(request.output_schema),
            sorted(env.items()),
            asks_user(request),
            tools_shown(request.tools),
            request.lean,
        )
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ClaudeAgent:
    """One connected Claude CLI of the pool (an `oauthpy._pool.Agent`)."""

    def __init__(self) -> None:
        self.cli: Connected | None = None
        #: the Stop hook's report of the run on it now: background tasks and crons left
        self.stop_report: dict[str, Any] | None = None
        #: the ``init`` data of its first conversation, which every later one must match
        self.first_init: dict[str, Any] | None = None
        #: the session id of the conversation on it now
        self.session_id: str | None = None
        #: runs it was checked out for
        self.runs = 0
        self._closed = False

    async def on_stop(self, data: Any, tool_use_id: Any, context: Any) -> Any:
        """The SDK's Stop hook: a turn ended; what it leaves running."""
        if isinstance(data, dict):
            self.stop_report = {k: data.get(k) for k in ("background_tasks", "session_crons")}
        return {}

    @property
    def usable(self) -> bool:
        if self._closed or self.cli is None:
            return False
        transport = getattr(self.cli.client, "_transport", None)
        process = getattr(transport, "_process", None)
        ready = getattr(transport, "is_ready", None)
        return process is not None and process.returncode is None and callable(ready) and bool(ready())

    def exited(self) -> bool:
        """Its CLI process has ended, whether or not the event loop has reaped it yet."""
        transport = getattr(self.cli.client, "_transport", None) if self.cli is not None else None
        pid = getattr(getattr(transport, "_process", None), "pid", None)
        return not isinstance(pid, int) or state_of(pid) in (None, "Z")

    def seen(self, msg: Any) -> None:
        """A message of a run on this process: its first ``init`` is the fingerprint."""
        if type(msg).__name__ == "SystemMessage" and getattr(msg, "subtype", None) == "init":
            data = getattr(msg, "data", None) or {}
            self.session_id = data.get("session_id") or self.session_id
            if self.first_init is None:
                self.first_init = dict(data)

    def clean(self) -> bool:
        """The run on it left nothing running that outlives its conversation."""
        report = self.stop_report
        return (
            report is not None and report.get("background_tasks") == [] and report.get("session_crons") == []
        )

    async def clear(self) -> bool:
        """Start a new conversation with ``/clear``; whether it is as fresh as a new process's."""
        assert self.cli is not None
        client = self.cli.client
        before, reset, init, result = self.session_id, False, None, None
        await client.query("/clear")
        async with contextlib.aclosing(client.receive_response()) as messages:
            async for msg in messages:
                name = type(msg).__name__
                if name == "ConversationResetMessage":
                    reset = True
                elif name == "SystemMessage" and getattr(msg, "subtype", None) == "init":
                    init = dict(getattr(msg, "data", None) or {})
                elif name == "ResultMessage":
                    result = msg
        if not reset or init is None or result is None or self.first_init is None:
            return False
        if getattr(result, "is_error", True) or getattr(result, "num_turns", None) != 0:
            return False
        if getattr(result, "total_cost_usd", None) not in (None, 0, 0.0):
            return False  # each run's cost is its own only while /clear starts the count again
        if init.get("session_id") in (None, before) or _settings(init) != _settings(self.first_init):
            return False
        self.session_id = init["session_id"]
        return True

    async def give_back(self, pool: AgentPool, key: str, deadline: float | None) -> None:
        """Back to ``pool`` for the next run when it is clean and cleared, else closed; the
        ``/clear`` fits in what is left of the run's ``deadline``."""
        reuse = False
        wait = CLEAR_WAIT_S if deadline is None else min(CLEAR_WAIT_S, deadline - time.monotonic())
        try:
            if wait > 0 and not pool.closed and self.usable and self.clean():
                try:
                    reuse = await within(self.clear(), wait)
                except Exception:  # a slow, failed or odd /clear: the process is not trusted again
                    reuse = False
        except BaseException:
            await self.aclose()  # cancelled mid-/clear: a process is never left checked out
            raise
        await pool.release(key, self, reuse=reuse)

    async def aclose(self, reader: Reader | None = None) -> None:
        cli, self.cli = self.cli, None
        self._closed = True
        if cli is not None:
            await close_cli(cli.client, cli.marker, reader)

    def kill_now(self) -> None:
        self._closed = True
        cli, self.cli = self.cli, None
        if cli is None:
            return
        # the CLI is this process's child (the SDK started it) and its loop no longer runs: from
        # Python 3.12 that loop's pidfd watcher was what reaped it, so it is reaped here (left,
        # it stays a zombie until exit, and then PID 1's)
        reap_now(own_children(kill_marked(cli.marker, signal.SIGKILL)), KILL_NOW_WAIT_S)
        if not run_pids(cli.marker):
            release(cli.marker)  # else the exit hook looks once more


def _settings(init: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in init.items() if k not in _PER_CONVERSATION}


class PooledClaude(ClaudeConversation):
    """Runs of a client inside ``with Client("claude")``, each on a warm process of the pool.

    The turn itself is a session turn's (`ClaudeConversation`), but a run closed early is not
    interrupted and kept: its process is closed, as a lone run's would be.
    """

    interrupt_to_keep = False

    def __init__(self, provider: ClaudeProvider, pool: AgentPool) -> None:
        super().__init__(provider)
        self._pool = pool
        self._agent: ClaudeAgent | None = None
        self._pool_key = ""
        self._deadline: float | None = None
        #: the run's process had served runs before and was found dead when the run failed
        self._lost_warm = False

    async def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        self._deadline = request.deadline()
        pooled = poolable(request)
        for last in (False, True):
            self.ended_ok = self._lost_warm = False
            gen = super().turn(request, env) if pooled else self._provider.events(request, env)
            yielded = False
            try:
                async with contextlib.aclosing(gen):
                    async for event in gen:
                        yielded = True
                        yield event
                return
            except CommandExecutionError:
                # A warm process that died while idle, noticed only by this run: the run goes
                # on a fresh process, once (as `LiveConversation.turn` does for live agents).
                if last or yielded or not self._lost_warm:
                    raise
                if self._deadline is not None:  # the retry gets what is left of the run's time
                    left = self._deadline - time.monotonic()
                    if left <= 0:
                        raise
                    request = dataclasses.replace(request, timeout=left)
            finally:
                if not self.ended_ok:
                    await self.aclose()  # an error result: not kept through a retry's backoff

    async def _connect(
        self, request: RunRequest, env: dict[str, str], key: str, deadline: float | None, started: float
    ) -> None:
        pool_id = pool_key(request, env)

        async def start() -> ClaudeAgent:
            agent = ClaudeAgent()
            from claude_agent_sdk import HookMatcher

            hooks = {"Stop": [HookMatcher(hooks=[agent.on_stop])]}
            agent.cli = await connect(self._provider, request, env, deadline, started, hooks=hooks)
            return agent

        agent = await self._pool.acquire(pool_id, start)
        assert agent.cli is not None
        agent.runs += 1
        agent.stop_report = None
        agent.cli.stderr.clear()  # an error of this run reports only its own
        if agent.cli.asks is not None:
            agent.cli.asks.permissions = Permissions(self._provider.name)  # allow_always: one run
        self._agent, self._pool_key = agent, pool_id
        self._client, self._key, self._marker = agent.cli.client, key, agent.cli.marker
        self._asks, self._stderr = agent.cli.asks, agent.cli.stderr
        self._cost_seen = 0.0  # a new conversation counts from zero

    def _messages(self) -> Any:
        agent = self._agent

        async def tapped() -> AsyncGenerator[Any, None]:
            async with contextlib.aclosing(self._client.receive_response()) as messages:
                async for msg in messages:
                    if agent is not None:
                        agent.seen(msg)
                    yield msg

        return tapped()

    async def aclose(self, reader: Reader | None = None) -> None:
        agent, self._agent = self._agent, None
        self._client = None
        if agent is None:
            return
        if reader is not None or not self.ended_ok:
            self._lost_warm = agent.runs > 1 and agent.exited()
            await agent.aclose(reader)
            return
        await agent.give_back(self._pool, self._pool_key, self._deadline)


__all__ = ["ClaudeAgent", "PooledClaude", "poolable", "pool_key"]
