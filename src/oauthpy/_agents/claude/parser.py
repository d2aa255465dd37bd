"""Pure mapping of claude-agent-sdk messages to events (recorded from the bundled CLI 2.1.329).

Dispatches on class names and reads attributes with ``getattr``, so this module never imports
the SDK (importing it costs about a second) and unknown message or block types pass through.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Set
from typing import Any

from oauthpy._errors import (
    AuthRequiredError,
    CommandExecutionError,
    InvalidOptionsError,
    OauthPyError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    StructuredOutputError,
)
from oauthpy._events import Event, EventKind, FileChange, FileChangeKind, Usage
from oauthpy._fields import as_str
from oauthpy._transports.base import as_int, call_finished

_AUTH_HINT = "log in with `claude auth login` (or `oauthpy auth login --provider claude`)"
#: the run's own tools, as Claude Code names them (``mcp__oauthpy__<name>``)
_OWN_TOOLS = "mcp__oauthpy__"
#: how a run asked for structured output ends without one: the turn limit, or Claude Code's own
#: retries of a malformed answer spent (``MAX_STRUCTURED_OUTPUT_RETRIES``)
_NO_STRUCTURED_ANSWER = ("error_max_turns", "error_max_structured_output_retries")
_FILE_TOOLS: dict[str, FileChangeKind] = {
    "Write": "add",
    "Edit": "update",
    "MultiEdit": "update",
    "NotebookEdit": "update",
}


#: system messages that say nothing a caller needs: ``status`` ("requesting" while a model call
#: is on its way), the session's state changes, running estimates of thinking tokens
_QUIET_SYSTEM = {"status", "session_state_changed", "thinking_tokens"}
#: a streamed delta's type -> the event kind and the field that holds its text
_DELTAS = {"text_delta": (EventKind.MESSAGE, "text"), "thinking_delta": (EventKind.REASONING, "thinking")}


def _retry_text(data: dict[str, Any]) -> str:
    """``API error 529 (server_error); retry 2 of 10 in 1.1 s`` from an ``api_retry`` message."""
    status = data.get("error_status")
    error = data.get("error")
    what = "API error" + (f" {status}" if isinstance(status, int) else "")
    if status is None and error in (None, "", "unknown"):
        what = "no answer from the model API"  # a refused or dropped connection: no status
    elif isinstance(error, str) and error:
        what += f" ({error})"
    attempt, most, delay = data.get("attempt"), data.get("max_retries"), data.get("retry_delay_ms")
    retry = "retrying"
    if isinstance(attempt, int):
        retry = f"retry {attempt}" + (f" of {most}" if isinstance(most, int) else "")
    if isinstance(delay, (int, float)) and not isinstance(delay, bool):
        retry += f" in {delay / 1000:.1f} s"
    return f"{what}; {retry}"


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


def expected_mode(request: Any) -> str | None:
    """The permission mode a run with ``on_permission`` must start in (None: no callback)."""
    if request.on_permission is None:
        return None
    mode = request.provider_options.get("permission_mode")
    return mode if isinstance(mode, str) else "default"


class ClaudeParser:
    """State of one claude run: tool calls by id, the session, the final result."""

    def __init__(
        self,
        *,
        want_structured: bool = False,
        declined: Set[str] = frozenset(),
        expect_mode: str | None = None,
    ) -> None:
        self.want_structured = want_structured
        #: the permission mode the run asked for, when ``on_permission`` must see every action
        self.expect_mode = expect_mode
        #: tool use ids that ``on_permission`` refused (claude_asks records them as it answers,
        #: before the CLI reports the call's result): those calls end ``declined``, as on codex
        #: and gemini, not ``failed`` as the CLI's error result says
        self.declined = declined
        self.session_id: str | None = None
        self.model: str | None = None
        self.calls: dict[str, Event] = {}
        #: tool use ids of the run's own tools (oauthpy._mcp_tools reports those calls)
        self.own_calls: set[str] = set()
        self.result: Any = None
        self.streamed_blocks = False
        #: the last ``RateLimitEvent`` of the run (`oauthpy._agents.claude.usage`)
        self.rate_limit: Any = None
        #: the ``error`` of the CLI's own assistant message about a failed model request
        #: (``rate_limit``, ``billing_error``...): the SDK passes on nothing finer
        self.api_error: str | None = None
        # message id of the message being streamed, per parent tool call (None: the main agent):
        # deltas carry it as item_id, the same id as the complete block that follows them
        self._streaming: dict[str | None, str] = {}

    def feed(self, msg: Any) -> list[Event]:
        kind = type(msg).__name__
        if kind == "StreamEvent":
            return self._stream_event(msg)
        if kind == "AssistantMessage":
            return self._assistant(msg)
        if kind == "UserMessage":
            return self._user(msg)
        if kind == "ResultMessage":
            self.result = msg
            self.session_id = getattr(msg, "session_id", None) or self.session_id
            return []
        if kind == "SystemMessage":
            return self._system(msg)
        if kind == "RateLimitEvent":  # the plan's windows; a rejected one says when it resets
            self.rate_limit = msg
        return [Event(EventKind.OTHER, text=kind, raw=msg, session_id=self.session_id)]

    def _system(self, msg: Any) -> list[Event]:
        """Claude Code's own bookkeeping: its facts go where they belong, never as blank events."""
        subtype = getattr(msg, "subtype", None)
        data = getattr(msg, "data", None)
        data = data if isinstance(data, dict) else {}
        if subtype == "init":
            mode = data.get("permissionMode")
            if self.expect_mode is not None and isinstance(mode, str) and mode != self.expect_mode:
                # a settings file the run did not choose set the mode: fail before any tool runs
                raise InvalidOptionsError(
                    f"Claude Code started in permission mode {mode!r}, not {self.expect_mode!r}: "
                    "on_permission would not see every action",
                    hint="remove permissions.defaultMode from your Claude Code user settings "
                    "(~/.claude/settings.json), or pass provider_options={'permission_mode': ...}",
                )
            self.session_id = data.get("session_id") or self.session_id
            self.model = data.get("model") or self.model
            return []
        if subtype == "api_retry":
            return [Event(EventKind.ERROR, text=_retry_text(data), raw=msg, status="retrying")]
        if subtype in _QUIET_SYSTEM:
            return []
        return [Event(EventKind.OTHER, text=str(subtype or "system"), raw=msg, session_id=self.session_id)]

    def _stream_event(self, msg: Any) -> list[Event]:
        event = getattr(msg, "event", None)
        if not isinstance(event, dict):
            return []
        parent = getattr(msg, "parent_tool_use_id", None)
        if event.get("type") == "message_start":
            message = event.get("message")
            mid = message.get("id") if isinstance(message, dict) else None
            if isinstance(mid, str):
                self._streaming[parent] = mid
            return []
        if event.get("type") != "content_block_delta":
            return []
        delta = event.get("delta")
        if not isinstance(delta, dict):
            return []
        streamed = _DELTAS.get(as_str(delta.get("type")))
        if streamed is None:
            return []
        kind, field = streamed
        item_id = self._streaming.get(parent)
        return [
            Event(
                kind,
                text=as_str(delta.get(field)),
                raw=msg,
                delta=True,
                item_id=item_id,
                status="in_progress",
            )
        ]

    def _assistant(self, msg: Any) -> list[Event]:
        self.model = getattr(msg, "model", None) or self.model
        mid = getattr(msg, "message_id", None)
        events: list[Event] = []
        error = getattr(msg, "error", None)
        if isinstance(error, str) and error:
            self.api_error = error
        for block in getattr(msg, "content", None) or ():
            bkind = type(block).__name__
            if bkind == "TextBlock":
                if error:
                    events.append(
                        Event(EventKind.ERROR, text=block.text, raw=msg, item_id=mid, status="failed")
                    )
                else:
                    events.append(
                        Event(EventKind.MESSAGE, text=block.text, raw=msg, item_id=mid, status="completed")
                    )
            elif bkind == "ThinkingBlock":
                events.append(
                    Event(EventKind.REASONING, text=block.thinking, raw=msg, item_id=mid, status="completed")
                )
            elif bkind == "ToolUseBlock":
                if str(block.name).startswith(_OWN_TOOLS):
                    self.own_calls.add(block.id)  # reported by oauthpy itself, by the user's name
                    continue
                events.append(self._tool_use(block, msg))
            else:
                events.append(Event(EventKind.OTHER, text=bkind, raw=block, item_id=mid))
        return events

    def _tool_use(self, block: Any, msg: Any) -> Event:
        name, tool_input = block.name, block.input if isinstance(block.input, dict) else {}
        common: dict[str, Any] = {
            "raw": msg,
            "item_id": block.id,
            "status": "in_progress",
            "tool_name": name,
            "tool_input": tool_input,
        }
        if name == "Bash":
            cmd = str(tool_input.get("command", ""))
            event = Event(EventKind.COMMAND, text=cmd, command=cmd, **common)
        elif name in _FILE_TOOLS:
            path = str(tool_input.get("file_path") or tool_input.get("notebook_path") or "")
            change = FileChange(path=path, kind=_FILE_TOOLS[name])
            event = Event(EventKind.FILE_CHANGE, text=f"{change.kind} {path}", changes=(change,), **common)
        else:
            event = Event(EventKind.TOOL, text=name, **common)
        self.calls[block.id] = event
        return event

    def _user(self, msg: Any) -> list[Event]:
        content = getattr(msg, "content", None)
        if not isinstance(content, list):
            return []
        events = []
        for block in content:
            if type(block).__name__ != "ToolResultBlock" or block.tool_use_id in self.own_calls:
                continue
            call = self.calls.get(block.tool_use_id)
            output = _text_of(block.content)
            failed = bool(block.is_error)
            if call is None:
                events.append(
                    Event(EventKind.TOOL, text=output, raw=msg, item_id=block.tool_use_id, is_error=failed)
                )
                continue
            finished = call_finished(call, msg, output, failed)
            if block.tool_use_id in self.declined:
                finished = dataclasses.replace(finished, status="declined", is_error=True)
            events.append(finished)
        return events

    def finish(self) -> list[Event]:
        r = self.result
        if r is None:
            raise ProtocolError("claude ended without a result message", transient=True)
        if getattr(r, "is_error", False):
            if self.want_structured and getattr(r, "subtype", None) in _NO_STRUCTURED_ANSWER:
                spent_turns = r.subtype == "error_max_turns"
                raise StructuredOutputError(
                    "claude did not produce output that matches output_schema before "
                    + ("the turn limit" if spent_turns else "its own retries ran out")
                    + f" ({getattr(r, 'num_turns', '?')} turns); its replies failed validation",
                    details={"subtype": r.subtype},
                    hint="raise provider_options['max_turns'] to give the model more attempts"
                    if spent_turns
                    else "simplify output_schema or say in the prompt what each field holds",
                ).of_run(usage_of(r), self.model, self.session_id)  # its replies were paid for
            raise classify_result(r, api_error=self.api_error, rate_limit=self.rate_limit)
        text = getattr(r, "result", None) or ""
        structured = getattr(r, "structured_output", None)
        if self.want_structured:
            if structured is None:
                raise StructuredOutputError(
                    "claude finished without structured output (the model did not produce a reply "
                    "that matches output_schema)",
                    details={"subtype": getattr(r, "subtype", None)},
                ).of_run(usage_of(r), self.model, self.session_id)
            text = json.dumps(structured, separators=(",", ":"), ensure_ascii=False)
        return [
            Event(
                EventKind.DONE,
                text=text,
                raw=r,
                usage=usage_of(r),
                session_id=self.session_id,
                model=self.model,
                status="completed",
            )
        ]


