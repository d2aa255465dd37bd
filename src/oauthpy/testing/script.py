"""What a fake model server answers, one reply per model request, for every fake backend.

A test scripts replies in order; each model request the vendor CLI makes takes the next one,
and the last reply repeats once the script runs out (so a sticky failure is one entry).
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tokens:
    """Token counts the fake reports for one model request."""

    input: int = 100
    cached: int = 0
    output: int = 20
    reasoning: int = 0


@dataclass(frozen=True)
class ToolCall:
    """The model asks the agent to call a tool. ``arguments`` is the tool's input."""

    name: str
    arguments: dict[str, Any]
    call_id: str = "call_1"
    #: for freeform tools (codex ``apply_patch``): the raw input string
    freeform: str | None = None


@dataclass(frozen=True)
class Reply:
    """A successful model reply: optional reasoning, text streamed in chunks, tool calls."""

    text: str = ""
    chunks: int = 3
    reasoning: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Tokens = field(default_factory=Tokens)
    #: seconds between two streamed chunks
    chunk_delay_s: float = 0.0


@dataclass(frozen=True)
class HttpError:
    """An HTTP error answer, e.g. 401, 429 (with ``retry_after`` seconds), 500, 529."""

    status: int
    message: str = "fake error"
    retry_after: float | None = None
    code: str | None = None


def retry_headers(step: HttpError) -> dict[str, str]:
    """The error's ``Retry-After``; without one, "retry at once" (``retry-after-ms: 0``): agents
    that retry by themselves (OpenCode and Copilot, 5 times with a backoff of seconds) then
    reach the scripted error in a moment."""
    if step.retry_after is not None:
        return {"Retry-After": f"{step.retry_after:g}"}
    return {"retry-after-ms": "0"}


@dataclass(frozen=True)
class QuotaExceeded:
    """The plan's usage limit or quota is spent, said the way the fake's vendor says it (codex's
    ``usage_limit_reached``, Claude's rejected five-hour window, Gemini's daily
    ``RESOURCE_EXHAUSTED``, OpenAI's ``insufficient_quota``): the vendor CLI reports it and
    oauthpy raises `oauthpy.QuotaExceededError`. Use `quota_exceeded`."""

    #: seconds until the limit starts again, where the vendor's answer says when (None: it
    #: does not say)
    resets_in: float | None = 3600.0
    #: the answer's own message (None: the vendor's usual words)
    message: str | None = None

    def resets_at(self) -> float | None:
        """When the limit starts again, Unix seconds, counted from now (the answer's time)."""
        return None if self.resets_in is None else time.time() + self.resets_in


#: OpenAI's words for a spent quota (``insufficient_quota``), which OpenAI-compatible agents pass on
OPENAI_QUOTA_MESSAGE = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors."
)


def insufficient_quota(step: QuotaExceeded) -> dict[str, Any]:
    """OpenAI's 429 body for a spent quota (``insufficient_quota``), the same from its Responses
    and chat-completions APIs. OpenAI does not say when the quota starts again; with
    ``resets_in``, the message says it as the providers that do word it ("Your quota will reset
    at 2026-11-26T05:00:00Z."): Qwen Code tells a spent quota from a rate limit by such words
    alone, and stops retrying at once on them."""
    message = step.message or OPENAI_QUOTA_MESSAGE
    resets_at = step.resets_at()
    if step.message is None and resets_at is not None:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(resets_at))
        message = f"{message} Your quota will reset at {when}."
    code = "insufficient_quota"
    return {"error": {"message": message, "type": code, "param": None, "code": code}}


@dataclass(frozen=True)
class Cut:
    """Stream ``text`` partially, then drop the connection before the reply completes."""

    text: str = "partial"


@dataclass(frozen=True)
class Hang:
    """Accept the request and send nothing, until ``seconds`` pass, the server stops or the
    agent hangs up (counted: `FakeServer.wait_for_dropped`)."""

    seconds: float = 120.0


@dataclass(frozen=True)
class SseError:
    """Start streaming, then send an in-stream error event (e.g. ``overloaded_error``)."""

    kind: str = "overloaded_error"
    message: str = "Overloaded"


#: what a fake finally answers a request with
Answer = Reply | HttpError | QuotaExceeded | Cut | Hang | SseError


@dataclass(frozen=True)
class Gate:
    """Hold the request until the test sets ``opened``, then answer with ``then``.

    For faults that must happen while the vendor CLI is mid-run (kill it, delete its cwd).
    """

    opened: threading.Event
    then: Step
    timeout_s: float = 60.0


@dataclass(frozen=True)
class Echo:
    """Answer with ``prefix`` plus the first match of ``pattern`` in the request body.

    For concurrent tests: each run's prompt carries a token, and its answer must carry the
    same one back, so a mixed-up reply is visible.
    """

    pattern: str = r"token-[0-9a-f]+"
    prefix: str = "echo "
    chunks: int = 4


@dataclass(frozen=True)
class CallTool:
    """Call one of the user's own tools (``tools=``) by the user's name for it.

    Each vendor shows the model the tool under a name of its own (codex: as given; Claude
    Code: ``mcp__oauthpy__<name>``; gemini: ``mcp_oauthpy_<name>``); the fake finds it in the
    request's tool list and calls it by that name. Use `call_tool`.
    """

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    #: None: a new id for each call (a vendor may refuse a repeated one)
    call_id: str | None = None
    say: str = ""


@dataclass(frozen=True)
class Shell:
    """Ask the agent to run a shell ``command`` with its own shell tool (codex ``exec_command``,
    Claude Code ``Bash``, gemini ``run_shell_command``). Use `shell`."""

    command: str
    say: str = ""
    #: None: the vendor's usual id for a first call
    call_id: str | None = None


