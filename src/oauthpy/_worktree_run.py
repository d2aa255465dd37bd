"""A run in a worktree of its repository (``workspace="worktree"``): the worktree made (or a
session's taken), set up, the run's changes read from it, and removed whatever the end."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oauthpy._events import Event
    from oauthpy._options import RunRequest
    from oauthpy._run_outcome import Outcome


async def in_worktree(
    request: RunRequest,
    outcome: Outcome,
    run: Callable[[RunRequest], AsyncGenerator[Event, None]],
    worktree: Any = None,
) -> AsyncGenerator[Event, None]:
    """``run`` in a worktree of the request's repository (``worktree``: a session's, kept by its
    owner; else one made now and removed at the end, whatever the end: an error, a timeout, a
    cancellation). After a run that finished, its changes go on ``outcome``."""
    import asyncio
    import dataclasses

    from oauthpy._workspace import Worktree

    own = worktree is None
    if own:
        # not in a thread: a cancellation then could not leave one made behind
        worktree = Worktree.create(request.workspace)
    finished = False
    try:
        if worktree.setup_pending:  # before the agent starts; a failure ends the run here
            from oauthpy._worktree_env import set_up

            await set_up(worktree)
        gen = run(dataclasses.replace(request, cwd=worktree.cwd))
        async with contextlib.aclosing(gen):
            async for event in gen:
                yield event
        outcome.changes, outcome.diff = await asyncio.to_thread(worktree.changes)
        outcome.repository = worktree.plan.repo
        finished = True
    finally:
        if own and finished and request.workspace.keep:
            worktree.keep()
            outcome.workspace = worktree.path
        elif own:
            worktree.remove()  # not in a thread: a cancellation must not skip it
