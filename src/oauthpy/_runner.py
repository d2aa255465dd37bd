"""The private core under `Client` and `Session`.

It validates requests, resolves the auth env, opens the provider's conversation, runs turns
through the retry loop and parses structured output; `oauthpy._run_outcome` folds the events
into a `RunResult`.
What carries a turn (a CLI process, a live JSON-RPC agent, the claude SDK client) is the
provider's `Conversation`; nothing here knows which.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from oauthpy._errors import (
    AuthRequiredError,
    InvalidOptionsError,
    OauthPyError,
    StructuredOutputError,
    TimeoutExceededError,
)
from oauthpy._user_exit import UserCodeExit, reraise_original

if TYPE_CHECKING:
    from oauthpy._auth.manager import AuthManager
    from oauthpy._budget import Budget
    from oauthpy._events import Event, RunResult
    from oauthpy._options import RunRequest
    from oauthpy._pool import AgentPool
    from oauthpy._run_outcome import Outcome
    from oauthpy._transports.base import Conversation, Provider
    from oauthpy._workspace import WorkspacePlan


def _replace(request: RunRequest, **changes: Any) -> RunRequest:
    import dataclasses  # loaded with `RunRequest` already; a client is built without either

    return dataclasses.replace(request, **changes)


def load_provider(name: str, command: tuple[str, ...] | None = None) -> Provider:
    # Imported on demand so that a codex run never imports the claude SDK, and vice versa.
    from oauthpy import _registry as registry

    provider: Provider = registry.get(name).make_provider(command)
    return provider


def _no_sibling(name: str) -> Runner:
    raise InvalidOptionsError(f"fallback={name!r} needs a client to make it: give Client({name!r}, ...)")


def watch(gen: AsyncGenerator[Event, None], request: RunRequest) -> AsyncGenerator[Event, None]:
    """``gen``, each event shown first to the request's ``on_event`` if it has one."""
    if request.on_event is None:
        return gen
    from oauthpy._on_event import watched

    return watched(gen, request.on_event)


def asks(request: RunRequest) -> bool:
    """Whether a run needs a live channel to the agent: a permission or question callback, or
    tools."""
    return request.on_permission is not None or request.on_question is not None or bool(request.tools)