@dataclass(frozen=True)
class WriteFile:
    """Ask the agent to write ``content`` to ``path`` with its own file tool (codex
    ``apply_patch``, Claude Code ``Write``, gemini ``write_file``). Use `write_file`."""

    path: str
    content: str
    call_id: str | None = None


#: the steps every fake turns into its own vendor's tool call
VendorStep = Shell | WriteFile


@dataclass(frozen=True)
class Match:
    """Answer a request whose body matches ``pattern`` (a regular expression) with ``then``,
    any other with ``otherwise``.

    For concurrent runs, whose requests arrive in no set order: the prompt decides the answer
    (``Match("fail-me", HttpError(400), otherwise=Echo())``).
    """

    pattern: str
    then: Step
    otherwise: Step = field(default_factory=Echo)


Step = Answer | Gate | Echo | CallTool | Shell | WriteFile | Match


def text(value: str, *, chunks: int = 3, usage: Tokens | None = None, reasoning: str = "") -> Reply:
    """A plain text answer streamed in ``chunks`` pieces."""
    return Reply(text=value, chunks=chunks, usage=usage or Tokens(), reasoning=reasoning)


def quota_exceeded(resets_in: float | None = 3600.0, *, message: str | None = None) -> QuotaExceeded:
    """An answer that says the plan's usage limit or quota is spent, in the fake's vendor's own
    shape, starting again in ``resets_in`` seconds where the vendor says when (codex; Claude
    with a subscription login): the run raises `oauthpy.QuotaExceededError`, which
    ``fallback=`` moves on from (docs/testing.md)."""
    if resets_in is not None and not 0 < resets_in < math.inf:
        raise ValueError(f"resets_in must be a positive number of seconds, not {resets_in!r}")
    return QuotaExceeded(resets_in, message)


def tool_call(name: str, arguments: dict[str, Any], *, call_id: str = "call_1", say: str = "") -> Reply:
    """A reply that asks for one tool call (optionally after some text)."""
    return Reply(text=say, tool_calls=(ToolCall(name, arguments, call_id),))


def shell(command: str, *, say: str = "", call_id: str | None = None) -> Shell:
    """A reply that runs ``command`` with the agent's shell tool, whichever agent it is."""
    return Shell(command, say, call_id)


def write_file(path: str, content: str, *, call_id: str | None = None) -> WriteFile:
    """A reply that writes ``content`` to ``path`` with the agent's file tool, whichever agent it is."""
    return WriteFile(path, content, call_id)


def call_tool(
    name: str, arguments: dict[str, Any] | None = None, *, call_id: str | None = None, say: str = ""
) -> CallTool:
    """A reply that calls the user's tool ``name`` with ``arguments``, whatever the vendor calls it."""
    return CallTool(name, dict(arguments or {}), call_id, say)


def resolve_tool(step: CallTool, declared: list[str]) -> Reply | HttpError:
    """The reply that calls ``step``'s tool under the name the request declared it with: the
    same name, else one ending in ``__<name>``, ``_<name>`` or ``-<name>`` (copilot's)."""
    for ending in ("", f"__{step.name}", f"_{step.name}", f"-{step.name}"):
        found = next((n for n in declared if (n.endswith(ending) if ending else n == step.name)), None)
        if found is not None:
            call_id = step.call_id or f"call_{uuid.uuid4().hex[:12]}"
            return tool_call(found, step.arguments, call_id=call_id, say=step.say)
    return HttpError(
        400, f"call_tool: no tool named {step.name!r} in the request; declared: {', '.join(declared)}"
    )


#: how an agent's native review mode opens the request (its review guidelines in place of its
#: usual instructions: codex's ``review/start``); `review_answer` answers only such a request
REVIEW_PROMPT_START = "# Review guidelines:"


def review_finding(
    title: str,
    path: str,
    start: int,
    end: int | None = None,
    *,
    priority: int | None = 1,
    body: str = "",
    confidence: float = 0.8,
) -> dict[str, Any]:
    """One finding as a native review mode asks its model for it (codex's: ``priority`` 0 to 3,
    0 the worst, and an absolute ``path``), for `review_answer`."""
    found: dict[str, Any] = {
        "title": title,
        "body": body,
        "confidence_score": confidence,
        "code_location": {"absolute_file_path": path, "line_range": {"start": start, "end": end or start}},
    }
    if priority is not None:
        found["priority"] = priority
    return found


def review_answer(
    findings: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
    *,
    explanation: str = "Looks correct.",
    correct: bool = True,
) -> Match:
    """The JSON a native review mode asks its model for (`review_finding` makes each finding),
    answered to that mode's request only: any other request (a plain turn) gets an HTTP 400
    saying so, and the run fails."""
    import json

    answer = {
        "findings": list(findings),
        "overall_correctness": "patch is correct" if correct else "patch is incorrect",
        "overall_explanation": explanation,
        "overall_confidence_score": 0.8,
    }
    return Match(
        re.escape(REVIEW_PROMPT_START),
        text(json.dumps(answer)),
        otherwise=HttpError(400, "review_answer: this request is not a native review request"),
    )


def chunk(value: str, parts: int) -> list[str]:
    """Split ``value`` into ``parts`` contiguous non-empty pieces (fewer if it is short)."""
    if not value:
        return []
    parts = max(1, min(parts, len(value)))
    size = -(-len(value) // parts)
    return [value[i : i + size] for i in range(0, len(value), size)]
