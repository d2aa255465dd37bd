"""Codex's own review mode: app-server ``review/start``, its findings typed (`Agent.reviewer`).

The review runs as a run of the client (its pool, deadline, worktree, events and errors), whose
turn starts with ``review/start`` and a target instead of ``turn/start`` and a prompt
(`app.REVIEW_TARGET`). Codex then runs a review sub-agent with its own review prompt, asking no
one (``approval_policy: never``) in the thread's sandbox, which oauthpy makes ``read-only``
whatever the caller or codex's configuration said; the sub-agent asks its model for
``{findings: [{title, body, confidence_score, priority, code_location: {absolute_file_path,
line_range}}], overall_correctness, overall_explanation, overall_confidence_score}``.

Codex gives the client only a rendering of that answer (``exitedReviewMode.review``): title, path
and lines, but no priority. The whole answer is in the thread's rollout file in ``CODEX_HOME``
(an ``ExitedReviewMode`` item's ``review_output``), and the sub-agent's token counts in its own
rollout; both are read from there, and the rendering is parsed only when the rollout is not there
(an ``ephemeral`` thread). ``priority`` 0-3 becomes critical, high, medium, low (none: medium).

Under ``fallback=`` codex reviews as the other agents do (`oauthpy._review.asked_review`). The
``exec`` transport takes no ``on_permission``, so a review there is refused before it starts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oauthpy._events import EventKind, Usage
from oauthpy._review import Prepared, asked_review, findings_of
from oauthpy._review_target import cut
from oauthpy._review_types import SEVERITIES, Review

if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._events import RunResult

#: severity by codex's ``priority`` (P0 the worst); a finding without one is "medium"
_UNRANKED = "medium"
_TAG = re.compile(r"^\s*\[P([0-3])\]\s*")
#: a finding of the rendered review: ``- <title> — <path>:<start>-<end>``
_RENDERED = re.compile(r"^- (?P<title>.*?) \u2014 (?P<path>.+):(?P<start>\d+)-(?P<end>\d+)\s*$")
_RENDERED_HEADS = ("Review comment:", "Full review comments:")


async def review(client: Client, prepared: Prepared, options: Mapping[str, Any]) -> Review:
    """``client``'s review of ``prepared`` through codex's review mode (`Agent.reviewer`)."""
    from oauthpy._agents.codex.app import REVIEW_TARGET

    if client.transport != "app-server":  # (`exec` is refused before this: it cannot ask)
        return await asked_review(client, prepared, options)
    target, instructions = target_of(prepared)
    # codex's reviewer asks no one and takes the thread's sandbox (a configured or given
    # workspace-write or danger-full-access included): read-only, whatever was asked. Its review
    # prompt says what to answer: no output schema of oauthpy's.
    sandboxed = {**(options.get("provider_options") or {}), "sandbox": "read-only"}
    run = {**options, "output_schema": None, "provider_options": sandboxed}
    request = client._request(instructions, run)
    if request.fallback is not None:
        return await asked_review(client, prepared, options)
    request = dataclasses.replace(request, extra={**request.extra, REVIEW_TARGET: target})
    result = await client._arun(request)
    home = _home(client, result, request.env)
    # a user's CODEX_HOME may hold thousands of rollouts: looked through off the event loop
    saved, usage = await asyncio.to_thread(_saved, home, result.session_id)
    answer = reread(saved if saved is not None else rendered(_rendering(result)))
    roots = [prepared.repo, result.cwd, prepared.cwd]
    return Review(
        provider=client.provider,
        summary=str(answer.get("overall_explanation") or "").strip(),
        findings=findings_of({"findings": list(as_findings(answer))}, client.provider, roots),
        usage=usage if usage is not None and not result.usage.total_tokens else result.usage,
        raw=answer,
    )


# -- the request ------------------------------------------------------------------------------


def target_of(prepared: Prepared) -> tuple[dict[str, Any], str]:
    """The ``review/start`` target for ``prepared``, and its instructions in words (the run's
    prompt). Codex's own targets take no instructions: with ``focus`` (or a diff) the target is
    ``custom``, worded as codex words its own, the focus after."""
    from oauthpy._git import git

    t, repo = prepared.target, prepared.repo
    if t.kind == "uncommitted":
        target: dict[str, Any] = {"type": "uncommittedChanges"}
        words = (
            "Review the current code changes (staged, unstaged, and untracked files) and provide "
            "prioritized findings."
        )
    elif t.kind == "base":
        target = {"type": "baseBranch", "branch": t.ref}
        base = git(["merge-base", "--end-of-options", t.ref, "HEAD"], repo).stdout.strip()
        words = (
            f"Review the code changes against the base branch '{t.ref}'. The merge base commit for "
            f"this comparison is {base}. Run `git diff {base}` to inspect the changes relative to "
            f"{t.ref}. Provide prioritized, actionable findings."
        )
    elif t.kind == "commit":
        sha = git(["rev-parse", "--verify", "--end-of-options", f"{t.ref}^{{commit}}"], repo).stdout.strip()
        title = git(["log", "-1", "--format=%s", sha], repo).stdout.strip()
        target = {"type": "commit", "sha": sha, "title": title or None}
        words = f'Review the code changes introduced by commit {sha} ("{title}"). Provide prioritized, actionable findings.'
    else:
        words = (
            "Review the code change below, a unified diff against the files of the current folder. "
            f"Provide prioritized, actionable findings.\n\n<diff>\n{cut(prepared.change)}\n</diff>"
        )
        target = {"type": "custom", "instructions": words}
    if prepared.focus:
        words = f"{words}\n\nFocus on: {prepared.focus}"
        target = {"type": "custom", "instructions": words}
    return target, words


# -- the answer ---------------------------------------------------------------------------------


def severity_of(priority: Any, title: str) -> str:
    """critical/high/medium/low from ``priority`` 0-3, else from a ``[P1]`` tag of the title."""
    if isinstance(priority, int) and not isinstance(priority, bool) and 0 <= priority < len(SEVERITIES):
        return SEVERITIES[priority]
    tag = _TAG.match(title)
    return SEVERITIES[int(tag.group(1))] if tag else _UNRANKED


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_findings(answer: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Codex's findings as the JSON the other reviewers answer (`oauthpy._review_types.SCHEMA`)."""
    for item in answer.get("findings") or ():
        if not isinstance(item, dict):
            continue
        title = str(item.get("title") or "")
        where = _mapping(item.get("code_location"))
        lines = _mapping(where.get("line_range"))
        yield {
            "severity": severity_of(item.get("priority"), title),
            "path": str(where.get("absolute_file_path") or ""),
            "line": lines.get("start"),
            "end_line": lines.get("end"),
            "title": _TAG.sub("", title, count=1) or title,
            "body": str(item.get("body") or ""),
        }


