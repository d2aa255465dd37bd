"""The review half of `Client`: ``review`` / ``areview`` (one agent checks a change and answers
with typed findings; docs/review.md). The work is `oauthpy._review`'s."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from oauthpy._loop import run_sync

if TYPE_CHECKING:
    from oauthpy._on_event import EventCallback
    from oauthpy._review_types import Review


class ReviewMethods:
    async def areview(
        self,
        *,
        uncommitted: bool = True,
        base: str | None = None,
        commit: str | None = None,
        diff: str | None = None,
        focus: str | None = None,
        cwd: str | os.PathLike[str] = ".",
        model: str | None = None,
        timeout: float | None = None,
        env: Mapping[str, str | None] | None = None,
        on_event: EventCallback | None = None,
        provider_options: Mapping[str, object] | None = None,
    ) -> Review:
        """Async twin of `review`."""
        from oauthpy._review import review_with

        return await review_with(
            self,  # type: ignore[arg-type]  # the mixin is only ever a Client
            uncommitted=uncommitted,
            base=base,
            commit=commit,
            diff=diff,
            focus=focus,
            cwd=cwd,
            model=model,
            timeout=timeout,
            env=env,
            on_event=on_event,
            provider_options=provider_options,
        )

    def review(
        self,
        *,
        uncommitted: bool = True,
        base: str | None = None,
        commit: str | None = None,
        diff: str | None = None,
        focus: str | None = None,
        cwd: str | os.PathLike[str] = ".",
        model: str | None = None,
        timeout: float | None = None,
        env: Mapping[str, str | None] | None = None,
        on_event: EventCallback | None = None,
        provider_options: Mapping[str, object] | None = None,
    ) -> Review:
        """Have this agent review a change, read-only, and return a `Review` of typed findings
        (``severity``, ``path`` relative to the repository, ``line``/``end_line``, ``title``,
        ``body``).

        The change is one of ``uncommitted=True`` (default: the working tree against HEAD,
        untracked files included), ``base="main"`` (this branch since it left ``main``),
        ``commit="<sha>"``, or ``diff=<text>`` (e.g. another run's ``RunResult.diff``, read against
        ``cwd``'s files). ``focus`` adds instructions; ``model``, ``timeout``, ``env``, ``on_event``
        and ``provider_options`` are those of `run`. Every permission the agent asks for is
        refused, and for ``base``/``commit`` it reads a fresh worktree, never your tree. A
        malformed answer is asked for once more, then `StructuredOutputError`. No change: no
        agent starts, and the `Review` has ``changed=False`` (docs/review.md)."""
        return run_sync(
            self.areview(
                uncommitted=uncommitted,
                base=base,
                commit=commit,
                diff=diff,
                focus=focus,
                cwd=cwd,
                model=model,
                timeout=timeout,
                env=env,
                on_event=on_event,
                provider_options=provider_options,
            )
        )
