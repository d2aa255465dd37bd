"""``oauthpy.compare``: the same task given to several agents at once, each in its own worktree.

Every request is checked before any agent starts (a bad provider, a folder outside a git
repository, a repository with no commit). The agents then run side by side; each one's outcome
is its `RunResult` (with ``changes`` and ``diff``) or its error, in the order asked. A
cancellation (Ctrl-C in the sync form) stops every agent, and every worktree goes with its run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from oauthpy._errors import InvalidOptionsError, OauthPyError
from oauthpy._events import Event, RunResult

#: called with (provider, event) for every event of every agent (the CLI's progress)
OnEvent = Callable[[str, Event], Awaitable[None]]


def _providers(value: Any) -> list[str]:
    from oauthpy import _registry as registry

    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise InvalidOptionsError(
            "providers must be a non-empty list of agent names", hint=f"e.g. {registry.names()[:2]!r}"
        )
    known = registry.names()
    for name in value:
        if name not in known:
            raise InvalidOptionsError(f"unknown provider {name!r}; choose from {', '.join(known)}")
    if len(set(value)) != len(value):
        raise InvalidOptionsError("each provider may be named once in a comparison")
    return list(value)


async def acompare(
    prompt: str,
    providers: Sequence[str],
    *,
    cwd: str = ".",
    timeout: float | None = None,
    on_permission: Any = None,
    keep_workspace: bool = False,
    auth_source: str = "auto",
    models: dict[str, str] | None = None,
    on_event: OnEvent | None = None,
) -> list[RunResult[Any] | OauthPyError]:
    """Async form of `compare`."""
    from oauthpy._client import Client

    names = _providers(providers)
    models = dict(models or {})
    runs = []
    for name in names:  # every check first: nothing starts unless all can
        client = Client(name, auth_source=auth_source)  # type: ignore[arg-type]
        options: dict[str, Any] = {
            "cwd": cwd,
            "timeout": timeout,
            "on_permission": on_permission,
            "model": models.get(name),
            "workspace": "worktree",
            "keep_workspace": keep_workspace,
        }
        client.check(prompt, **options)
        runs.append((name, client, options))

    async def one(name: str, client: Client, options: dict[str, Any]) -> RunResult[Any] | OauthPyError:
        async def shown(event: Event) -> None:
            if on_event is not None:
                await on_event(name, event)

        try:
            return await client.arun(prompt, **options, on_event=shown if on_event is not None else None)
        except OauthPyError as exc:
            return exc

    tasks = [asyncio.ensure_future(one(*run)) for run in runs]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # each run removes its worktree


def compare(
    prompt: str,
    providers: Sequence[str],
    *,
    cwd: str = ".",
    timeout: float | None = None,
    on_permission: Any = None,
    keep_workspace: bool = False,
    auth_source: str = "auto",
    models: dict[str, str] | None = None,
) -> list[RunResult[Any] | OauthPyError]:
    """Give ``prompt`` to each of ``providers`` at once, each in a fresh git worktree of
    ``cwd``'s repository at HEAD (the user's tree is never touched), and return each one's
    `RunResult` (``changes``, ``diff``; ``apply()`` takes one) or its error, in the order
    given. ``models`` maps a provider to its model; the other arguments are those of `run`.
    Bad input raises `InvalidOptionsError` before any agent starts (docs/workspaces.md)."""
    from oauthpy._loop import run_sync

    return run_sync(
        acompare(
            prompt,
            providers,
            cwd=cwd,
            timeout=timeout,
            on_permission=on_permission,
            keep_workspace=keep_workspace,
            auth_source=auth_source,
            models=models,
        )
    )