class Runner:
    """One provider with one auth manager and transport; the pool while ``with Client`` lasts."""

    def __init__(
        self, name: str, auth: AuthManager, transport: str | None, command: tuple[str, ...] | None = None
    ) -> None:
        from oauthpy import _registry as registry

        self.name = name
        self.auth = auth
        self._command = command
        self._provider: Provider | None = None
        agent = registry.get(name)
        choices = agent.transports
        if transport is not None and transport not in choices:
            raise InvalidOptionsError(
                f"unknown transport {transport!r} for {name}; choose one of {', '.join(choices)}"
            )
        #: the transport asked for; None lets the provider choose per conversation
        self.chosen = transport
        #: what carries a lone run outside ``with Client`` (``RunResult.transport`` says per run)
        self.transport = transport or choices[0]
        #: warm agents, only inside ``with Client(...)``
        self.pool: AgentPool | None = None
        #: the client's ``budget_usd`` (`oauthpy._budget.Budget`), charged by every run and turn
        self.budget: Any = None
        #: the client's ``fallback=`` (`oauthpy._failover.Spec`), and the clients of the agents it
        #: names, made once
        self.fallback: Any = None
        self.siblings: dict[str, Runner] = {}
        #: ``(name) -> Runner``: another agent's, made like this one's client (set by the client)
        self.sibling: Callable[[str], Runner] = _no_sibling
        #: the client's ``lean=``: the default of its runs' own
        self.lean = False
        #: where a run's ``other`` events may tell the account's usage (`Agent.usage_observer`)
        self._observer: Any = agent.usage_observer or None

    @property
    def provider(self) -> Provider:
        """The agent's code, imported on first use: a client that is only built (or only asked
        for its status) does not load its agent's parsers and transports."""
        if self._provider is None:
            self._provider = load_provider(self.name, self._command)
        return self._provider

    # -- requests (nothing starts here) ---------------------------------------------------------

    def request(self, prompt: Any, kw: Mapping[str, Any]) -> RunRequest:
        started = time.monotonic()
        request = self._checked(prompt, kw)
        spent = time.monotonic() - started
        if request.timeout and spent > 0.01:
            # `timeout` bounds the call, and checking may load the vendor's SDK (claude: ~1 s)
            request = _replace(request, timeout=max(request.timeout - spent, 0.001), began=started)
        return request

    def placed(self, plan: WorkspacePlan, env: Mapping[str, str | None]) -> WorkspacePlan:
        """``plan`` with its worktree where this agent's commands can see it (`_workspace.placed`);
        ``env``: the run's own variables."""
        from oauthpy import _registry as registry
        from oauthpy._workspace import placed

        hides = registry.get(self.name).sandbox_hides_memory
        if isinstance(hides, str):  # a sandbox that needs this program: there when it is
            from oauthpy._executables import which

            merged = {**os.environ, **self.auth.env, **env}
            hides = which(hides, {k: v for k, v in merged.items() if v is not None}) is not None
        return placed(plan, memory=not hides)

    def check_defaults(self, kw: Mapping[str, Any]) -> RunRequest:
        """Validate a session's defaults before its first turn: the request they make (its
        resolved cwd, its worktree placed)."""
        return self._checked(None, kw, require_prompt=False)

    def _checked(self, prompt: Any, kw: Mapping[str, Any], require_prompt: bool = True) -> RunRequest:
        from oauthpy._options import build_request  # a client is built without it

        if self.lean and "lean" not in kw:
            kw = {**kw, "lean": True}
        request = build_request(prompt, require_prompt=require_prompt, **kw)
        if request.workspace is not None:
            import dataclasses

            from oauthpy._worktree_env import current_attempt

            # the setup's environment: the client's env and the run's, as the agent's has them
            workspace = dataclasses.replace(
                self.placed(request.workspace, request.env),
                attempt=current_attempt(),
                env={**self.auth.env, **request.env},
            )
            request = _replace(request, workspace=workspace)
        self.check(request)
        return request

    def check(self, request: RunRequest) -> None:
        self.auth.check_overrides(request.env)
        self.provider.check(request)
        asking = self.provider.asking
        if asks(request) and self.chosen is not None and self.chosen not in asking:
            raise InvalidOptionsError(
                f"on_permission, on_question and tools need the {' or '.join(asking)} transport of "
                f"{self.name}; "
                f"this client runs on {self.chosen!r}"
            )
        if request.attachments:
            self._check_attachments(request)

    def _check_attachments(self, request: RunRequest) -> None:
        from oauthpy import _registry as registry
        from oauthpy._attachments import check_for_agent

        agent = registry.get(self.name)
        check_for_agent(request.attachments, self.name, agent.attachment_limits, agent.max_attachments)
        attaching = self.attaching
        if self.chosen is not None and self.chosen not in attaching:
            raise InvalidOptionsError(
                f"attachments need the {' or '.join(attaching)} transport of {self.name}; "
                f"this client runs on {self.chosen!r}"
            )
        if asks(request) and not set(attaching) & set(self.provider.asking):
            raise InvalidOptionsError(
                f"{self.name} carries attachments and on_permission/tools on different transports"
            )

    @property
    def attaching(self) -> tuple[str, ...]:
        """The transports that carry attachments (`Provider.attaching`; default: all)."""
        return getattr(self.provider, "attaching", None) or self.provider.transports

    def open(self, *, session: bool, request: RunRequest | None = None) -> Conversation:
        """A conversation on the chosen transport, else one that can ask the user and serve
        tools when ``request`` needs that, else the provider's choice."""
        transport = self.chosen
        if transport is None and request is not None and asks(request):
            transport = self.provider.asking[0]
        if transport is None and request is not None and request.attachments:
            transport = self.attaching[0] if self.attaching != self.provider.transports else None
        return self.provider.open(transport, session=session, pool=self.pool)

    # -- running ------------------------------------------------------------------------------

    async def one_shot(
        self, request: RunRequest, outcome: Outcome, *, live: bool
    ) -> AsyncGenerator[Event, None]:
        """A run on a conversation of its own (an agent of the pool, inside ``with Client``),
        in a worktree of its own when it asked for one; each event shown to ``on_event``."""
        live = live or request.on_event is not None  # whoever watches sees every attempt
        if request.workspace is None:
            gen = self._one_shot(request, outcome, live=live)
        else:
            from oauthpy._worktree_run import in_worktree

            gen = in_worktree(request, outcome, lambda r: self._one_shot(r, outcome, live=live))
        gen = watch(gen, request)
        async with contextlib.aclosing(gen):
            async for event in gen:
                yield event

    async def _one_shot(
        self, request: RunRequest, outcome: Outcome, *, live: bool
    ) -> AsyncGenerator[Event, None]:
        conversation = self.open(session=False, request=request)
        try:
            gen = self.attempts(request, outcome, conversation, live=live)
            async with contextlib.aclosing(gen):
                async for event in gen:
                    yield event
        except UserCodeExit as exc:
            reraise_original(exc)
            raise
        finally:
            await conversation.aclose()

    def attempts(
        self,
        request: RunRequest,
        outcome: Outcome,
        conversation: Conversation,
        *,
        live: bool,
        source: str | None = None,
    ) -> AsyncGenerator[Event, None]:
        """The run's events, through the retry loop when ``max_retries`` asks for one; its
        attachments read once for all of its attempts."""
        if any(file.data is None for file in request.attachments):
            return self._loaded_first(request, outcome, conversation, live=live, source=source)
        if not request.provider_options.get("max_retries"):
            return self._events(request, outcome, conversation, source)  # no retry: no cost
        from oauthpy._retry import RetryLog, RetryPolicy, after_failed_turn_forgotten, retrying

        tries = 0

        def attempt(left: float | None) -> AsyncGenerator[Event, None]:
            nonlocal tries
            tries += 1
            # `timeout` bounds the whole call: each attempt gets what the earlier ones left
            attempt_request = request if left is None else _replace(request, timeout=left)
            gen = self._events(attempt_request, outcome, conversation, source)
            return gen if tries == 1 else after_failed_turn_forgotten(conversation, gen)

        outcome.retry = RetryLog()
        policy = RetryPolicy.from_options(request.provider_options)
        return retrying(attempt, policy, outcome.retry, live=live, timeout=request.timeout)

    async def _loaded_first(
        self,
        request: RunRequest,
        outcome: Outcome,
        conversation: Conversation,
        *,
        live: bool,
        source: str | None,
    ) -> AsyncGenerator[Event, None]:
        from oauthpy._attachments import loaded

        # their bytes, read once from the checked files, off the loop, within the call's time
        files = await loaded(request.attachments, request.deadline(), request.started())
        gen = self.attempts(
            _replace(request, attachments=files), outcome, conversation, live=live, source=source
        )
        async with contextlib.aclosing(gen):
            async for event in gen:
                yield event

    async def _events(
        self, request: RunRequest, outcome: Outcome, conversation: Conversation, source: str | None
    ) -> AsyncGenerator[Event, None]:
        from oauthpy._process import time_left
        from oauthpy._run_outcome import kept_session, last_retry
        from oauthpy._structured import parse_structured

        deadline, started = request.deadline(), request.started()
        budgets = (*request.budgets, self.budget) if self.budget is not None else request.budgets
        from oauthpy._events import EventKind, Usage

        for budget in budgets:
            budget.check()  # nothing starts once a budget is spent
        env, outcome.source = await self.auth.run_env(request.env, source)
        await self.auth.preflight(outcome.source, env, request, conversation.transport)
        reserved: list[Budget] = []
        try:
            for budget in budgets:  # again, and held while runs under way could spend the rest
                await budget.reserve(deadline)
                reserved.append(budget)
        except BaseException:
            for budget in reserved:
                budget.release()
            raise
        notice: Event | None = None  # the agent's retry notice, while no progress follows it
        charged = False  # the budgets counted the run's last event
        try:
            left = time_left(deadline, "preparing the run's login state", started)
            if left is not None:  # `timeout` bounds the call: the turn gets what is left
                request = _replace(request, timeout=left, began=started)
            gen = conversation.turn(request, env)
            async with contextlib.aclosing(gen):
                async for event in gen:
                    notice = last_retry(notice, event)
                    if event.kind is EventKind.OTHER and self._observer is not None:
                        self._observe(event)
                    if event.kind is EventKind.DONE:
                        # known once the turn is under way: a gemini session may go on headless
                        outcome.transport = conversation.transport
                        charged = True
                        for budget in budgets:
                            budget.charge(event.model or request.model, event.usage or Usage())
                        if request.output_schema is not None:
                            try:
                                outcome.output = parse_structured(event.text, request)
                            except StructuredOutputError as exc:
                                exc.of_run(event.usage, event.model, event.session_id)
                                raise
                    yield event
        except OauthPyError as exc:
            if isinstance(exc, StructuredOutputError):
                if exc.usage is not None and not charged:
                    for budget in budgets:  # an agent that checks its own answer (claude) says so
                        budget.charge(exc.model or request.model, exc.usage)  # instead of a last event
                exc.session_id = kept_session(exc.session_id, request)  # as its RunResult would say
            if isinstance(exc, TimeoutExceededError) and notice is not None:
                raise exc.while_retrying(self.name, notice.text or "retrying") from exc
            if not isinstance(exc, AuthRequiredError) or outcome.source != "oauthpy":
                raise
            raise AuthRequiredError(
                f"{exc.message} (the run used oauthpy's isolated login state in {self.auth.isolated_dir})",
                hint=self.auth.isolated_login_hint(exc.hint),
            ) from exc
        finally:
            for budget in reserved:
                budget.release()

    def _observe(self, event: Event) -> None:
        """Hand an ``other`` event to the agent's usage observer (it keeps what the account's
        limits were, under the client's oauthpy home); it never raises."""
        if isinstance(self._observer, str):
            from oauthpy import _registry as registry

            self._observer = registry.get(self.name).usage_observer_function()
        self._observer(self.auth.isolated_dir.parent, self.name, event)

    async def collect(
        self, gen: AsyncGenerator[Event, None], request: RunRequest, outcome: Outcome
    ) -> RunResult:
        """Drain a run's events into its `RunResult` (`oauthpy._run_outcome.collect`)."""
        from oauthpy._run_outcome import collect

        return await collect(gen, request, outcome, self.name, self.transport)
