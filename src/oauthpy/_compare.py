"""``oauthpy.compare``: the same task given to several agents at once (each ``n`` times), each
attempt in its own worktree, checked and ranked.

Every request is checked before any agent starts (a bad provider, a folder outside a git
repository, a repository with no commit, a bad ``check``/``judge``/``n``). The attempts then run
side by side; an attempt whose agent finished runs the ``check`` in its worktree (kept for it,
then removed unless ``keep_workspace``). When all are done, the judge ranks the finished ones.
A cancellation (Ctrl-C in the sync form) stops every attempt, its check included, and every
worktree goes with its attempt; ``on_attempt`` has by then seen each one that finished.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from oauthpy._compare_check import attempt_env, checked_command, checked_timeout, run_check
from oauthpy._compare_judge import Judge, ask_agent, call_function, checked_judge
from oauthpy._comparison import Attempt, Comparison, Verdict
from oauthpy._errors import InvalidOptionsError, OauthPyError
from oauthpy._events import Event, RunResult
from oauthpy._registry import check_providers
from oauthpy._worktree_env import attempt as numbered

if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._permissions import PermissionCallback

#: called with (provider, attempt index, event) for every event of every attempt (the CLI's progress)
OnEvent = Callable[[str, int, Event], Awaitable[None]]
#: called with each attempt as it finishes (its check done), before the judge
OnAttempt = Callable[[Attempt], object]


def _count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidOptionsError(f"n must be a whole number of attempts per agent, 1 or more, got {n!r:.40}")
    return n


def _held(result: RunResult[Any]) -> None:
    """The worktree kept for the check, this process's until it is removed (`_removed`)."""
    from oauthpy._workspace import hold

    if result.workspace is not None and result.repository is not None:
        hold(result.repository, result.workspace)


def _removed(result: RunResult[Any]) -> None:
    """The worktree kept for the check, gone (and its registration)."""
    from oauthpy._workspace import forget

    if result.workspace is not None and result.repository is not None:
        forget(result.repository, result.workspace)


def _folder_in(result: RunResult[Any], worktree: str) -> str:
    """The folder of ``worktree`` where the agent worked: as the run's cwd is of its repository."""
    assert result.repository is not None
    rel = os.path.relpath(os.path.realpath(result.cwd), result.repository)
    return os.path.normpath(os.path.join(worktree, rel))


