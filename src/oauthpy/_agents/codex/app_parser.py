"""Pure translator for ``codex app-server`` (protocol v2 of codex 0.163): requests out, events in.

`thread_params` and `turn_params` build what oauthpy sends for a run;
`AppTurn` takes one turn's notifications (routed to it by thread id) and yields events;
`AppTurn.finish` decides the outcome once ``turn/completed`` has come. Nothing here
touches a process. Recorded messages: tests/recordings/codex-app/.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oauthpy._agents.codex.exec_parser import classify_failure, http_error_text, shell_command
from oauthpy._errors import (
    AuthRequiredError,
    CommandExecutionError,
    OauthPyError,
    QuotaExceededError,
    RateLimitError,
)
from oauthpy._events import Event, EventKind, FileChange, FileChangeKind, Usage
from oauthpy._fields import as_dict, as_list, as_str, opt_str
from oauthpy._options import RunRequest
from oauthpy._transports.base import as_int, change_kind, event_status

#: item status in the protocol -> oauthpy's event status (as the exec path reports it)
#: codexErrorInfo values that say the model call failed in a way a retry may heal
_TRANSIENT_INFO = {
    "internalServerError",
    "serverOverloaded",
    "responseStreamDisconnected",
    "responseStreamConnectionFailed",
    "httpConnectionFailed",
    "responseTooManyFailedAttempts",
}
#: notifications that carry nothing a caller needs (their facts arrive in other messages)
_QUIET = {
    "turn/started",
    "thread/status/changed",
    "serverRequest/resolved",
    "item/reasoning/summaryPartAdded",
    "item/commandExecution/outputDelta",
    "item/fileChange/outputDelta",
    "turn/diff/updated",
    "item/fileChange/patchUpdated",
    "thread/started",
    "thread/readState/changed",
    "thread/settings/updated",
}


def thread_params(request: RunRequest, mcp_servers: tuple[str, ...] = ()) -> dict[str, Any]:
    """``thread/start`` (or, with ``threadId`` added, ``thread/resume``) for a run; a lean one
    turns ``mcp_servers`` (the configured ones' names) off."""
    opts = request.provider_options
    params: dict[str, Any] = {"cwd": request.cwd, **approvals(request)}
    if request.model:
        params["model"] = request.model
    if opts.get("sandbox"):
        params["sandbox"] = opts["sandbox"]
    if opts.get("ephemeral") and not request.resume:
        params["ephemeral"] = True
    if request.lean and not request.resume:  # a resumed thread keeps the settings it began with
        from oauthpy._agents.codex.lean import thread_params as lean

        params.update(lean(mcp_servers))
    elif not request.lean:
        from oauthpy._agents.codex.app_requests import QUESTION_CONFIG

        params["config"] = QUESTION_CONFIG  # the model's questions reach on_question
    if request.resume:
        params["threadId"] = request.resume
    elif request.tools:
        from oauthpy._agents.codex.app_requests import thread_tools

        params["dynamicTools"] = thread_tools(request.tools)
    return params


def approvals(request: RunRequest) -> dict[str, Any]:
    """Who approves: nobody asks without ``on_permission`` (codex's sandbox decides); with it,
    ``untrusted``, the policy under which codex asks about every command that is not read-only
    (``on-request`` runs an in-workspace ``touch`` without asking), answered by the user's code."""
    if request.on_permission is None:
        return {"approvalPolicy": "never"}
    return {"approvalPolicy": "untrusted", "approvalsReviewer": "user"}


def turn_params(thread_id: str, request: RunRequest, images: Sequence[str] = ()) -> dict[str, Any]:
    """``turn/start`` for a run's prompt (text, then its images: the paths of oauthpy's private
    copies of the attachments, which codex reads itself) with its effort and schema."""
    opts = request.provider_options
    items: list[dict[str, Any]] = [{"type": "text", "text": request.prompt}]
    items += [{"type": "localImage", "path": path} for path in images]
    params: dict[str, Any] = {"threadId": thread_id, "input": items}
    if opts.get("reasoning_effort"):  # else codex's own default for the model
        params["effort"] = opts["reasoning_effort"]
    if request.model:
        params["model"] = request.model
    if request.output_schema is not None:
        params["outputSchema"] = request.output_schema
    if request.resume or request.on_permission is not None:
        # a session's turn may set a callback of its own: the policy follows it
        params.update(approvals(request))
    return params


def interrupt_params(thread_id: str, turn_id: str) -> dict[str, Any]:
    return {"threadId": thread_id, "turnId": turn_id}


def thread_of(method: str, params: Any) -> str | None:
    """The route of a notification: the thread it belongs to (None: the agent as a whole)."""
    if not isinstance(params, dict):
        return None
    tid = params.get("threadId")
    if isinstance(tid, str):
        return tid
    thread = params.get("thread")
    return thread.get("id") if isinstance(thread, dict) and isinstance(thread.get("id"), str) else None


#: notifications that stream a piece of text, by the kind of event the piece is
_DELTAS = {
    "item/agentMessage/delta": EventKind.MESSAGE,
    "item/reasoning/summaryTextDelta": EventKind.REASONING,
    "item/reasoning/textDelta": EventKind.REASONING,
}


class AppTurn:
    """The state of one turn on a thread, fed the notifications routed to that thread."""

    __slots__ = (
        "completed",
        "error",
        "final_text",
        "interrupted",
        "model",
        "rate_limits",
        "session_id",
        "status",
        "usage",
    )

    def __init__(self, session_id: str, model: str | None) -> None:
        self.session_id = session_id
        self.model = model
        self.final_text = ""
        #: summed over the turn's model requests (each ``thread/tokenUsage/updated`` has its ``last``)
        self.usage = Usage()
        self.completed = False
        self.interrupted = False
        self.status: str | None = None
        #: the last terminal error the agent reported (``error`` with ``willRetry: false``)
        self.error: dict[str, Any] | None = None
        #: the account's windows as codex last reported them (``account/rateLimits/updated``, which
        #: is not a thread's): a used-up one says exactly when a usage limit resets
        self.rate_limits: Any = None

    def feed(self, method: str, params: Any) -> list[Event]:
        raw = {"method": method, "params": params}
        p = params if isinstance(params, dict) else {}
        kind = _DELTAS.get(method)
        if kind is not None:
            return [
                Event(
                    kind,
                    text=as_str(p.get("delta")),
                    raw=raw,
                    item_id=opt_str(p.get("itemId")),
                    delta=True,
                    status="in_progress",
                )
            ]
        if method in ("item/started", "item/completed"):
            item = p.get("item")
            return self.item(item, method == "item/completed", raw) if isinstance(item, dict) else []
        if method == "thread/tokenUsage/updated":
            usage = p.get("tokenUsage")
            last = usage.get("last") if isinstance(usage, dict) else None
            if isinstance(last, dict):
                self.usage = _add(self.usage, last)
            return []
        if method == "turn/plan/updated":
            steps = [s for s in as_list(p.get("plan")) if isinstance(s, dict)]
            lines = [
                f"[{'x' if s.get('status') == 'completed' else ' '}] {as_str(s.get('step'))}" for s in steps
            ]
            return [Event(EventKind.PLAN, text="\n".join(lines), raw=raw, status="in_progress")]
        if method == "model/rerouted":
            self.model = opt_str(p.get("toModel")) or self.model
            return [Event(EventKind.OTHER, text=f"{method} {self.model or ''}".strip(), raw=raw)]
        if method == "error":
            err = as_dict(p.get("error"))
            message = as_str(err.get("message")) or "the agent reported an error"
            if p.get("willRetry"):
                # the agent retries by itself: not a failure (yet)
                return [Event(EventKind.ERROR, text=message, raw=raw, status="retrying")]
            self.error = err
            return [Event(EventKind.ERROR, text=message, raw=raw, status="failed", is_error=True)]
        if method == "turn/completed":
            turn = as_dict(p.get("turn"))
            self.completed = True
            self.status = as_str(turn.get("status"))
            self.interrupted = self.status == "interrupted"
            if self.status == "failed" and turn.get("error"):
                self.error = as_dict(turn.get("error"))
            return []
        if method in _QUIET:
            return []
        return [Event(EventKind.OTHER, text=method, raw=raw)]

    def item(self, item: dict[str, Any], done: bool, raw: Any) -> list[Event]:
        """One thread item's events (a live turn's, and a saved transcript's: oauthpy._sessions)."""
        itype = item.get("type")
        item_id = opt_str(item.get("id"))
        status = event_status(item.get("status")) or ("completed" if done else "in_progress")
        if itype == "agentMessage":
            if not done:
                return []  # its text comes as deltas, then whole on completion
            text = as_str(item.get("text"))
            self.final_text = text
            return [Event(EventKind.MESSAGE, text=text, raw=raw, item_id=item_id, status="completed")]
        if itype == "reasoning":
            if not done:
                return []
            parts = as_list(item.get("summary")) or as_list(item.get("content"))
            text = "\n".join(x for x in parts if isinstance(x, str))
            return [Event(EventKind.REASONING, text=text, raw=raw, item_id=item_id, status="completed")]
        if itype == "commandExecution":
            code = item.get("exitCode")
            command = shell_command(item.get("command"))
            return [
                Event(
                    EventKind.COMMAND,
                    text=command or "",
                    raw=raw,
                    item_id=item_id,
                    status=status,
                    command=command,
                    exit_code=code if isinstance(code, int) else None,
                    output=opt_str(item.get("aggregatedOutput")),
                    tool_name="shell",
                    is_error=status in ("failed", "declined"),
                )
            ]
        if itype == "fileChange":
            changes = tuple(
                FileChange(path=as_str(c.get("path")), kind=_change_kind(c.get("kind")))
                for c in as_list(item.get("changes"))
                if isinstance(c, dict)
            )
            return [
                Event(
                    EventKind.FILE_CHANGE,
                    text=", ".join(f"{c.kind} {c.path}" for c in changes),
                    raw=raw,
                    item_id=item_id,
                    status=status,
                    changes=changes,
                    tool_name="apply_patch",
                    is_error=status in ("failed", "declined"),
                )
            ]
        if itype in ("mcpToolCall", "dynamicToolCall"):
            server = as_str(item.get("server") or item.get("namespace"))
            name = f"{server}.{as_str(item.get('tool'))}" if server else as_str(item.get("tool"))
            failed = status == "failed" or bool(item.get("error")) or item.get("success") is False
            texts = [as_str(c.get("text")) for c in as_list(item.get("contentItems")) if isinstance(c, dict)]
            return [
                Event(
                    EventKind.TOOL,
                    text=name,
                    raw=raw,
                    item_id=item_id,
                    status="failed" if done and failed else status,
                    tool_name=name,
                    tool_input=item.get("arguments"),
                    output="\n".join(texts) if done and texts else None,
                    is_error=failed,
                )
            ]
        if itype == "webSearch":
            query = as_str(item.get("query"))
            return [
                Event(
                    EventKind.TOOL,
                    text=query,
                    raw=raw,
                    item_id=item_id,
                    status=status,
                    tool_name="web_search",
                    tool_input={"query": query},
                )
            ]
        if itype == "plan":
            return [
                Event(EventKind.PLAN, text=as_str(item.get("text")), raw=raw, item_id=item_id, status=status)
            ]
        if itype == "userMessage":
            return []  # the prompt itself
        return [Event(EventKind.OTHER, text=as_str(itype), raw=raw, item_id=item_id, status=status)]

    def finish(self) -> list[Event]:
        """The ``done`` event of a completed turn, or raise its classified error."""
        if self.completed and self.status == "completed" and self.error is None:
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
        raise self.failure()

    def failure(self) -> OauthPyError:
        if self.error is None and self.interrupted:
            return CommandExecutionError("the turn was interrupted", details={"provider": "codex"})
        error = self.error or {"message": f"the turn ended with status {self.status!r}"}
        return classify_turn_error(error, self.rate_limits)


def classify_turn_error(error: dict[str, Any], rate_limits: Any = None) -> OauthPyError:
    """A turn's error (``{message, codexErrorInfo, additionalDetails}``) as one error type.

    ``codexErrorInfo`` decides where it says enough; otherwise the message is read the way the
    exec path reads it (the HTTP status codex quotes).
    """
    message = http_error_text(as_str(error.get("message"))) or "the turn failed"
    info = error.get("codexErrorInfo")
    name, status = info, None
    if isinstance(info, dict) and info:
        name = next(iter(info))
        body = info[name]
        status = body.get("httpStatusCode") if isinstance(body, dict) else None
    details = {"provider": "codex", "message": message, "codex_error": name, "status": status}
    if name == "unauthorized" or status in (401, 403):
        return AuthRequiredError(
            f"codex is not authenticated: {message}",
            hint="log in with `codex login` (or `oauthpy auth login --provider codex`)",
        )
    if name in ("rateLimitExceeded", "usageLimitExceeded") or status == 429:
        from oauthpy._agents.codex.limits import resets_at_from

        found = classify_failure(message, 1, "")
        retry_after = found.retry_after if isinstance(found, RateLimitError) else None
        # the plan's limit or the key's quota (codex says both so): only a wait until it resets
        # helps (a batch pauses until then), and fallback= moves the work on
        spent = name == "usageLimitExceeded" or isinstance(found, QuotaExceededError)
        kind, said = (
            (QuotaExceededError, "is out of quota") if spent else (RateLimitError, "was rate limited")
        )
        return kind(
            f"codex {said}: {message}",
            retry_after=retry_after,
            resets_at=resets_at_from(message, rate_limits=rate_limits),
            details=details,
            transient=not spent,
        )
    if name in _TRANSIENT_INFO or (isinstance(status, int) and status >= 500):
        return CommandExecutionError(f"codex run failed: {message}", details=details, transient=True)
    found = classify_failure(message, 1, "")
    if isinstance(found, OauthPyError):
        return found
    return CommandExecutionError(f"codex run failed: {message}", details=details)


def _change_kind(kind: Any) -> FileChangeKind:
    return change_kind(kind.get("type") if isinstance(kind, dict) else kind)


def _add(total: Usage, last: dict[str, Any]) -> Usage:
    inp, out = as_int(last.get("inputTokens")), as_int(last.get("outputTokens"))
    return Usage(
        input_tokens=total.input_tokens + inp,
        cached_input_tokens=total.cached_input_tokens + as_int(last.get("cachedInputTokens")),
        output_tokens=total.output_tokens + out,
        reasoning_output_tokens=total.reasoning_output_tokens + as_int(last.get("reasoningOutputTokens")),
        total_tokens=total.total_tokens + inp + out,
    )
