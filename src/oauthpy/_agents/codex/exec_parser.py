"""Pure parser of ``codex exec --json`` output (JSONL), recorded schema of codex 0.163.

One record in, zero or more events out; `CodexParser.finish` decides the outcome from
the records seen, the exit code and the stderr tail. Unknown records never raise: they pass
through as ``other`` events carrying ``.raw``.
"""

from __future__ import annotations

import json
import re
import shlex
from http import HTTPStatus
from typing import Any

from oauthpy._errors import (
    AuthRequiredError,
    CommandExecutionError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    SessionNotFoundError,
)
from oauthpy._events import Event, EventKind, FileChange, Usage
from oauthpy._fields import as_list, as_str, opt_str
from oauthpy._transports.base import as_int, change_kind, decode_record, event_status

_STATUS_RE = re.compile(r"(?:last status|unexpected status|status)[:\s]+(\d{3})\b")
_RETRY_AFTER_RE = re.compile(r"(?i)(?:retry[- ]after|try again in)[:\s]+(\d+(?:\.\d+)?)\s*s")
#: codex's words when the plan's usage limit is spent (``usage_limit_reached``: "You've hit your
#: usage limit. ... try again at 2:52 AM.", with a curly apostrophe) or an API key's quota is
#: (``insufficient_quota``: "Quota exceeded. Check your plan and billing details.")
_USAGE_LIMIT_RE = re.compile(r"You[\u2019']ve hit your usage limit|Quota exceeded\. Check your plan")
_AUTH_HINT = "log in with `codex login` (or `oauthpy auth login --provider codex`)"
#: codex 0.163's answer to ``exec resume <uuid>`` with an id it has no rollout for, e.g.
#: ``Error: thread/resume: thread/resume failed: no rollout found for thread id <id> (code -32600)``
_UNKNOWN_THREAD_RE = re.compile(r"no rollout found for thread id (\S+)")


#: the shells codex runs a model's command through (``/bin/bash -lc '<command>'``)
_SHELLS = ("bash", "sh", "zsh", "dash")
#: codex's usual wrapper, a command with no single quote of its own: taken apart without shlex,
#: whose tokenizer cost a third of the exec parser's time
_SIMPLY_WRAPPED = re.compile(r"(?:/\S*/)?(?:bash|sh|zsh|dash) -l?c '([^']*)'")


def unwrap_shell(command: str) -> str:
    """The command the model wrote, out of the shell codex wraps it in to run it.

    ``touch a.txt`` for codex's ``/bin/bash -lc 'touch a.txt'``; anything else as it is. One
    place for every codex path (exec events, app-server events and approval requests), so
    ``Event.command`` and ``PermissionRequest.command`` show the same text.
    """
    if not command.startswith("/") and command.split(" ", 1)[0] not in _SHELLS:
        return command  # not wrapped: spare the shlex parse (this runs for every command event)
    simple = _SIMPLY_WRAPPED.fullmatch(command)
    if simple is not None:
        return simple.group(1)
    try:
        words = shlex.split(command)
    except ValueError:
        return command
    if len(words) == 3 and words[0].rsplit("/", 1)[-1] in _SHELLS and words[1] in ("-c", "-lc"):
        return words[2]
    return command


def shell_command(value: Any) -> str | None:
    """`unwrap_shell` of a record's ``command`` field, None when it is not a string."""
    return unwrap_shell(value) if isinstance(value, str) else None


