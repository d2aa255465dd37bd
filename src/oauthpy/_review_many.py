"""``oauthpy.review``: several agents review the same change at once (each as `oauthpy._review`
runs one: read-only, asked for typed findings), and their findings are merged
(`oauthpy._review_merge`). Every agent's run is checked before the first one starts."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence

from oauthpy._errors import InvalidOptionsError, OauthPyError
from oauthpy._registry import check_providers, get
from oauthpy._review import NOTHING, Prepared, checked, options_for, run_review
from oauthpy._review_merge import merge
from oauthpy._review_target import checked_target
from oauthpy._review_types import Review


async def areview(
    providers: Sequence[str],
    *,
    uncommitted: bool = True,
    base: str | None = None,
    commit: str | None = None,
    diff: str | None = None,
    focus: str | None = None,
    cwd: str | os.PathLike[str] = ".",
    timeout: float | None = None,
    auth_source: str = "auto",
    models: Mapping[str, str] | None = None,
    env: Mapping[str, str | None] | None = None,
    command: Sequence[str] | None = None,
) -> Review:
    """Async form of `review`."""
    from oauthpy._client import Client

    names = check_providers(providers, "a review")
    target = checked_target(uncommitted, base, commit, diff)
    prepared = Prepared(target, cwd, focus)
    models = _models(models, names)
    takes = {name: get(name).takes_command for name in names}
    if command is not None and not any(takes.values()):
        raise InvalidOptionsError(
            "command= is the argv of a generic ACP agent, and no reviewer is one",
            hint="add 'acp' to providers, or leave command= out",
        )
    runs = []
    for name in names:  # every check first: nothing starts unless all can
        given = command if takes[name] else None
        client = Client(name, auth_source=auth_source, command=given)  # type: ignore[arg-type]
        options = options_for(target, prepared.cwd, models.get(name), timeout, env, None)
        checked(client, prepared.prompt, options)
        runs.append((client, options))
    joined = "+".join(names)
    if prepared.empty:
        return Review(joined, NOTHING, changed=False)
    outcomes = await asyncio.gather(
        *(run_review(client, prepared, options) for client, options in runs), return_exceptions=True
    )
    reviews: list[Review] = []
    errors: dict[str, str] = {}
    for name, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, Review):
            reviews.append(outcome)
        elif isinstance(outcome, OauthPyError):
            errors[name] = f"{type(outcome).__name__}: {outcome}"
        else:
            raise outcome
    if not reviews:
        first = next(o for o in outcomes if isinstance(o, BaseException))
        raise first
    usage = None
    for one in reviews:
        if one.usage is not None:
            usage = one.usage if usage is None else usage + one.usage
    summary = "\n".join(f"{one.provider}: {one.summary}" for one in reviews)
    findings = merge(one.findings for one in reviews)
    return Review(joined, summary, findings, usage, raw=tuple(reviews), errors=errors)


def _models(models: object, names: Sequence[str]) -> dict[str, str]:
    """``models``: a model name per reviewer, for reviewers only."""
    if models is None:
        return {}
    if not isinstance(models, Mapping):
        raise InvalidOptionsError(f"models must map agent names to model names, got {type(models).__name__}")
    for name, model in models.items():
        if name not in names:
            raise InvalidOptionsError(f"models names {name!r}, which is not a reviewer ({', '.join(names)})")
        if not isinstance(model, str) or not model:
            raise InvalidOptionsError(f"models[{name!r}] must be a model name, got {model!r:.40}")
    return dict(models)


def review(
    providers: Sequence[str],
    *,
    uncommitted: bool = True,
    base: str | None = None,
    commit: str | None = None,
    diff: str | None = None,
    focus: str | None = None,
    cwd: str | os.PathLike[str] = ".",
    timeout: float | None = None,
    auth_source: str = "auto",
    models: Mapping[str, str] | None = None,
    env: Mapping[str, str | None] | None = None,
    command: Sequence[str] | None = None,
) -> Review:
    """Have each of ``providers`` review the same change at once, and merge their findings: a
    problem several agents raised (same file, lines within 3, titles alike) is one `Finding`
    listing them all (``finding.agents``), ordered by severity, then agreement.

    The target is one of ``uncommitted=True`` (default: the working tree against HEAD, untracked
    files included), ``base="main"`` (this branch since it left ``main``), ``commit="<sha>"``,
    or ``diff=<text>`` (read against ``cwd``'s files). ``focus`` adds instructions. ``models``
    maps a reviewer to its model; ``command`` is the argv of the generic ``"acp"`` reviewer.
    Reviewers are read-only (docs/review.md). An agent that fails is named in ``Review.errors``; when all fail,
    the first error is raised. Bad input raises `InvalidOptionsError` before any agent starts."""
    from oauthpy._loop import run_sync

    return run_sync(
        areview(
            providers,
            uncommitted=uncommitted,
            base=base,
            commit=commit,
            diff=diff,
            focus=focus,
            cwd=cwd,
            timeout=timeout,
            auth_source=auth_source,
            models=models,
            env=env,
            command=command,
        )
    )
