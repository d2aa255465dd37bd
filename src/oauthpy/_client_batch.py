"""The batch half of `Client`: many prompts through one client (``map``, ``amap``, and the
engine under ``oauthpy batch``; docs/batch.md)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from oauthpy._errors import OauthPyError
from oauthpy._loop import run_sync
from oauthpy._signature import JsonSchema, ModelT, RunOptions, takes

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from oauthpy._batch import Finished, Throttle
    from oauthpy._events import RunResult
    from oauthpy._options import RunRequest
    from oauthpy._retry import RetryPolicy
    from oauthpy._runner import Runner
    from oauthpy._signature import _RunKeywords


class BatchMethods:
    _runner: Runner

    if TYPE_CHECKING:  # the client's own (`oauthpy._client.Client`)

        def _enter(self) -> None: ...
        async def _aexit(self) -> None: ...
        async def _arun(self, request: RunRequest) -> RunResult[Any]: ...

    @overload
    def amap(
        self,
        prompts: Iterable[str | Mapping[str, object]],
        *,
        concurrency: int = 4,
        keep_sessions: bool = False,
        budget_usd: float | None = None,
        output_schema: type[ModelT],
        **options: Unpack[_RunKeywords],
    ) -> AsyncGenerator[tuple[int, RunResult[ModelT] | OauthPyError], None]: ...
    @overload
    def amap(
        self,
        prompts: Iterable[str | Mapping[str, object]],
        *,
        concurrency: int = 4,
        keep_sessions: bool = False,
        budget_usd: float | None = None,
        output_schema: JsonSchema | None = None,
        **options: Unpack[_RunKeywords],
    ) -> AsyncGenerator[tuple[int, RunResult[Any] | OauthPyError], None]: ...
    @takes(RunOptions)
    def amap(
        self,
        prompts: Iterable[str | Mapping[str, object]],
        *,
        concurrency: int = 4,
        keep_sessions: bool = False,
        budget_usd: float | None = None,
        **options: Unpack[RunOptions],
    ) -> AsyncGenerator[tuple[int, RunResult[Any] | OauthPyError], None]:
        """Run many prompts, ``concurrency`` at a time; yield ``(index, result)`` as each finishes.

        ``prompts`` holds strings, or dicts with ``prompt`` and optional ``cwd`` and ``model``.
        The other keyword arguments are those of `run`, for every item; ``timeout`` bounds
        each attempt of an item. A failed item gives its `OauthPyError` as its result and
        the others go on. Items run on warm agents (as inside ``with Client``). A rate limit
        pauses the whole batch and retries the item; ``provider_options["max_retries"]`` retries
        other transient failures per item (docs/batch.md). The items' sessions are not saved
        (codex and claude run them ``ephemeral``: their ``session_id`` is None) unless
        ``keep_sessions``; gemini saves its sessions either way. Every item is checked before
        anything starts. Closing the iterator early (``aclose()``, ``contextlib.aclosing``) stops the
        items still running. ``budget_usd``: once the items have cost that much, no new item
        starts; each item left gives a `BudgetExceededError` (docs/account.md).
        """
        requests, policy, limit = self._batch(prompts, concurrency, options, keep_sessions, budget_usd)
        return self._amap(requests, policy, limit)

    async def _amap(
        self, requests: list[RunRequest], policy: RetryPolicy, concurrency: int
    ) -> AsyncGenerator[tuple[int, RunResult[Any] | OauthPyError], None]:
        async for done in self._abatch(requests, policy, concurrency):
            yield done.index, done.result

    @overload
    def map(
        self,
        prompts: Iterable[str | Mapping[str, object]],
        *,
        concurrency: int = 4,
        keep_sessions: bool = False,
        budget_usd: float | None = None,
        output_schema: type[ModelT],
        **options: Unpack[_RunKeywords],
    ) -> list[RunResult[ModelT] | OauthPyError]: ...
    @overload
    def map(
        self,
        prompts: Iterable[str | Mapping[str, object]],
        *,
        concurrency: int = 4,
        keep_sessions: bool = False,
        budget_usd: float | None = None,
        output_schema: JsonSchema | None = None,
        **options: Unpack[_RunKeywords],
    ) -> list[RunResult[Any] | OauthPyError]: ...
    @takes(RunOptions)
    def map(
        self,
        prompts: Iterable[str | Mapping[str, object]],
        *,
        concurrency: int = 4,
        keep_sessions: bool = False,
        budget_usd: float | None = None,
        **options: Unpack[RunOptions],
    ) -> list[RunResult[Any] | OauthPyError]:
        """Run many prompts and return their results in input order; see `amap`.

        A failed item is its error object in the list, not an exception that loses the others.
        """
        requests, policy, limit = self._batch(prompts, concurrency, options, keep_sessions, budget_usd)

        async def collect() -> list[RunResult[Any] | OauthPyError]:
            results: list[RunResult[Any] | OauthPyError | None] = [None] * len(requests)
            async for done in self._abatch(requests, policy, limit):
                results[done.index] = done.result
            return [r for r in results if r is not None]

        return run_sync(collect())

    def _batch(
        self,
        prompts: Iterable[str | Mapping[str, object]],
        concurrency: int,
        kw: Mapping[str, Any],
        keep_sessions: bool,
        budget_usd: object = None,
        where: Callable[[int], str] = "item {}".format,
    ) -> tuple[list[RunRequest], RetryPolicy, int]:
        from oauthpy._batch import batch_requests

        return batch_requests(self._runner, prompts, concurrency, kw, where, keep_sessions, budget_usd)

    async def _abatch(
        self,
        requests: Sequence[RunRequest],
        policy: RetryPolicy,
        concurrency: int,
        throttle: Throttle | None = None,
    ) -> AsyncGenerator[Finished, None]:
        """The engine under `amap` and ``oauthpy batch``: checked requests in, each
        item's `Finished` out, on this client's warm agents."""
        from oauthpy._batch import run_all

        self._enter()
        pool = self._runner.pool
        if pool is not None:
            pool.max_idle = max(pool.max_idle, concurrency)  # every worker's agent waits for its next item
        try:
            # an agent whose sessions run side by side serves several of the workers at once
            with pool.sharing(concurrency) if pool is not None else contextlib.nullcontext():
                gen = run_all(requests, self._arun, concurrency=concurrency, policy=policy, throttle=throttle)
                async with contextlib.aclosing(gen):
                    async for done in gen:
                        yield done
        finally:
            await self._aexit()
