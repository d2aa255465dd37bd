"""Reviews: an agent (or several at once) checks a change and answers with typed findings.

Every reviewer is read-only: each permission it asks for (a command, a file change, a tool) is
refused, whatever the caller would allow, and when the change is in commits (``base``,
``commit``) it reads a fresh worktree of the repository, never the user's tree. It is sent the
change as a diff and asked for the JSON of `SCHEMA` through ``output_schema``; an answer that
is not that JSON is asked for once more (`asked_again`), then `StructuredOutputError`. An agent
with a review mode of its own names it in its registry entry (`Agent.reviewer`: codex's
``review/start``, `oauthpy._agents.codex.review`), which `run_review` then uses instead.

Everything is checked before any agent starts; a target with no change starts none and gives
an empty `Review` (``changed=False``). Several reviewers at once: `oauthpy._review_many`.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from oauthpy._errors import (
    InvalidOptionsError,
    NotSupportedError,
    SessionNotFoundError,
    StructuredOutputError,
)
from oauthpy._review_merge import ordered
from oauthpy._review_target import Target, change_of, checked_target, cut, repository_of
from oauthpy._review_types import SCHEMA, Finding, Review

if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._events import RunResult
    from oauthpy._on_event import EventCallback

#: the summary of a review with nothing to look at
NOTHING = "No change to review."
_AGAIN = (
    "Your previous answer was not the JSON asked for. Answer again with only the JSON object, "
    "no prose and no code fence."
)


def _refuse(request: object) -> bool:
    return False


def question(target: Target, change: str, focus: str | None) -> str:
    """What a reviewer is asked: the target, the change, the caller's focus, the JSON wanted."""
    parts = [
        f"Review {target.label} in this repository, as a careful code reviewer. Look for bugs, "
        "security problems, missing error handling, and changes that break callers. Report only "
        "real problems the change introduces, each with the file (relative to the repository "
        "root), the line numbers in the new version, a short title and an explanation. You may "
        "read files; do not run commands or change files.",
        f"<diff>\n{cut(change)}\n</diff>",
    ]
    if focus:
        parts.append(f"<focus>\n{focus}\n</focus>")
    parts.append(
        'Answer with JSON only: {"summary": "one or two sentences", "findings": [{"severity": '
        '"critical"|"high"|"medium"|"low", "path": "file", "line": 1, "end_line": 2, "title": '
        '"short", "body": "why"}]}; an empty findings list when the change is fine.'
    )
    return "\n\n".join(parts)


def _relative(path: str, roots: Sequence[str]) -> str:
    """A reviewer's path relative to the repository (the first of ``roots``): it may name the
    file in the repository, in the run's worktree (gone by now: known by its name,
    ``<repository>-<12 hex digits>``, `oauthpy._workspace`), or a diff's ``b/`` path."""
    path = path.strip()
    if os.path.isabs(path):
        real = os.path.realpath(path)
        for root in roots:
            for base in {root, os.path.realpath(root)}:
                if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
                    return os.path.relpath(real, base)
        worktree = re.compile(re.escape(os.path.basename(roots[0])) + r"-[0-9a-f]{12}") if roots else None
        parts = path.split(os.sep)
        for i, part in enumerate(parts[:-1]):
            if worktree is not None and worktree.fullmatch(part):
                return "/".join(parts[i + 1 :])
        return path
    for prefix in ("./", "a/", "b/"):
        if path.startswith(prefix) and len(path) > len(prefix):
            return path[len(prefix) :]
    return path


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def findings_of(answer: Mapping[str, Any], provider: str, roots: Sequence[str]) -> tuple[Finding, ...]:
    """The findings of a reviewer's validated answer, typed."""
    out = []
    for item in answer.get("findings") or ():
        line, end = _line(item.get("line")), _line(item.get("end_line"))
        out.append(
            Finding(
                severity=item["severity"],
                path=_relative(str(item["path"]), roots),
                title=str(item["title"]).strip(),
                body=str(item.get("body") or "").strip(),
                line=line,
                end_line=end if line is not None and end is not None and end >= line else line,
                agents=(provider,),
            )
        )
    return ordered(out)