class CodexParser:
    """State of one ``codex exec --json`` run."""

    __slots__ = (
        "completed",
        "failure",
        "final_text",
        "last_error",
        "model",
        "resume",
        "session_id",
        "usage",
    )

    def __init__(self, model: str | None = None, resume: str | None = None) -> None:
        self.model = model
        #: the thread id this run resumes (``exec resume``), if any
        self.resume = resume
        self.session_id: str | None = None
        self.final_text = ""
        self.usage = Usage()
        self.failure: str | None = None
        self.last_error: str | None = None
        self.completed = False

    def feed(self, line: str) -> list[Event]:
        rec = decode_record(line)
        if isinstance(rec, Event):
            return [rec]
        kind = rec.get("type")
        if kind == "item.completed" or kind == "item.started" or kind == "item.updated":
            item = rec.get("item")
            if isinstance(item, dict):
                return self._item(item, kind, rec)
        elif kind == "thread.started":
            self.session_id = opt_str(rec.get("thread_id"))
            return []
        elif kind == "turn.started":
            return []
        elif kind == "turn.completed":
            self.completed = True
            self.usage = _usage(rec.get("usage"))
            return []
        elif kind == "turn.failed":
            err = rec.get("error")
            msg = as_str(err.get("message")) if isinstance(err, dict) else ""
            self.failure = msg or "the turn failed"
            return [Event(EventKind.ERROR, text=self.failure, raw=rec, status="failed")]
        elif kind == "error":
            self.last_error = as_str(rec.get("message"))
            # "Reconnecting... 2/5 (...)": codex retries its model request by itself, as the
            # app-server's `willRetry` says
            if self.last_error.startswith("Reconnecting..."):
                return [Event(EventKind.ERROR, text=self.last_error, raw=rec, status="retrying")]
            return [Event(EventKind.ERROR, text=self.last_error, raw=rec)]
        return [Event(EventKind.OTHER, text=as_str(kind), raw=rec)]

    def _item(self, item: dict[str, Any], kind: str, rec: dict[str, Any]) -> list[Event]:
        itype = item.get("type")
        item_id = opt_str(item.get("id"))
        status = event_status(item.get("status"))
        if status is None:
            status = "completed" if kind == "item.completed" else "in_progress"
        if itype == "agent_message":
            text = as_str(item.get("text"))
            if kind == "item.completed":
                self.final_text = text
            return [Event(EventKind.MESSAGE, text=text, raw=rec, item_id=item_id, status=status)]
        if itype == "reasoning":
            text = as_str(item.get("text"))
            return [Event(EventKind.REASONING, text=text, raw=rec, item_id=item_id, status=status)]
        if itype == "command_execution":
            code = item.get("exit_code")
            command = shell_command(item.get("command"))
            return [
                Event(
                    EventKind.COMMAND,
                    text=command or "",
                    raw=rec,
                    item_id=item_id,
                    status=status,
                    command=command,
                    exit_code=code if isinstance(code, int) else None,
                    output=opt_str(item.get("aggregated_output")),
                    tool_name="shell",
                )
            ]
        if itype == "file_change":
            changes = tuple(
                FileChange(path=as_str(c.get("path")), kind=change_kind(c.get("kind")))
                for c in as_list(item.get("changes"))
                if isinstance(c, dict)
            )
            text = ", ".join(f"{c.kind} {c.path}" for c in changes)
            return [
                Event(
                    EventKind.FILE_CHANGE,
                    text=text,
                    raw=rec,
                    item_id=item_id,
                    status=status,
                    changes=changes,
                    tool_name="apply_patch",
                )
            ]
        if itype == "mcp_tool_call":
            name = f"{as_str(item.get('server'))}.{as_str(item.get('tool'))}"
            err = item.get("error")
            return [
                Event(
                    EventKind.TOOL,
                    text=name,
                    raw=rec,
                    item_id=item_id,
                    status=status,
                    tool_name=name,
                    tool_input=item.get("arguments"),
                    is_error=bool(err) or status == "failed",
                )
            ]
        if itype == "web_search":
            query = as_str(item.get("query"))
            return [
                Event(
                    EventKind.TOOL,
                    text=query,
                    raw=rec,
                    item_id=item_id,
                    status=status,
                    tool_name="web_search",
                    tool_input={"query": query},
                )
            ]
        if itype == "todo_list":
            lines = [
                f"[{'x' if t.get('completed') else ' '}] {as_str(t.get('text'))}"
                for t in as_list(item.get("items"))
                if isinstance(t, dict)
            ]
            return [Event(EventKind.PLAN, text="\n".join(lines), raw=rec, item_id=item_id, status=status)]
        if itype == "error":
            return [Event(EventKind.ERROR, text=as_str(item.get("message")), raw=rec, item_id=item_id)]
        return [Event(EventKind.OTHER, text=as_str(itype), raw=rec, item_id=item_id, status=status)]

    def finish(self, returncode: int, stderr: str) -> list[Event]:
        if returncode == 0 and self.completed and self.failure is None:
            return [
                Event(
                    EventKind.DONE,
                    text=self.final_text,
                    usage=self.usage,
                    session_id=self.session_id,
                    model=self.model,
                    status="completed",
                )
            ]
        if returncode == 0 and self.failure is None and not self.last_error:
            raise ProtocolError(
                "codex exited 0 without completing the turn (no turn.completed record)",
                returncode=returncode,
                stderr=stderr,
            )
        raise classify_failure(self.failure or self.last_error, returncode, stderr, resume=self.resume)