def reread(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer, or the model's own JSON when codex could not read it (codex 0.163 requires
    ``priority`` of every finding, and keeps an answer it cannot read as the explanation's text,
    no findings): read again, without that requirement."""
    if answer.get("findings") or answer.get("overall_correctness"):
        return answer
    text = str(answer.get("overall_explanation") or "").strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, re.DOTALL)
    try:
        value = json.loads(fenced.group(1) if fenced else text)
    except ValueError:
        return answer
    return value if isinstance(value, dict) and isinstance(value.get("findings"), list) else answer


def rendered(text: str) -> dict[str, Any]:
    """Codex's rendering of a review (``exitedReviewMode.review``) read back into its answer's
    shape: the explanation, then ``- <title> — <path>:<a>-<b>`` and the body indented below."""
    lines = text.splitlines()
    head = next((i for i, line in enumerate(lines) if line.strip() in _RENDERED_HEADS), None)
    if head is None:
        return {"findings": [], "overall_explanation": text.strip()}
    findings: list[dict[str, Any]] = []
    body: list[str] = []
    for line in lines[head + 1 :]:
        found = _RENDERED.match(line)
        if found:
            if findings:
                findings[-1]["body"] = "\n".join(body).strip()
            body = []
            start, end = int(found["start"]), int(found["end"])
            findings.append(
                {
                    "title": found["title"],
                    "code_location": {
                        "absolute_file_path": found["path"],
                        "line_range": {"start": start, "end": end},
                    },
                }
            )
        elif findings:
            body.append(line[2:] if line.startswith("  ") else line)
    if findings:
        findings[-1]["body"] = "\n".join(body).strip()
    return {"findings": findings, "overall_explanation": "\n".join(lines[:head]).strip()}


def _rendering(result: RunResult[Any]) -> str:
    """The review's rendered text: its ``exitedReviewMode`` item, else the run's answer."""
    for event in reversed(result.events):
        if event.kind is EventKind.OTHER and event.text == "exitedReviewMode":
            item = (event.raw.get("params") or {}).get("item") if isinstance(event.raw, dict) else None
            said = item.get("review") if isinstance(item, dict) else None
            if isinstance(said, str):
                return said
    return result.text


# -- the rollout files --------------------------------------------------------------------------


def _home(client: Client, result: RunResult[Any], overrides: Mapping[str, str | None]) -> Path:
    """The run's ``CODEX_HOME``: the client's login state for the source the run used."""
    source = result.auth_source or "external"
    auth = client._auth
    env = auth.env_for(source, overrides)
    home = env.get("CODEX_HOME")
    return Path(home) if home else auth.state_dir(source, env)


def _records(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and isinstance(record.get("payload"), dict):
                    yield record
    except OSError:
        return


def _saved(home: Path, thread_id: str | None) -> tuple[dict[str, Any] | None, Usage | None]:
    """The review's whole answer from the thread's rollout, and the review sub-agent's token
    counts from its own (a rollout beside it whose parent is the thread); None for what is not
    there."""
    if not thread_id:
        return None, None
    found = sorted((home / "sessions").rglob(f"rollout-*{thread_id}.jsonl"))
    if not found:
        return None, None
    answer = None
    for record in _records(found[-1]):
        item = record["payload"].get("item")
        if isinstance(item, dict) and item.get("type") == "ExitedReviewMode":
            output = item.get("review_output")
            answer = output if isinstance(output, dict) else answer
    usage = None
    for path in found[-1].parent.glob("rollout-*.jsonl"):
        if not _child_of(path, thread_id):
            continue
        for record in _records(path):
            info = record["payload"].get("info")
            if record["payload"].get("type") == "token_count" and isinstance(info, dict):
                usage = _usage(info.get("total_token_usage")) or usage
    return answer, usage


def _child_of(path: Path, thread_id: str) -> bool:
    """Whether the rollout at ``path`` is of a sub-agent of ``thread_id`` (its first line)."""
    try:
        with path.open(encoding="utf-8") as fh:
            meta = json.loads(fh.readline())
    except (OSError, ValueError):
        return False
    payload = meta.get("payload") if isinstance(meta, dict) else None
    return isinstance(payload, dict) and payload.get("parent_thread_id") == thread_id


def _usage(counts: Any) -> Usage | None:
    if not isinstance(counts, dict):
        return None

    def n(key: str) -> int:
        value = counts.get(key)
        return value if isinstance(value, int) and value >= 0 else 0

    return Usage(
        input_tokens=n("input_tokens"),
        cached_input_tokens=n("cached_input_tokens"),
        output_tokens=n("output_tokens"),
        reasoning_output_tokens=n("reasoning_output_tokens"),
        total_tokens=n("total_tokens") or n("input_tokens") + n("output_tokens"),
    )