def options_for(
    target: Target, cwd: str, model: str | None, timeout: float | None, env: Any, on_event: Any
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "cwd": cwd,
        "model": model,
        "timeout": timeout,
        "env": env,
        "on_event": on_event,
        "output_schema": SCHEMA,
        "on_permission": _refuse,  # read-only, whatever else the caller allows elsewhere
    }
    if target.committed:
        options["workspace"] = "worktree"
    return options


def checked(client: Client, prompt: str, options: dict[str, Any]) -> None:
    """The run's options checked, nothing started. A worktree of HEAD is what a committed target
    wants: the warning that the user's uncommitted changes are not in it is not for a review."""
    from oauthpy._worktree_env import UncommittedChangesWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UncommittedChangesWarning)
        client.check(prompt, **options)


class Prepared:
    """A review ready to start: its target, the change, the question, the run's options."""

    def __init__(
        self,
        target: Target,
        cwd: str | os.PathLike[str],
        focus: str | None,
    ) -> None:
        if focus is not None and not isinstance(focus, str):
            raise InvalidOptionsError(f"focus must be text, got {type(focus).__name__}")
        self.target = target
        self.focus = focus
        self.cwd = os.path.realpath(os.fspath(cwd))
        if not os.path.isdir(self.cwd):
            raise InvalidOptionsError(f"cwd {self.cwd} is not a folder")
        self.repo = repository_of(self.cwd) if target.kind != "diff" else self.cwd
        self.change = change_of(target, self.cwd)
        self.prompt = question(target, self.change, focus)

    @property
    def empty(self) -> bool:
        return not self.change.strip()


async def run_review(client: Client, prepared: Prepared, options: Mapping[str, Any]) -> Review:
    """One agent's review of a prepared change: through the agent's own review mode when its
    registry entry names one (`Agent.reviewer`), else `asked_review`."""
    from oauthpy._registry import get, load

    native = get(client.provider).reviewer
    if native:
        review: Review = await load(native)(client, prepared, options)
        return review
    return await asked_review(client, prepared, options)


async def asked_review(client: Client, prepared: Prepared, options: Mapping[str, Any]) -> Review:
    """A read-only run asked for the JSON of `SCHEMA`: one retry on a malformed answer. The
    review's usage is both runs': the malformed answer was paid for too."""
    prompt = prepared.prompt
    spent = None
    try:
        result = await client.arun(prompt, **options)
    except StructuredOutputError as exc:
        spent = exc.usage
        result = await asked_again(client, prompt, options, exc.session_id)
    roots = [prepared.repo, prepared.cwd]
    answer = result.output
    usage = result.usage if spent is None else spent + result.usage
    return Review(
        provider=client.provider,
        summary=str(answer.get("summary") or "").strip(),
        findings=findings_of(answer, client.provider, roots),
        usage=usage,
        raw=answer,
    )


async def asked_again(
    client: Client, prompt: str, options: Mapping[str, Any], session_id: str | None
) -> RunResult[Any]:
    """The second ask, in the malformed answer's conversation: the agent sees what it answered,
    and the change is not sent again. Where that conversation cannot go on read-only (its
    worktree went with its run, no id, an agent that takes no ``on_permission`` in a resumed
    conversation or cannot resume, one that no longer has it), a fresh run asks the whole
    question again."""
    if session_id is not None and "workspace" not in options:
        try:
            async with client.asession(resume=session_id, **options) as chat:
                return await chat.arun(_AGAIN)
        except (InvalidOptionsError, NotSupportedError, SessionNotFoundError):
            pass
    return await client.arun(f"{prompt}\n\n{_AGAIN}", **options)


async def review_with(
    client: Client,
    *,
    uncommitted: bool,
    base: str | None,
    commit: str | None,
    diff: str | None,
    focus: str | None,
    cwd: str | os.PathLike[str],
    model: str | None,
    timeout: float | None,
    env: Mapping[str, str | None] | None,
    on_event: EventCallback | None,
    provider_options: Mapping[str, object] | None = None,
) -> Review:
    """`Client.areview`: checked first, then no agent for no change, else the review."""
    target = checked_target(uncommitted, base, commit, diff)
    prepared = Prepared(target, cwd, focus)
    options = options_for(target, prepared.cwd, model, timeout, env, on_event)
    if provider_options is not None:
        options["provider_options"] = provider_options
    checked(client, prepared.prompt, options)
    if prepared.empty:
        return Review(client.provider, NOTHING, changed=False)
    return await run_review(client, prepared, options)
