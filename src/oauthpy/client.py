"""Client: one object per provider, the same methods for all of them."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncGenerator, Iterator, Mapping
from pathlib import Path
from typing import Any

from ._loop import iterate_sync, run_sync
from .errors import InvalidOptionsError, UnsupportedProviderError
from .events import Event, EventKind, RunResult, Usage
from .options import AUTH_SOURCES, PROVIDERS, RunRequest, build_request, merged_env
from .providers.base import Provider
from .runtime import cli_events, parse_structured


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


class _Outcome:
    """What the event stream learned that is not an event: the parsed structured output."""

    __slots__ = ("output",)

    def __init__(self) -> None:
        self.output: Any = None


class Client:
    """Runs prompts through one vendor's official CLI/SDK and normalizes what comes back.

    ``provider`` is ``"codex"``, ``"claude"`` or ``"gemini"``. ``auth_source`` chooses whose
    login state the vendor tool uses (see docs/auth.md); ``oauthpy_home`` overrides
    ``$OAUTHPY_HOME`` / ``~/.oauthpy`` for the isolated state.
    """

    def __init__(
        self,
        provider: str,
        *,
        auth_source: str = "auto",
        oauthpy_home: str | os.PathLike[str] | None = None,
    ) -> None:
        if not isinstance(provider, str) or provider not in PROVIDERS:
            raise UnsupportedProviderError(
                f"unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}"
            )
        if auth_source not in AUTH_SOURCES:
            raise InvalidOptionsError(
                f"unknown auth_source {auth_source!r}; choose one of {', '.join(AUTH_SOURCES)}"
            )
        self.provider = provider
        self.auth_source = auth_source
        home = oauthpy_home or os.environ.get("OAUTHPY_HOME") or "~/.oauthpy"
        self.oauthpy_home = Path(home).expanduser()
        self._provider = _load_provider(provider)

    def __repr__(self) -> str:
        return f"Client({self.provider!r}, auth_source={self.auth_source!r})"

    # -- request preparation (no process is started here) --------------------------------

    def _request(self, prompt: Any, kw: Mapping[str, Any]) -> RunRequest:
        request = build_request(prompt, **kw)
        self._provider.check(request)
        return request

    def _env(self, request: RunRequest) -> dict[str, str]:
        # Order: the parent's environment, then the caller's overrides.
        return merged_env(request.env)

    # -- streaming -------------------------------------------------------------------------

    async def _events(self, request: RunRequest, outcome: _Outcome) -> AsyncGenerator[Event, None]:
        env = self._env(request)
        provider = self._provider
        if provider.transport == "cli":
            gen = cli_events(provider, request, env)  # type: ignore[arg-type]
        else:
            gen = provider.events(request, env)  # type: ignore[attr-defined]
        async with contextlib.aclosing(gen):
            async for event in gen:
                if event.kind is EventKind.DONE and request.output_schema is not None:
                    outcome.output = parse_structured(event.text, request)
                yield event

    def stream(self, prompt: str, **kw: Any) -> AsyncGenerator[Event, None]:
        """Yield events as they happen. Options are checked now, before anything starts.

        Accepts the same keyword arguments as :meth:`run`. Closing the generator (``aclose()``,
        or ``contextlib.aclosing``) stops the vendor process at once.
        """
        return self._events(self._request(prompt, kw), _Outcome())

    def stream_sync(self, prompt: str, **kw: Any) -> Iterator[Event]:
        """Sync twin of :meth:`stream`; breaking out of the loop stops the vendor process."""
        return iterate_sync(self.stream(prompt, **kw))

    # -- one-shot runs -----------------------------------------------------------------------

    async def arun(self, prompt: str, **kw: Any) -> RunResult:
        """Run a prompt to completion and return its :class:`RunResult`."""
        request = self._request(prompt, kw)
        return await self._arun(request)

    async def _arun(self, request: RunRequest) -> RunResult:
        started = time.monotonic()
        outcome = _Outcome()
        events: list[Event] = []
        gen = self._events(request, outcome)
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
            auth_source="external",
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
