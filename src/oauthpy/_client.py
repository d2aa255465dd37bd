"""Client: one object per provider, the same methods for all of them."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

from oauthpy._checks import check_env, positive_number
from oauthpy._client_account import AccountMethods
from oauthpy._client_batch import BatchMethods
from oauthpy._client_catalogue import CatalogueMethods
from oauthpy._client_checks import check_command, check_home, misspelt_keyword
from oauthpy._client_review import ReviewMethods
from oauthpy._errors import InvalidOptionsError, UnsupportedProviderError
from oauthpy._loop import SyncStream, iterate_sync, run_sync
from oauthpy._names import AUTH_SOURCES, AuthSource, TransportName
from oauthpy._registry import ProviderName
from oauthpy._run_outcome import Outcome
from oauthpy._runner import Runner
from oauthpy._signature import JsonSchema, ModelT, RunOptions, takes

if TYPE_CHECKING:
    from pathlib import Path

    from typing_extensions import Unpack

    from oauthpy._events import Event, RunResult
    from oauthpy._options import RunRequest
    from oauthpy._session import Session
    from oauthpy._signature import _RunKeywords


#: how long a warm agent inside ``with Client(...)`` may stay idle before it closes
KEEP_ALIVE_S = 60.0


def _sibling(
    auth_source: AuthSource,
    home: str | os.PathLike[str] | None,
    env: Mapping[str, str | None] | None,
    name: str,
) -> Runner:
    """The runner of another agent for ``fallback=``, made as the client was (its login source,
    home and environment; its own fake in the offline mode)."""
    return Client(name, auth_source=auth_source, oauthpy_home=home, env=env)._runner  # type: ignore[arg-type]


class Client(BatchMethods, CatalogueMethods, AccountMethods, ReviewMethods):
    """Runs prompts through one vendor's official CLI/SDK and normalizes what comes back.

    ``provider`` is ``"codex"``, ``"claude"``, ``"gemini"``, any other agent of the registry
    (`providers` lists them), or ``"acp"`` with ``command=``: any agent that speaks the Agent
    Client Protocol on stdio, e.g. ``Client("acp", command=["opencode", "acp"])``
    (docs/acp.md). ``auth_source`` chooses whose
    login state the vendor tool uses: ``"oauthpy"`` (isolated under ``oauthpy_home``, default
    ``$OAUTHPY_HOME`` or ``~/.oauthpy``), ``"external"`` (the vendor's normal state) or
    ``"auto"`` (see docs/auth.md). ``env`` is merged over ``os.environ`` for every vendor
    process of this client (``None`` removes a variable); a run's own ``env`` goes on top.

    ``transport`` chooses what carries the runs, where a provider has a choice: codex runs on
    ``"app-server"`` (one live process: text deltas, fast follow-up turns) by default, or on
    ``"exec"`` (a ``codex exec`` process per run). gemini runs a session, and every run inside
    ``with Client``, on ``"acp"`` (one live ``gemini --acp`` process) and a lone run on
    ``"stream-json"`` (a process per run, which also reports shell output) unless one of the two
    is asked for. `transports` lists them; ``RunResult.transport`` says what carried a run.

    Used as a context manager (``with Client(...) as c`` / ``async with``), the client keeps
    its live vendor processes warm between runs, like an HTTP client's connection pool: a run
    gets a fresh thread on an idle process with the same process-level settings, an idle one
    closes after ``keep_alive`` seconds, and all close when the block ends (docs/live.md).

    ``budget_usd`` stops spending: once the runs of this client have cost that much (as the
    vendor reported, else estimated), no new run starts (`BudgetExceededError`); docs/account.md.

    ``fallback`` names the agents (or clients) that take a run's work, in order, when this one
    cannot: its plan ran out (`QuotaExceededError`), it is not installed or not logged in;
    ``fallback_on`` adds ``"timeout"`` and ``"crash"``, ``fallback_after_s`` is how long a rate
    limit may ask to wait first (default 60). A run's own ``fallback=`` goes over it;
    docs/failover.md.

    ``lean=True`` makes every run, ``map`` item and session of the client a lean one (a run's
    own ``lean=`` goes over it): docs/lean.md.
    """

    def __init__(
        self,
        provider: ProviderName,
        *,
        auth_source: AuthSource = "auto",
        oauthpy_home: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        transport: TransportName | None = None,
        keep_alive: float = KEEP_ALIVE_S,
        command: Sequence[str] | None = None,
        budget_usd: float | None = None,
        fallback: Sequence[str | Client] | None = None,
        fallback_on: Sequence[Literal["timeout", "crash"]] | None = None,
        fallback_after_s: float | None = None,
        lean: bool = False,
        **misspelt: NoReturn,  # typed so that checkers still refuse any other keyword
    ) -> None:
        if misspelt:
            raise misspelt_keyword(next(iter(misspelt)), _KEYWORDS)
        from oauthpy import _registry as registry

        agent = registry.find(provider)
        if agent is None:
            near = provider.lower() if isinstance(provider, str) else None
            known = registry.names()
            raise UnsupportedProviderError(
                f"unknown provider {provider!r}; choose one of {', '.join(known)}",
                hint=f"provider names are lower case: Client({near!r})" if near in known else None,
            )
        argv = check_command(provider, command, agent.takes_command)
        if auth_source not in AUTH_SOURCES:
            raise InvalidOptionsError(
                f"unknown auth_source {auth_source!r}; choose one of {', '.join(AUTH_SOURCES)}"
            )
        check_home(oauthpy_home)
        self.provider = provider
        self.auth_source = auth_source
        if os.environ.get("OAUTHPY_OFFLINE"):  # the fakes instead of an account: docs/testing.md
            from oauthpy.testing.offline_mode import honor_env

            honor_env()
        from oauthpy._folders import oauthpy_home as default_home

        # os.path, not pathlib: building a client imports no more than it needs (`oauthpy_home`)
        self._home = os.path.abspath(os.path.expanduser(oauthpy_home or default_home()))
        from oauthpy._auth.manager import AuthManager  # lazy: `import oauthpy` stays light

        if transport is not None and not isinstance(transport, str):
            raise InvalidOptionsError(f"transport must be a string, got {type(transport).__name__}")
        from oauthpy._budget import Budget, check_budget

        budget = check_budget(budget_usd)
        alive = positive_number("keep_alive", keep_alive)
        assert alive is not None
        self.keep_alive = alive
        env = check_env(env)
        given_env = env  # a fallback agent's client gets it (not this agent's offline fake's)
        mode = sys.modules.get("oauthpy.testing.offline_mode")
        if mode is not None and mode.active():  # this agent's own fake environment first
            env = {**mode.agent_env(provider), **(env or {})}
        self._auth = AuthManager(provider, auth_source, self._home, env, argv)
        self._auth.check_overrides({})
        self._runner = Runner(provider, self._auth, transport, argv)
        if not isinstance(lean, bool):
            raise InvalidOptionsError(f"lean must be True or False, got {type(lean).__name__}")
        self._runner.lean = lean
        if budget is not None:
            self._runner.budget = Budget(budget, "the client's")
        self._runner.sibling = functools.partial(_sibling, auth_source, oauthpy_home, given_env)
        if fallback is not None or fallback_on is not None or fallback_after_s is not None:
            from oauthpy._fallback import check_spec

            spec = check_spec(fallback, fallback_on, fallback_after_s)
            if spec is not None and provider in [
                a if isinstance(a, str) else a.provider for a in spec.agents
            ]:
                raise InvalidOptionsError(f"fallback names {provider}, the client's own agent")
            self._runner.fallback = spec if spec is not None and spec.agents else None
        self._depth = 0

    def __repr__(self) -> str:
        return f"Client({self.provider!r}, auth_source={self.auth_source!r}, transport={self.transport!r})"

    @property
    def oauthpy_home(self) -> Path:
        """Where ``auth_source="oauthpy"`` keeps each agent's own login state (a folder per agent)."""
        from pathlib import Path

        return Path(self._home)

    @property
    def transport(self) -> str:
        """The transport asked for, else what carries a lone run outside ``with Client``."""
        return self._runner.transport

    @staticmethod
    def providers() -> tuple[str, ...]:
        """The name of every agent oauthpy knows (the registry's), ``"acp"`` included."""
        from oauthpy import _registry as registry

        return registry.names()

    @property
    def transports(self) -> tuple[str, ...]:
        """What can carry this provider's runs; the first is the default."""
        from oauthpy import _registry as registry

        return registry.get(self.provider).transports

    def state_dirs(self) -> dict[str, Path]:
        """Where each auth source keeps this provider's login state (``oauthpy``, ``external``)."""
        return self._auth.state_dirs()

    # -- warm agents -------------------------------------------------------------------------

    def _enter(self) -> None:
        if self._depth == 0:
            from oauthpy._pool import AgentPool

            self._runner.pool = AgentPool(self.keep_alive)
        self._depth += 1

    async def _aexit(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            pool, self._runner.pool = self._runner.pool, None
            if pool is not None:
                await pool.aclose()

    def __enter__(self) -> Client:
        self._enter()
        return self

    def __exit__(self, *exc: object) -> None:
        run_sync(self._aexit())

    async def __aenter__(self) -> Client:
        self._enter()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._aexit()

    # -- streaming -------------------------------------------------------------------------

    @takes(RunOptions)
    def stream(self, prompt: str, **options: Unpack[RunOptions]) -> AsyncGenerator[Event, None]:
        """Yield events as they happen. Options are checked now, before anything starts.

        Takes the keyword arguments of `run`. Closing the generator (``aclose()``, or
        ``contextlib.aclosing``) stops the vendor process at once.
        """
        request = self._request(prompt, options)
        if request.fallback is not None:
            from oauthpy._failover import stream

            return stream(self._runner, request)
        return self._runner.one_shot(request, Outcome(), live=True)

    @takes(RunOptions)
    def stream_sync(self, prompt: str, **options: Unpack[RunOptions]) -> SyncStream[Event]:
        """Sync twin of `stream`: an iterator of events that is also a context manager.

        ``for e in client.stream_sync(...): break`` stops the vendor process at once (nothing
        else holds the iterator). An iterator kept in a variable keeps the run going until its
        ``close()``, the end of ``with client.stream_sync(...) as events:``, or garbage collection.
        """
        return iterate_sync(self.stream(prompt, **options))

    def _request(self, prompt: object, options: Mapping[str, Any]) -> RunRequest:
        """A run's checked request, with its failover's plan (``fallback=``, the run's or the
        client's) when it has one."""
        from oauthpy._fallback import KEYWORDS

        runner = self._runner
        if runner.fallback is None and not KEYWORDS & options.keys():
            return runner.request(prompt, options)
        from oauthpy._fallback import planned

        return planned(runner, prompt, options)

    # -- one-shot runs -----------------------------------------------------------------------

    # The overloads type ``RunResult.output`` by ``output_schema``; `takes` gives the one
    # signature that help() and inspect show, from RunOptions.
    @overload
    async def arun(
        self, prompt: str, *, output_schema: type[ModelT], **options: Unpack[_RunKeywords]
    ) -> RunResult[ModelT]: ...
    @overload
    async def arun(
        self, prompt: str, *, output_schema: JsonSchema | None = None, **options: Unpack[_RunKeywords]
    ) -> RunResult[Any]: ...
    @takes(RunOptions)
    async def arun(self, prompt: str, **options: Unpack[RunOptions]) -> RunResult[Any]:
        """Async twin of `run`."""
        return await self._arun(self._request(prompt, options))

    async def _arun(self, request: RunRequest) -> RunResult[Any]:
        if request.fallback is not None:
            from oauthpy._failover import arun

            return await arun(self._runner, request)
        outcome = Outcome()
        runner = self._runner
        return await runner.collect(runner.one_shot(request, outcome, live=False), request, outcome)

    @overload
    def run(
        self, prompt: str, *, output_schema: type[ModelT], **options: Unpack[_RunKeywords]
    ) -> RunResult[ModelT]: ...
    @overload
    def run(
        self, prompt: str, *, output_schema: JsonSchema | None = None, **options: Unpack[_RunKeywords]
    ) -> RunResult[Any]: ...
    @takes(RunOptions)
    def run(self, prompt: str, **options: Unpack[RunOptions]) -> RunResult[Any]:
        """Run a prompt to completion, synchronously (also inside a running event loop).

        ``cwd`` is the agent's working directory. ``env`` is merged over ``os.environ`` for the
        vendor process (``None`` removes a variable). ``timeout`` bounds the whole run,
        ``idle_timeout`` the silence between two pieces of output; both raise
        `TimeoutExceededError` after killing the process. ``output_schema`` (a JSON
        schema or a pydantic model class) makes ``RunResult.output`` the parsed answer.

        ``on_permission`` is asked before the agent runs a command, changes files or uses a
        tool, and answers ``True``/``False`` or a `Decision` (docs/permissions.md).
        ``on_question`` answers a `Question` the agent asks the user (a label, labels, free text,
        or None to decline; without one every question is declined: docs/sessions.md).
        ``on_event`` is called with every event as it happens (a sync or an async function;
        what it raises ends the run and reaches the caller; docs/reference.md).
        ``tools`` hands the agent Python functions to call (docs/tools.md). An unknown keyword
        is a `TypeError`, as for any Python function, on every method alike.

        To type checkers, ``output_schema=Label`` (a pydantic model class) returns a
        ``RunResult[Label]`` whose ``output`` is a ``Label``; any other run a ``RunResult[Any]``.
        """
        return run_sync(self._arun(self._request(prompt, options)))

    @takes(RunOptions)
    def check(self, prompt: str, **options: Unpack[RunOptions]) -> None:
        """Check a run's arguments as `run` does, starting nothing: `InvalidOptionsError` (or the
        `TypeError` of an unknown keyword) for what `run` would refuse. For code that starts
        several runs and wants them all valid before the first starts (``oauthpy.compare``)."""
        self._request(prompt, options)

    # -- sessions ----------------------------------------------------------------------------------

    @takes(RunOptions)
    def session(
        self, *, resume: str | None = None, budget_usd: float | None = None, **options: Unpack[RunOptions]
    ) -> Session:
        """A multi-turn conversation that continues the vendor's own conversation.

        ``resume`` continues an earlier one by its ``session_id`` (from any ``RunResult``).
        The other arguments are defaults for every turn; a turn may override them, except
        ``cwd`` and ``tools``, which the vendor's conversation is opened with. Use it as a
        context manager (``with``), or call ``close()``. ``budget_usd``: no new turn starts once
        the session's turns have cost that much (`BudgetExceededError`).
        """
        return self._session(resume, options, budget_usd)

    @takes(RunOptions)
    def asession(
        self, *, resume: str | None = None, budget_usd: float | None = None, **options: Unpack[RunOptions]
    ) -> Session:
        """`session` for ``async with``; the same object, used with the async methods."""
        return self._session(resume, options, budget_usd)

    def _session(self, resume: str | None, options: Mapping[str, object], budget_usd: object) -> Session:
        from oauthpy._budget import check_budget
        from oauthpy._session import Session

        defaults = {k: v for k, v in options.items() if k != "cwd"}
        budget = check_budget(budget_usd)
        return Session(
            self._runner, cwd=options.get("cwd", "."), resume=resume, defaults=defaults, budget_usd=budget
        )


# The methods that live in mixins (_client_batch, _client_catalogue, _client_account) are the
# client's: their errors ("Client.map() got an unexpected keyword") and reprs say so.
for _mixin in (BatchMethods, CatalogueMethods, AccountMethods, ReviewMethods):
    for _name, _method in vars(_mixin).items():
        if not _name.startswith("_") and callable(_method):
            for _fn in (_method, getattr(_method, "__wrapped__", None)):
                if _fn is not None:
                    _fn.__qualname__ = f"Client.{_name}"
del _mixin, _name, _method, _fn

# help() and inspect show the real keywords, not the catch-all that only exists to explain a typo
_init_signature = inspect.signature(Client.__init__)
Client.__init__.__signature__ = _init_signature.replace(  # type: ignore[attr-defined]
    parameters=[p for p in _init_signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
)
#: the constructor's keywords, for the "did you mean" of a misspelt one
_KEYWORDS = tuple(p.name for p in _init_signature.parameters.values() if p.kind is p.KEYWORD_ONLY)
del _init_signature
