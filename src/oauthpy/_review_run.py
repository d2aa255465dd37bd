"""``RunResult.review(by=...)``: another agent reviews what a run changed (docs/review.md).

A worktree run (``workspace="worktree"``) carries its change as ``RunResult.diff``: that diff is
reviewed, read against the run's kept worktree when it is still there, else against the
repository it was taken of. Any other run changed its ``cwd`` in place: its uncommitted changes
are reviewed there. Either way it is `Client.areview` of the reviewer, read-only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oauthpy._errors import InvalidOptionsError

if TYPE_CHECKING:
    from oauthpy._events import RunResult
    from oauthpy._on_event import EventCallback
    from oauthpy._review_types import Review


async def review_run(
    result: RunResult[Any],
    by: str,
    *,
    focus: str | None = None,
    model: str | None = None,
    timeout: float | None = None,
    env: Mapping[str, str | None] | None = None,
    on_event: EventCallback | None = None,
    auth_source: str = "auto",
    provider_options: Mapping[str, object] | None = None,
) -> Review:
    """`RunResult.areview`: checked before the reviewer starts."""
    # the public package's Client: `oauthpy._events` (RunResult) sits below the client's modules
    from oauthpy import Client

    if not isinstance(by, str):
        raise InvalidOptionsError(f"by must name the reviewing agent, got {type(by).__name__}")
    client = Client(by, auth_source=auth_source)  # type: ignore[arg-type]
    target: dict[str, Any] = {}
    cwd = result.cwd
    if result.repository is not None:  # a worktree run: its change is its diff
        kept = result.workspace
        cwd = kept if kept is not None and os.path.isdir(kept) else result.repository
        target["diff"] = result.diff or ""
    return await client.areview(
        **target,
        focus=focus,
        cwd=cwd,
        model=model,
        timeout=timeout,
        env=env,
        on_event=on_event,
        provider_options=provider_options,
    )