def _usage(raw: Any) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    inp = as_int(raw.get("input_tokens"))
    out = as_int(raw.get("output_tokens"))
    return Usage(
        input_tokens=inp,
        cached_input_tokens=as_int(raw.get("cached_input_tokens")),
        output_tokens=out,
        reasoning_output_tokens=as_int(raw.get("reasoning_output_tokens")),
        total_tokens=inp + out,
    )


def http_error_text(message: str) -> str:
    """An HTTP error body codex passes on as it came (``{"error": {"message": ...}}``) as
    ``status 400 Bad Request: <message> (<type>)``, the way codex words every other status.

    codex 0.163 quotes ``unexpected status N ...`` for each 4xx but 400, whose body it hands
    over raw with no status; anything else is returned as it is.
    """
    if not message.startswith("{"):
        return message
    try:
        body = json.loads(message)
    except ValueError:
        return message
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str) or not error["message"]:
        return message
    said = error["message"]
    status = error.get("status", body.get("status"))
    status = status if isinstance(status, int) and 400 <= status < 600 else 400
    try:
        reason = f" {HTTPStatus(status).phrase}"
    except ValueError:
        reason = ""
    kind = next((v for v in (error.get("type"), error.get("code")) if isinstance(v, str) and v), None)
    return f"status {status}{reason}: {said}" + (f" ({kind})" if kind else "")


def classify_failure(
    message: str | None, returncode: int, stderr: str, *, resume: str | None = None
) -> Exception:
    """Map a failed codex run to one error type, from the HTTP status codex reports.

    An unknown resumed thread id becomes `SessionNotFoundError` (never transient, so
    never retried), for ``resume`` or, when the parser was not told it, the id codex names.
    """
    text = http_error_text(message or "")
    if returncode < 0 and not message:  # killed by a signal before it could say anything
        text = f"codex was killed by signal {-returncode}"
    # Config errors print nothing on stdout; their message is the last stderr line.
    if not text:
        last = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        text = last[-1] if last else f"codex exited with code {returncode}"
    unknown = _UNKNOWN_THREAD_RE.search(text) or _UNKNOWN_THREAD_RE.search(stderr)
    if unknown:
        said = text if unknown.group(0) in text else unknown.group(0)
        return SessionNotFoundError(resume or unknown.group(1), f"codex: {said}")
    details: dict[str, Any] = {"provider": "codex", "message": text}
    found = _STATUS_RE.search(text)
    status = int(found.group(1)) if found else None
    details["status"] = status
    combined = f"{text}\n{stderr}"
    if status in (401, 403) or "Not logged in" in combined or "Missing environment variable" in text:
        return AuthRequiredError(f"codex is not authenticated: {text}", hint=_AUTH_HINT)
    spent = _USAGE_LIMIT_RE.search(text)  # the plan's limit, until the time it names
    if status == 429 or spent:
        from oauthpy._agents.codex.limits import resets_at_from

        ra = _RETRY_AFTER_RE.search(text)
        # a spent plan: no retry helps before it resets, and fallback= moves the work on
        kind, said = (
            (QuotaExceededError, "is out of quota") if spent else (RateLimitError, "was rate limited")
        )
        return kind(
            f"codex {said}: {text}",
            retry_after=float(ra.group(1)) if ra else None,
            resets_at=resets_at_from(text),
            returncode=returncode,
            stderr=stderr,
            details=details,
            transient=not spent,
        )
    transient = (
        (status is not None and status >= 500)
        or returncode < 0
        or "stream disconnected" in text
        or ("Connection failed" in text or "high demand" in text)
    )
    return CommandExecutionError(
        f"codex run failed: {text}",
        returncode=returncode,
        stderr=stderr,
        details=details,
        transient=transient,
    )
