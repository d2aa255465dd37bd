"""Client: one object per provider, the same methods for all of them."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any

from ._loop import SyncStream, iterate_sync, run_sync
from .errors import (
    AuthRequiredError,
    InvalidOptionsError,
    OauthPyError,
    UnsupportedProviderError,
)
from .events import AuthStatus, Event, EventKind, RunResult, Usage
from .options import AUTH_SOURCES, PROVIDERS, RunRequest, build_request, check_env, positive_number

if TYPE_CHECKING:
    from .providers.base import Provider
    from .session import Session


def _load_provider(name: str) -> Provider:
    # Imported on demand so that a codex run never imports the claude SDK, and vice versa.
    if name == "codex":
        from .providers.codex import CodexProvider

        return CodexProvider()
    if name == "claude":
        from .providers.claude import ClaudeProvider

        return ClaudeProvider()
    if name == "gemini":
        from .providers.gemini import GeminiProvider

        return GeminiProvider()
    raise UnsupportedProviderError(f"unknown provider {name!r}")


#: default bound on an interactive login (the user has to finish it in a browser)
LOGIN_TIMEOUT_S = 600.0


class _Outcome:
    """What a run learned that is not an event: structured output, auth source, retries."""

    __slots__ = ("output", "retry", "source")

    def __init__(self) -> None:
        self.output: Any = None
        self.source = "external"
        self.retry: Any = None  # a RetryLog when the run may retry


class Client:
    """Runs prompts through one vendor's official CLI/SDK and normalizes what comes back.

    ``provider`` is ``"codex"``, ``"claude"`` or ``"gemini"``. ``auth_source`` chooses whose
    login state the vendor tool uses: ``"oauthpy"`` (isolated under ``oauthpy_home``, default
    ``$OAUTHPY_HOME`` or ``~/.oauthpy``), ``"external"`` (the vendor's normal state) or
    ``"auto"`` (see docs/auth.md). ``env`` is merged over ``os.environ`` for every vendor
    process of this client (``None`` removes a variable); a run's own ``env`` goes on top.
    """

    def __init__(
        self,
        provider: str,
        *,
        auth_source: str = "auto",
        oauthpy_home: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> None:
        if not isinstance(provider, str) or provider not in PROVIDERS:
            raise UnsupportedProviderError(
                f"unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}"
            )
        if auth_source not in AUTH_SOURCES:
            raise InvalidOptionsError(
                f"unknown auth_source {auth_source!r}; choose one of {', '.join(AUTH_SOURCES)}"
            )
        if oauthpy_home is not None and not isinstance(oauthpy_home, (str, os.PathLike)):
            raise InvalidOptionsError(f"oauthpy_home must be a path, got {type(oauthpy_home).__name__}")
        self.provider = provider
        self.auth_source = auth_source
        home = oauthpy_home or os.environ.get("OAUTHPY_HOME") or "~/.oauthpy"
        from pathlib import Path  # lazy, like everything a run needs but `import oauthpy` does not

        self.oauthpy_home = Path(home).expanduser().absolute()
        from .auth.manager import AuthManager  # lazy: `import oauthpy` stays light

        self._auth = AuthManager(provider, auth_source, self.oauthpy_home, check_env(env))
        self._auth.check_overrides({})
        self._provider = _load_provider(provider)

    def __repr__(self) -> str:
        return f"Client({self.provider!r}, auth_source={self.auth_source!r})"

    # -- request preparation (no process is started here) --------------------------------

    def _request(self, prompt: Any, kw: Mapping[str, Any]) -> RunRequest:
        request = build_request(prompt, **kw)
        self._auth.check_overrides(request.env)
        self._provider.check(request)
        return request

    # -- streaming -------------------------------------------------------------------------

    def _provider_conversation(self) -> Any:
        """What a session keeps between turns: a live connection (claude), or None (a CLI)."""
        if self.provider == "claude":
            from .providers.claude_session import ClaudeConversation

            return ClaudeConversation(self._provider)  # type: ignore[arg-type]
        return None

    def _attempts(
        self,
        request: RunRequest,
        outcome: _Outcome,
        *,
        live: bool,
        source: str | None = None,
        conversation: Any = None,
    ) -> AsyncGenerator[Event, None]:
        """The run's events, through the retry loop when ``max_retries`` asks for one."""

        if not request.provider_options.get("max_retries"):
            # the common case pays nothing for retries
            return self._events(request, outcome, source=source, conversation=conversation)
        import dataclasses

        from .retry import RetryLog, RetryPolicy, retrying

        def attempt(left: float | None) -> AsyncGenerator[Event, None]:
            # `timeout` bounds the whole call: each attempt gets what the earlier ones left
            attempt_request = request if left is None else dataclasses.replace(request, timeout=left)
            return self._events(attempt_request, outcome, source=source, conversation=conversation)

        outcome.retry = RetryLog()
        policy = RetryPolicy.from_options(request.provider_options)
        return retrying(attempt, policy, outcome.retry, live=live, timeout=request.timeout)

    async def _events(
        self,
        request: RunRequest,
        outcome: _Outcome,
        *,
        source: str | None = None,
        conversation: Any = None,
    ) -> AsyncGenerator[Event, None]:
        from .runtime import cli_events, parse_structured

        env, outcome.source = await self._auth.run_env(request.env, source)
        provider = self._provider
        if conversation is not None:
            gen = conversation.events(request, env)
        elif provider.transport == "cli":
            gen = cli_events(provider, request, env)  # type: ignore[arg-type]
        else:
            gen = provider.events(request, env)  # type: ignore[attr-defined]
        try:
            async with contextlib.aclosing(gen):
                async for event in gen:
                    if event.kind is EventKind.DONE and request.output_schema is not None:
                        outcome.output = parse_structured(event.text, request)
                    yield event
        except OauthPyError as exc:
            if not isinstance(exc, AuthRequiredError) or outcome.source != "oauthpy":
                raise
            raise AuthRequiredError(
                f"{exc.message} (the run used oauthpy's isolated login state in {self._auth.isolated_dir})",
                hint=f"log in there with Client({self.provider!r}, auth_source='oauthpy').login() "
                f"or `oauthpy auth login --provider {self.provider}`; or use "
                "auth_source='external' for your normal vendor login",
            ) from exc

    def stream(self, prompt: str, **kw: Any) -> AsyncGenerator[Event, None]:
        """Yield events as they happen. Options are checked now, before anything starts.

        Accepts the same keyword arguments as :meth:`run`. Closing the generator (``aclose()``,
        or ``contextlib.aclosing``) stops the vendor process at once.
        """
        return self._attempts(self._request(prompt, kw), _Outcome(), live=True)

    def stream_sync(self, prompt: str, **kw: Any) -> SyncStream[Event]:
        """Sync twin of :meth:`stream`: an iterator of events that is also a context manager.

        ``for e in client.stream_sync(...): break`` stops the vendor process at once (nothing
        else holds the iterator). An iterator kept in a variable keeps the run going until its
        ``close()``, the end of ``with client.stream_sync(...) as events:``, or garbage collection.
        """
        return iterate_sync(self.stream(prompt, **kw))

    # -- one-shot runs -----------------------------------------------------------------------

    async def arun(self, prompt: str, **kw: Any) -> RunResult:
        """Run a prompt to completion and return its :class:`RunResult`."""
        request = self._request(prompt, kw)
        return await self._arun(request)

    async def _arun(self, request: RunRequest) -> RunResult:
        outcome = _Outcome()
        return await self._collect(self._attempts(request, outcome, live=False), request, outcome)

    async def _collect(
        self, gen: AsyncGenerator[Event, None], request: RunRequest, outcome: _Outcome
    ) -> RunResult:
        """Drain a run's events into its :class:`RunResult`."""
        started = time.monotonic()
        events: list[Event] = []
        async with contextlib.aclosing(gen):
            async for event in gen:
                events.append(event)
        done = events[-1] if events and events[-1].kind is EventKind.DONE else None
        return RunResult(
            provider=self.provider,
            transport=self._provider.transport,
            text=done.text if done else "",
            events=tuple(events),
            elapsed_s=time.monotonic() - started,
            cwd=request.cwd,
            usage=(done.usage if done and done.usage else Usage()),
            model=done.model if done else None,
            session_id=done.session_id if done else None,
            output=outcome.output,
            auth_source=outcome.source,
            raw={"retry": outcome.retry.as_dict()} if outcome.retry is not None else {},
        )

    def run(
        self,
        prompt: str,
        *,
        cwd: str | os.PathLike[str] = ".",
        model: str | None = None,
        timeout: float | None = None,
        idle_timeout: float | None = None,
        env: Mapping[str, str | None] | None = None,
        provider_options: Mapping[str, Any] | None = None,
        output_schema: Any = None,
    ) -> RunResult:
        """Run a prompt to completion, synchronously (also inside a running event loop).

        ``env`` is merged over ``os.environ`` for the vendor process (``None`` removes a
        variable). ``timeout`` bounds the whole run, ``idle_timeout`` the silence between two
        pieces of output; both raise :class:`TimeoutExceededError` after killing the process.
        """
        request = self._request(
            prompt,
            {
                "cwd": cwd,
                "model": model,
                "timeout": timeout,
                "idle_timeout": idle_timeout,
                "env": env,
                "provider_options": provider_options,
                "output_schema": output_schema,
            },
        )
        return run_sync(self._arun(request))

    # -- sessions ----------------------------------------------------------------------------------

    def session(
        self,
        *,
        cwd: str | os.PathLike[str] = ".",
        resume: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
        idle_timeout: float | None = None,
        env: Mapping[str, str | None] | None = None,
        provider_options: Mapping[str, Any] | None = None,
        output_schema: Any = None,
    ) -> Session:
        """A multi-turn conversation that continues the vendor's own conversation.

        ``resume`` continues an earlier one by its ``session_id`` (from any ``RunResult``).
        The other arguments are defaults for every turn; a turn may override them, except
        ``cwd``. Use it as a context manager (``with``), or call ``close()``.
        """
        from .session import Session

        defaults = {
            "model": model,
            "timeout": timeout,
            "idle_timeout": idle_timeout,
            "env": env,
            "provider_options": provider_options,
            "output_schema": output_schema,
        }
        return Session(self, cwd=cwd, resume=resume, defaults=defaults)

    def asession(self, **kw: Any) -> Session:
        """:meth:`session` for ``async with``; the same object, used with the async methods."""
        return self.session(**kw)

    # -- auth ----------------------------------------------------------------------------------

    async def aauth_status(self) -> AuthStatus:
        """Async twin of :meth:`auth_status`."""
        return await self._auth.status()

    def auth_status(self) -> AuthStatus:
        """Whether the vendor tool is installed and logged in, for this client's auth source.

        Read-only and bounded in time: it creates and writes nothing. ``details`` holds the
        binary and version, the source asked for and used, the state dir, and the ``reason``
        when not authenticated. Never contains a secret.
        """
        return run_sync(self._auth.status())

    async def aavailable(self) -> bool:
        """Async twin of :meth:`available`."""
        status = await self._auth.status()
        return status.installed and status.authenticated

    def available(self) -> bool:
        """Installed and authenticated."""
        return run_sync(self.aavailable())

    async def alogin(
        self,
        *,
        api_key: str | None = None,
        device_code: bool = False,
        timeout: float = LOGIN_TIMEOUT_S,
        provider_options: Mapping[str, Any] | None = None,
    ) -> AuthStatus:
        """Async twin of :meth:`login`."""
        limit = positive_number("timeout", timeout)
        assert limit is not None
        return await self._auth.login(
            api_key=api_key,
            device_code=bool(device_code),
            timeout=limit,
            options=dict(provider_options or {}),
        )

    def login(
        self,
        *,
        api_key: str | None = None,
        device_code: bool = False,
        timeout: float = LOGIN_TIMEOUT_S,
        provider_options: Mapping[str, Any] | None = None,
    ) -> AuthStatus:
        """Run the vendor's official login for this client's source; returns the new status.

        Without ``api_key`` the official interactive flow runs on this terminal (``codex
        login``, ``claude auth login``, the Gemini CLI's sign-in); ``device_code=True`` asks
        for a code-based flow where the vendor has one. ``api_key`` (codex only) is passed to
        ``codex login --with-api-key`` on stdin, never on the command line. With
        ``auth_source="auto"`` the login goes to the source ``auto`` resolves to.
        """
        return run_sync(
            self.alogin(
                api_key=api_key, device_code=device_code, timeout=timeout, provider_options=provider_options
            )
        )

    async def alogout(self) -> AuthStatus:
        """Async twin of :meth:`logout`."""
        return await self._auth.logout()

    def logout(self) -> AuthStatus:
        """Log out with the vendor's command (codex, claude). ``auto`` logs out the isolated state only."""
        return run_sync(self._auth.logout())