#: one attempt's run: its index, its agent, that agent's client and the run's options
_AttemptRun = tuple[int, str, "Client", dict[str, Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class _Planned:
    """A comparison, checked: its attempts' runs, its check and its judge."""

    prompt: str
    runs: tuple[_AttemptRun, ...]
    command: str | None
    check_s: float
    judging: Judge | None
    models: dict[str, str]
    keep_workspace: bool
    auth_source: str
    env: Mapping[str, str | None] | None
    timeout: float | None


def _planned(
    prompt: str,
    providers: Sequence[str],
    *,
    n: int,
    cwd: str | os.PathLike[str],
    timeout: float | None,
    on_permission: PermissionCallback | None,
    keep_workspace: bool,
    auth_source: str,
    models: dict[str, str] | None,
    env: Mapping[str, str | None] | None,
    worktree_options: dict[str, Any],
    check: str | None,
    check_timeout: float | None,
    judge: Judge | None,
) -> _Planned:
    """Every attempt's run checked, before any agent starts. Called in the caller's frame (the
    sync form's too), so a warning of the check (a repository with uncommitted changes) points
    at the caller's line, not into the event loop."""
    from oauthpy._client import Client

    names = check_providers(providers, "a comparison", twice_hint="n=2 gives each provider two attempts")
    repeats = _count(n)
    command = checked_command(check)
    check_s = checked_timeout(check_timeout)
    judging = checked_judge(judge)
    models = dict(models or {})
    given = {key: value for key, value in worktree_options.items() if value is not None}
    runs: list[_AttemptRun] = []
    for name in names:  # every check first: nothing starts unless all can
        client = Client(name, auth_source=auth_source)  # type: ignore[arg-type]
        for _ in range(repeats):
            options: dict[str, Any] = {
                "cwd": cwd,
                "timeout": timeout,
                "on_permission": on_permission,
                "model": models.get(name),
                "env": env,
                "workspace": "worktree",
                # kept past the run for its check; removed after it unless the caller keeps it
                "keep_workspace": keep_workspace or command is not None,
                **given,
            }
            with numbered(len(runs)):
                client.check(prompt, **options)
            runs.append((len(runs), name, client, options))
    return _Planned(
        prompt, tuple(runs), command, check_s, judging, models, keep_workspace, auth_source, env, timeout
    )


async def acompare(
    prompt: str,
    providers: Sequence[str],
    *,
    n: int = 1,
    cwd: str | os.PathLike[str] = ".",
    timeout: float | None = None,
    on_permission: PermissionCallback | None = None,
    keep_workspace: bool = False,
    auth_source: str = "auto",
    models: dict[str, str] | None = None,
    env: Mapping[str, str | None] | None = None,
    setup: str | None = None,
    setup_timeout: float | None = None,
    include: Sequence[str] | None = None,
    base: str | None = None,
    check: str | None = None,
    check_timeout: float | None = None,
    judge: Judge | None = None,
    on_event: OnEvent | None = None,
    on_attempt: OnAttempt | None = None,
) -> Comparison:
    """Async form of `compare`; ``on_event(provider, index, event)`` (async) sees every event of
    every attempt, ``on_attempt(attempt)`` each attempt as it finishes."""
    planned = _planned(
        prompt,
        providers,
        n=n,
        cwd=cwd,
        timeout=timeout,
        on_permission=on_permission,
        keep_workspace=keep_workspace,
        auth_source=auth_source,
        models=models,
        env=env,
        worktree_options={"setup": setup, "setup_timeout": setup_timeout, "include": include, "base": base},
        check=check,
        check_timeout=check_timeout,
        judge=judge,
    )
    return await _compared(planned, on_event, on_attempt)


async def _compared(planned: _Planned, on_event: OnEvent | None, on_attempt: OnAttempt | None) -> Comparison:
    """The checked attempts run side by side, each checked as it finishes; then the judge."""
    prompt, command, check_s, judging = planned.prompt, planned.command, planned.check_s, planned.judging
    keep_workspace, env = planned.keep_workspace, planned.env

    async def one(index: int, name: str, client: Client, options: dict[str, Any]) -> Attempt:
        async def shown(event: Event) -> None:
            if on_event is not None:
                await on_event(name, index, event)

        started = time.monotonic()
        try:
            with numbered(index):  # its setup's OAUTHPY_ATTEMPT (a context variable: this task's own)
                result = await client.arun(
                    prompt, **options, on_event=shown if on_event is not None else None
                )
        except OauthPyError as exc:
            attempt = Attempt(name, index, None, (), None, None, None, None, time.monotonic() - started, exc)
        else:
            ran_s = time.monotonic() - started
            checked = None
            if not keep_workspace:
                _held(result)
            try:
                if command is not None and result.workspace is not None:
                    more = {**(env or {}), **attempt_env(index, result.workspace)}
                    checked = await run_check(command, _folder_in(result, result.workspace), more, check_s)
            finally:
                if not keep_workspace:
                    _removed(result)  # not in a thread: a cancellation must not skip it
            if not keep_workspace:
                result = dataclasses.replace(result, workspace=None)  # gone
            attempt = Attempt(
                name,
                index,
                result.text,
                result.changes,
                result.diff,
                checked,
                result.usage,
                result.cost_usd,
                ran_s,
                path=result.workspace if keep_workspace else None,
                result=result,
            )
        if on_attempt is not None:
            on_attempt(attempt)
        return attempt

    tasks = [asyncio.ensure_future(one(*run)) for run in planned.runs]
    try:
        attempts = tuple(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # each attempt removes its worktree
    finished = [attempt for attempt in attempts if attempt.error is None]
    verdict: Verdict | None = None
    if judging is not None and len(finished) >= 2:
        if isinstance(judging, str):
            verdict = await ask_agent(
                judging,
                prompt,
                finished,
                auth_source=planned.auth_source,
                model=planned.models.get(judging),
                env=env,
                timeout=planned.timeout,
            )
        else:
            verdict = await call_function(judging, finished)
    return Comparison(attempts, verdict)


def compare(
    prompt: str,
    providers: Sequence[str],
    *,
    n: int = 1,
    cwd: str | os.PathLike[str] = ".",
    timeout: float | None = None,
    on_permission: PermissionCallback | None = None,
    keep_workspace: bool = False,
    auth_source: str = "auto",
    models: dict[str, str] | None = None,
    env: Mapping[str, str | None] | None = None,
    setup: str | None = None,
    setup_timeout: float | None = None,
    include: Sequence[str] | None = None,
    base: str | None = None,
    check: str | None = None,
    check_timeout: float | None = None,
    judge: Judge | None = None,
    on_attempt: OnAttempt | None = None,
) -> Comparison:
    """Give ``prompt`` to each of ``providers`` at once (each ``n`` times), each attempt in a
    fresh git worktree of ``cwd``'s repository (the user's tree is never touched), and return a
    `Comparison`: its attempts in order (``provider``, ``index``, ``text``, ``changes``,
    ``diff``, ``check``, ``error``...), ``best()`` and the judge's ``verdict``.

    ``setup``, ``setup_timeout``, ``include`` and ``base`` prepare each worktree, as for `run`.
    ``check`` (a shell command, e.g. ``"pytest -q"``) runs in each finished attempt's worktree,
    bounded by ``check_timeout`` (default 600 s): ``attempt.check``. ``judge`` ranks the finished
    attempts: a function ``judge(attempts) -> (order, reason)``, or an agent's name (asked,
    read-only, for ``{"order": [...], "reason": ...}``). ``models`` maps a provider to its model;
    ``env`` goes to every agent (and the check); the other arguments are those of `run`. Bad input raises `InvalidOptionsError` before any
    agent starts (docs/workspaces.md)."""
    from oauthpy._loop import run_sync

    planned = _planned(  # here, so a warning of the checks points at the caller's line
        prompt,
        providers,
        n=n,
        cwd=cwd,
        timeout=timeout,
        on_permission=on_permission,
        keep_workspace=keep_workspace,
        auth_source=auth_source,
        models=models,
        env=env,
        worktree_options={"setup": setup, "setup_timeout": setup_timeout, "include": include, "base": base},
        check=check,
        check_timeout=check_timeout,
        judge=judge,
    )
    return run_sync(_compared(planned, None, on_attempt))
