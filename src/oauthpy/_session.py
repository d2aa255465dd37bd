"""Session: a multi-turn conversation that continues the vendor's own conversation.

Each turn after the first passes the vendor's session id back to the vendor (``codex exec
resume``, gemini ``--resume``, one connected ``ClaudeSDKClient`` for claude), so the agent keeps
its own history, tool results and cache. oauthpy never replays a transcript itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import weakref
from collections.abc import AsyncGenerator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, overload

from oauthpy._errors import InvalidOptionsError, SessionBusyError, SessionClosedError, StructuredOutputError
from oauthpy._events import Event, EventKind, RunResult, Usage
from oauthpy._loop import SyncStream, iterate_sync, run_sync
from oauthpy._session_agent import SessionAgent
from oauthpy._session_controls import SessionControls
from oauthpy._session_options import FAILOVER, FIXED, turn_options
from oauthpy._signature import WORKTREE_OPTIONS, JsonSchema, ModelT, TurnOptions, takes
from oauthpy._teardown import settle
from oauthpy._user_exit import UserCodeExit, reraise_original

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from oauthpy._run_outcome import Outcome
    from oauthpy._runner import Runner
    from oauthpy._signature import _TurnKeywords
    from oauthpy._transports.base import Conversation

#: how long a new turn waits for the turn its caller let go of (``break``) to be interrupted:
#: the vendor's interrupt (5 s) and, when that fails, stopping the process
LET_GO_WAIT_S = 15.0


class Session(SessionAgent, SessionControls):
    """One conversation with one vendor agent. Use as a context manager, or call `close`.

    Made by `Client.session` (or `Client.asession` for ``async with``). Turns run
    one at a time; different sessions may run concurrently. `steer`, `rewind`, `compact` and
    `context` act on the live conversation where the agent has a way (`oauthpy._session_controls`).
    """

    def __init__(
        self,
        runner: Runner,
        *,
        cwd: Any,
        resume: str | None,
        defaults: Mapping[str, Any],
        budget_usd: float | None = None,
    ) -> None:
        self._runner = runner
        from oauthpy._budget import Budget

        self._budget = Budget(budget_usd, "the session's") if budget_usd is not None else None
        #: what the session's finished turns used, and cost where known (`usage`, `cost_usd`)
        self._usage = Usage()
        self._cost: float | None = None
        self._defaults = turn_options(defaults)
        #: the session's failover (``fallback=``, its own or its client's): the agents after
        #: this one, the conversation so far (what the next one is told), the failed tries of
        #: the turn under way
        self._fallback: Any = None
        self._fallback_runners: tuple[Runner, ...] = ()
        self._history: list[tuple[str, str]] = []
        self._failed_over: list[Any] = []
        if runner.fallback is not None or any(k in self._defaults for k in FAILOVER):
            from oauthpy._fallback import split

            self._defaults, self._fallback = split(self._defaults, runner.fallback)
        if "attachments" in self._defaults:
            raise InvalidOptionsError(
                "attachments go with the turn they belong to, not with the session",
                hint="give them to the turn: session.run(prompt, attachments=[...])",
            )
        if self._defaults.get("tools") is not None:
            from oauthpy._tools import build_tools

            # made into Tools once: each turn then only checks them again
            self._defaults["tools"] = build_tools(self._defaults["tools"])
        # Validates cwd and the defaults now, before any turn starts a process.
        checked = runner.check_defaults({**self._defaults, "cwd": cwd})
        self._cwd = checked.cwd
        #: the worktree every turn runs in (``workspace="worktree"``), made at the first turn
        self._plan: Any = checked.workspace
        if self._fallback is not None:
            from oauthpy._fallback import check_session

            self._fallback_runners = check_session(runner, self._fallback, {**self._defaults, "cwd": cwd})
            if self._plan is not None:  # on disk: any of the agents' sandboxes sees it there
                from oauthpy._workspace import placed

                self._plan = placed(self._plan, memory=False)
        #: the fallback agents that may hold the resumed conversation (it failed over to one
        #: before it was closed): asked in order when this agent does not know its id
        self._resume_elsewhere: list[Runner] = []
        self._resume_mine = True
        if resume is not None:
            from oauthpy._fallback import resumable

            resume, self._resume_elsewhere, self._resume_mine = resumable(
                runner, self._fallback_runners, resume
            )
        self._worktree: Any = None
        for made_once in WORKTREE_OPTIONS:  # the plan above holds them
            self._defaults.pop(made_once, None)
        #: the kept worktree's path, once the session closed (``keep_workspace=True``)
        self.workspace: str | None = None
        #: the vendor's id of this conversation; None until the first turn has finished
        self.session_id: str | None = resume
        self._source: str | None = None
        self._busy = False
        self._closed = False
        self._conversation: Conversation | None = None
        #: the event loop the conversation's agent lives on, and the task that closes the agent
        #: when that loop ends (`oauthpy._pool.on_loop_end`)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard: asyncio.Task[None] | None = None
        #: the running turn, one whose caller let go of its generator, and its end
        self._current: object = None
        self._let_go: object = None
        self._idle: asyncio.Event | None = None

    def __repr__(self) -> str:
        return f"Session({self._runner.name!r}, session_id={self.session_id!r}, cwd={self._cwd!r})"

    @property
    def provider(self) -> str:
        """The agent the conversation is on: the client's, until ``fallback=`` moved it."""
        return self._runner.name

    async def _resume_elsewhere_next(self) -> None:
        """Move the resumed conversation to the next fallback agent that may hold its id."""
        await self._move_to(self._resume_elsewhere.pop(0), keep_id=True)

    async def _move_to(self, runner: Runner, *, keep_id: bool) -> None:
        """Move the conversation to ``runner``, one of the fallback agents; the ones after it
        are its fallback then. ``keep_id``: that agent holds the conversation (a resume), else
        it gets a session of its own (failover)."""
        await self._close_conversation()
        self._loop = None  # the next turn binds the new agent to its loop
        after = self._fallback_runners
        self._fallback_runners = after[after.index(runner) + 1 :]
        self._runner = runner
        self._source = None
        if not keep_id:
            self.session_id = None

    @property
    def cwd(self) -> str:
        return self._cwd

    @property
    def usage(self) -> Usage:
        """The tokens of every finished turn of this session (``cost_usd``: see `cost_usd`)."""
        return dataclasses.replace(self._usage, cost_usd=self._cost)

    @property
    def cost_usd(self) -> float | None:
        """What the finished turns cost, reported or estimated (None while none is known)."""
        return self._cost

    def _count(self, used: Usage, model: str | None) -> None:
        from oauthpy._prices import cost_of

        self._usage = self._usage + used
        cost, _ = cost_of(model, used)
        if cost is not None:
            self._cost = (self._cost or 0.0) + cost

    # -- turns ---------------------------------------------------------------------------------

    def _request(self, prompt: Any, kw: Mapping[str, Any]) -> Any:
        self._check_open()
        turn = turn_options(kw)
        merged = {**self._defaults, **turn}
        for key in ("env", "provider_options"):  # per-turn values go over the session's
            if isinstance(self._defaults.get(key), Mapping) and isinstance(turn.get(key), Mapping):
                merged[key] = {**self._defaults[key], **turn[key]}
        request = self._runner.request(prompt, {**merged, "cwd": self._cwd})
        if self._budget is not None:
            request = dataclasses.replace(request, budgets=(self._budget,))
        return request

    def _check_open(self) -> None:
        if self._closed:
            raise SessionClosedError(
                "this session is closed", hint="open a new one with Client.session(resume=...)"
            )

    def _dropped(self, token: object) -> None:
        self._let_go = token  # the caller let go of this turn's generator: it is being closed

    def _turn(
        self, request: Any, outcome: Outcome, *, live: bool, token: object = None
    ) -> AsyncGenerator[Event, None]:
        """The turn's events, each shown first to its ``on_event`` (which sees every attempt)."""
        from oauthpy._runner import watch

        live = live or request.on_event is not None
        if self._fallback is None:
            return watch(self._events(request, outcome, live=live, token=token), request)
        from oauthpy._failover import session_turn

        self._failed_over = []
        return watch(session_turn(self, request, outcome, live=live, token=token), request)

    async def _events(
        self, request: Any, outcome: Outcome, *, live: bool, token: object = None
    ) -> AsyncGenerator[Event, None]:
        self._check_open()
        loop = asyncio.get_running_loop()
        if self._busy and self._loop is loop and self._let_go is self._current and self._idle is not None:
            # The caller broke out of the last turn: asyncio closes (interrupts) it soon.
            await settle(self._idle.wait(), LET_GO_WAIT_S)
        if self._busy and self._loop is loop:
            raise SessionBusyError(
                "a turn of this session is still running; sessions take one turn at a time",
                hint="wait for it to finish, or open another session for parallel work",
            )
        self._bind(loop)
        self._busy = True
        self._current, self._idle = token if token is not None else object(), asyncio.Event()
        idle = self._idle
        try:
            runner = self._runner
            if self._source is None:  # the session keeps the source its first turn used
                self._source = await runner.auth.resolve(request.env)
            if self._conversation is None:
                if self.session_id is not None and runner.pool is not None:
                    # the idle warm agent that made this conversation may still hold it, and a
                    # vendor refuses a second process (codex: "thread ... already has an
                    # active writer")
                    await runner.pool.close_idle(holding=self.session_id)
                self._conversation = runner.open(session=True, request=request)
            request = dataclasses.replace(request, resume=self.session_id)
            conversation = self._conversation

            def attempts(request: Any) -> AsyncGenerator[Event, None]:
                return runner.attempts(request, outcome, conversation, live=live, source=self._source)

            if self._plan is None:
                gen = attempts(request)
            else:
                from oauthpy._workspace import Worktree
                from oauthpy._worktree_run import in_worktree

                if self._worktree is None:
                    self._worktree = Worktree.create(self._plan)
                gen = in_worktree(request, outcome, attempts, self._worktree)
            async with contextlib.aclosing(gen):
                async for event in gen:
                    if event.kind is EventKind.DONE:
                        self._count(event.usage or Usage(), event.model or request.model)
                        if event.session_id:
                            self.session_id = event.session_id
                    yield event
        except StructuredOutputError as exc:
            if exc.usage is not None:  # the turn's answer failed its schema: paid for all the same
                self._count(exc.usage, exc.model or request.model)
            self.session_id = exc.session_id or self.session_id  # and the conversation goes on
            raise
        except UserCodeExit as exc:
            reraise_original(exc)
            raise
        finally:
            self._busy = False
            idle.set()

    @takes(TurnOptions, FIXED)
    def stream(self, prompt: str, **options: Unpack[TurnOptions]) -> AsyncGenerator[Event, None]:
        """The next turn's events as they happen (options are checked now).

        Breaking out of it (or cancelling it) interrupts the turn; the session stays usable and
        its next turn continues the same conversation.
        """
        from oauthpy._run_outcome import Outcome

        token = object()
        gen = self._turn(self._request(prompt, options), Outcome(), live=True, token=token)
        # Dropped by its caller (``break`` in ``async for``), the generator is closed by asyncio a
        # moment later; the next turn waits for that instead of finding the session busy.
        weakref.finalize(gen, self._dropped, token)
        return gen

    @takes(TurnOptions, FIXED)
    def stream_sync(self, prompt: str, **options: Unpack[TurnOptions]) -> SyncStream[Event]:
        """Sync twin of `stream`."""
        return iterate_sync(self.stream(prompt, **options))

    # The overloads type ``RunResult.output`` by ``output_schema`` (as on Client.run).
    @overload
    async def arun(
        self, prompt: str, *, output_schema: type[ModelT], **options: Unpack[_TurnKeywords]
    ) -> RunResult[ModelT]: ...
    @overload
    async def arun(
        self, prompt: str, *, output_schema: JsonSchema | None = None, **options: Unpack[_TurnKeywords]
    ) -> RunResult[Any]: ...
    @takes(TurnOptions, FIXED)
    async def arun(self, prompt: str, **options: Unpack[TurnOptions]) -> RunResult[Any]:
        """Run the next turn to completion."""
        return await self._arun(self._request(prompt, options))

    async def _arun(self, request: Any) -> RunResult[Any]:
        from oauthpy._run_outcome import Outcome

        outcome = Outcome()
        runner = self._runner
        result = await runner.collect(self._turn(request, outcome, live=False), request, outcome)
        if self._runner is not runner:  # it moved to another agent: the result is that agent's
            result = dataclasses.replace(result, provider=self.provider, attempts=tuple(self._failed_over))
        return result

    @overload
    def run(
        self, prompt: str, *, output_schema: type[ModelT], **options: Unpack[_TurnKeywords]
    ) -> RunResult[ModelT]: ...
    @overload
    def run(
        self, prompt: str, *, output_schema: JsonSchema | None = None, **options: Unpack[_TurnKeywords]
    ) -> RunResult[Any]: ...
    @takes(TurnOptions, FIXED)
    def run(self, prompt: str, **options: Unpack[TurnOptions]) -> RunResult[Any]:
        """Sync twin of `arun`: the keyword arguments of ``Client.run`` but ``cwd`` and
        ``tools``, which the session keeps."""
        return run_sync(self._arun(self._request(prompt, options)))

    # -- closing ---------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """End any process the session holds. The conversation stays resumable by its id."""
        self._closed = True
        try:
            await self._close_conversation()
        finally:
            worktree, self._worktree = self._worktree, None
            if worktree is not None and self._plan.keep:
                worktree.keep()
                self.workspace = worktree.path
            elif worktree is not None:
                worktree.remove()

    def close(self) -> None:
        run_sync(self.aclose())

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