def usage_of(result: Any) -> Usage:
    """Usage from a ResultMessage; ``input_tokens`` includes cache reads and writes."""
    u = getattr(result, "usage", None) or {}
    fresh = as_int(u.get("input_tokens"))
    read = as_int(u.get("cache_read_input_tokens"))
    created = as_int(u.get("cache_creation_input_tokens"))
    out = as_int(u.get("output_tokens"))
    cost = getattr(result, "total_cost_usd", None)
    return Usage(
        input_tokens=fresh + read + created,
        cached_input_tokens=read,
        output_tokens=out,
        total_tokens=fresh + read + created + out,
        cost_usd=float(cost) if isinstance(cost, (int, float)) else None,
    )


def classify_result(r: Any, *, api_error: str | None = None, rate_limit: Any = None) -> OauthPyError:
    """Map an error ResultMessage to one error type, from the HTTP status the CLI reports.

    ``api_error``: the ``error`` of the CLI's assistant message about the failure; ``rate_limit``:
    the run's last ``RateLimitEvent``. A subscription's spent window (a 429 whose rate-limit
    event rejects a window, "You've hit your 5-hour limit") and an API key's spent credits
    (``billing_error``, "Credit balance is too low") are `QuotaExceededError`; any other 429 (an
    API key's rate limit, the servers limiting everyone) stays a `RateLimitError`."""
    status = getattr(r, "api_error_status", None)
    subtype = getattr(r, "subtype", None)
    text = getattr(r, "result", None) or "; ".join(getattr(r, "errors", None) or ()) or str(subtype)
    details = {
        "provider": "claude",
        "status": status,
        "subtype": subtype,
        "terminal_reason": getattr(r, "terminal_reason", None),
        "num_turns": getattr(r, "num_turns", None),
    }
    if api_error == "billing_error":
        return QuotaExceededError(f"claude is out of quota: {text}", returncode=1, details=details)
    if status in (401, 403) or "Not logged in" in text or "Invalid API key" in text:
        return AuthRequiredError(f"claude is not authenticated: {text}", hint=_AUTH_HINT)
    if status == 429:
        from oauthpy._agents.claude.usage import info_of, resets_at_from

        info = info_of(rate_limit)
        resets_at = resets_at_from(rate_limit)
        # a window of the plan rejected the request; a plain 429 to a subscription ("not your
        # usage limit") is "rejected" too, but names no window
        if info is not None and info.get("status") == "rejected" and info.get("rateLimitType"):
            return QuotaExceededError(
                f"claude is out of quota: {text}", resets_at=resets_at, returncode=1, details=details
            )
        return RateLimitError(
            f"claude was rate limited: {text}", resets_at=resets_at, returncode=1, details=details
        )
    if subtype == "error_max_turns":
        return CommandExecutionError(
            f"claude stopped at the turn limit: {text}",
            details=details,
            hint="raise provider_options['max_turns']",
        )
    transient = (isinstance(status, int) and status >= 500) or (status is None and "API Error" in text)
    return CommandExecutionError(
        f"claude run failed: {text}", returncode=1, details=details, transient=transient
    )
