"""Pure translator for ``gemini --acp`` (Agent Client Protocol v1, Gemini CLI 0.61).

`session_params` and `prompt_params` build what oauthpy sends; `AcpTurn`
takes one turn's ``session/update`` notifications and yields events, and
`AcpTurn.finish` reads the ``session/prompt`` answer (stop reason, ``_meta.quota``).
`classify_rpc_error` maps the JSON-RPC error ACP answers a failed prompt with (its code
is the model API's HTTP status). Nothing here touches a process. Recorded messages:
tests/recordings/gemini-acp/.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

from .._errors import AuthRequiredError, CommandExecutionError, OauthPyError, RateLimitError
from .._events import Event, EventKind, FileChange, ModelInfo, Usage
from .._options import RunRequest
from .base import as_int, change_kind, event_status
from .gemini_acp_requests import REQUEST_PERMISSION, own_tool_name

PROTOCOL_VERSION = 1
#: ACP's JSON-RPC error code for "authentication required"
AUTH_REQUIRED = -32000
#: no ``fs``/``terminal`` capability: gemini reads, writes and runs commands itself
INIT_PARAMS: dict[str, Any] = {
    "protocolVersion": PROTOCOL_VERSION,
    "clientCapabilities": {"fs": {"readTextFile": False, "writeTextFile": False}, "terminal": False},
}
#: oauthpy's approval modes (the headless CLI's names) -> ACP session modes
MODES = {"default": "default", "auto_edit": "autoEdit", "yolo": "yolo", "plan": "plan"}
#: what gemini says in the answer text when a session's mode changes; not part of any answer
_MODE_UPDATE = "[MODE_UPDATE]"
_AUTH_HINT = "log in with `gemini` (or `oauthpy auth login --provider gemini`), or set GEMINI_API_KEY"
_CONNECTION_FAILURES = ("fetch failed", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "socket hang up")
#: ACP tool kinds -> oauthpy event kinds (everything else is a generic tool)
_KINDS = {
    "execute": EventKind.COMMAND,
    "edit": EventKind.FILE_CHANGE,
    "delete": EventKind.FILE_CHANGE,
    "move": EventKind.FILE_CHANGE,
}


def session_params(request: RunRequest, mcp_servers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``session/new``: the run's folder, and the MCP server of the run's tools if it has any."""
    return {"cwd": request.cwd, "mcpServers": list(mcp_servers or ())}


def mode_of(request: RunRequest) -> str | None:
    """The ACP mode the run's options ask for (None: stay in the default mode)."""
    opts = request.provider_options
    if opts.get("yolo"):
        return "yolo"
    mode = opts.get("approval_mode")
    return MODES[mode] if mode and mode != "default" else None


def prompt_params(session_id: str, text: str) -> dict[str, Any]:
    return {"sessionId": session_id, "prompt": [{"type": "text", "text": text}]}


def session_of(method: str, params: Any) -> str | None:
    """The route of a notification: the ACP session it belongs to."""
    sid = params.get("sessionId") if isinstance(params, dict) else None
    return sid if isinstance(sid, str) else None


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _content_text(content: Any) -> str:
    """The text of an ACP content list (``[{type:"content", content:{type:"text", text}}]``)."""
    parts = []
    for block in _l(content):
        inner = _d(_d(block).get("content"))
        if inner.get("type") == "text":
            parts.append(_s(inner.get("text")))
    return "\n".join(p for p in parts if p)


class AcpTurn:
    """The state of one ``session/prompt`` turn, fed that session's updates."""

    __slots__ = ("calls", "model", "own", "own_calls", "session_id", "text", "turn_text")

    def __init__(self, session_id: str, model: str | None, own: frozenset[str] = frozenset()) -> None:
        self.session_id = session_id
        self.model = model
        #: the text since the last tool call (the answer, as the headless path reports it)
        self.turn_text: list[str] = []
        self.text = ""
        self.calls: dict[str, Event] = {}
        #: the names of the tools oauthpy registered with gemini (`own_tool_name`)
        self.own = own
        #: tool call ids of the run's own tools (an update may come without the title)
        self.own_calls: set[Any] = set()

    def _end_text(self) -> list[Event]:
        if not self.turn_text:
            return []
        self.text = "".join(self.turn_text)
        self.turn_text = []
        return [Event(EventKind.MESSAGE, text=self.text, status="completed")]

    def feed(self, method: str, params: Any) -> list[Event]:
        if method != "session/update":
            return [Event(EventKind.OTHER, text=method, raw={"method": method, "params": params})]
        update = _d(_d(params).get("update"))
        kind = update.get("sessionUpdate")
        raw = update
        if kind == "agent_message_chunk":
            chunk = _s(_d(update.get("content")).get("text"))
            if not chunk or chunk.startswith(_MODE_UPDATE):
                return []
            self.turn_text.append(chunk)
            return [Event(EventKind.MESSAGE, text=chunk, raw=raw, delta=True, status="in_progress")]
        if kind == "agent_thought_chunk":
            chunk = _s(_d(update.get("content")).get("text"))
            return (
                [Event(EventKind.REASONING, text=chunk, raw=raw, delta=True, status="in_progress")]
                if chunk
                else []
            )
        if kind in ("tool_call", "tool_call_update"):
            known = update.get("toolCallId") in self.own_calls and update.get("kind") in (None, "other")
            if known or own_tool_name(update, self.own) is not None:
                # the run's own tool: oauthpy reports its calls itself, by the user's name
                self.own_calls.add(update.get("toolCallId"))
                return self._end_text()
            return [*self._end_text(), *self._started(update), self._tool(update, kind == "tool_call")]
        if kind == "plan":
            entries = [e for e in _l(update.get("entries")) if isinstance(e, dict)]
            lines = [
                f"[{'x' if e.get('status') == 'completed' else ' '}] {_s(e.get('content'))}" for e in entries
            ]
            return [Event(EventKind.PLAN, text="\n".join(lines), raw=raw, status="in_progress")]
        if kind in ("available_commands_update", "current_mode_update", "user_message_chunk"):
            return []
        return [Event(EventKind.OTHER, text=_s(kind), raw=raw)]

    def _started(self, update: dict[str, Any]) -> list[Event]:
        """The start of a call first reported as over (gemini 0.61 reports a call it asked
        permission for only when it has run): every call starts, then ends, as on every agent."""
        if _s(update.get("toolCallId")) in self.calls:
            return []
        if event_status(update.get("status"), "in_progress") == "in_progress":
            return []
        return [self._tool({**update, "status": "in_progress"}, True)]

    def asked(self, method: str, params: Any) -> list[Event]:
        """The events before gemini's request ``method`` is answered: for a permission question,
        the text so far ends and the call it is about starts (gemini 0.61 reports no start of
        such a call), so the ``permission`` event falls where it does on every agent, between
        the command's start and its end."""
        call = _d(_d(params).get("toolCall")) if method == REQUEST_PERMISSION else {}
        call_id = _s(call.get("toolCallId"))
        if not call_id or call_id in self.calls or own_tool_name(call, self.own) is not None:
            return self._end_text() if call else []
        return [*self._end_text(), self._tool({**call, "status": "in_progress"}, True)]

    def answered(self, method: str, params: Any, events: list[Event]) -> list[Event]:
        """``events`` (what answering the request gave), then, for a refused call, its end:
        gemini never reports a call the user refused."""
        denied = any(e.kind is EventKind.PERMISSION and e.status == "denied" for e in events)
        call = _d(_d(params).get("toolCall")) if method == REQUEST_PERMISSION else {}
        started = self.calls.get(_s(call.get("toolCallId")))
        if not denied or started is None or started.status != "in_progress":
            return events
        self.calls[_s(call.get("toolCallId"))] = declined = dataclasses.replace(
            started, raw=params, status="declined", is_error=True, timestamp=time.time()
        )
        return [*events, declined]

    def _tool(self, update: dict[str, Any], first: bool) -> Event:
        call_id = _s(update.get("toolCallId"))
        seen = self.calls.get(call_id)
        acp_kind = _s(update.get("kind")) or (_s(_d(seen.raw).get("kind")) if seen else "")
        kind = _KINDS.get(acp_kind, EventKind.TOOL)
        title = _s(update.get("title")) or (seen.text if seen else "")
        status = event_status(update.get("status"), "in_progress")
        tool = call_id.split("__", 1)[0] if "__" in call_id else (seen.tool_name if seen else None)
        paths = [_s(_d(x).get("path")) for x in _l(update.get("locations"))]
        diffs = [_d(x) for x in _l(update.get("content")) if _d(x).get("type") == "diff"]
        changes = tuple(
            FileChange(path=_s(d.get("path")), kind=change_kind(_d(d.get("_meta")).get("kind")))
            for d in diffs
        ) or tuple(FileChange(path=p, kind="update") for p in paths if p)
        output = (
            None if first or kind is EventKind.FILE_CHANGE else (_content_text(update.get("content")) or None)
        )
        event = Event(
            kind,
            text=title,
            raw=update,
            item_id=call_id or None,
            status=status,
            command=title if kind is EventKind.COMMAND else None,
            output=output,
            changes=changes if kind is EventKind.FILE_CHANGE else (),
            tool_name=tool,
            is_error=status == "failed",
        )
        self.calls[call_id] = event
        return event

    def finish(self, answer: Any) -> list[Event]:
        """The events that close the turn, from the ``session/prompt`` answer; raise on failure."""
        closing = self._end_text()
        result = _d(answer)
        reason = _s(result.get("stopReason"))
        quota = _d(_d(result.get("_meta")).get("quota"))
        usage_by_model = [m for m in _l(quota.get("model_usage")) if isinstance(m, dict)]
        if reason == "cancelled":
            raise CommandExecutionError("the turn was cancelled", details={"provider": "gemini"})
        if reason == "refusal":
            raise CommandExecutionError(
                "gemini refused to answer", details={"provider": "gemini", "stop_reason": reason}
            )
        if not usage_by_model and self.text:
            # Text came, but no model call was accounted for: the stream broke off.
            raise CommandExecutionError(
                "gemini ended the turn without a complete model reply (the model stream was cut)",
                details={"provider": "gemini", "stop_reason": reason},
                transient=True,
            )
        if not usage_by_model:
            # gemini skips the call when it estimates the request over the model's context window
            raise CommandExecutionError(
                "gemini never called the model (the prompt with its session context may be over "
                "the model's context window)",
                details={"provider": "gemini", "stop_reason": reason},
            )
        tokens = _d(quota.get("token_count"))
        inp, out = as_int(tokens.get("input_tokens")), as_int(tokens.get("output_tokens"))
        answered = [_s(m.get("model")) for m in usage_by_model if _s(m.get("model")) not in ("", "auto")]
        model = answered[-1] if answered else self.model
        done = Event(
            EventKind.DONE,
            text=self.text,
            usage=Usage(input_tokens=inp, output_tokens=out, total_tokens=inp + out),
            session_id=self.session_id,
            model=model,
            status="completed",
        )
        return [*closing, done]


def models_of(answer: Any) -> tuple[ModelInfo, ...]:
    """The models a ``session/new`` answer offers (``auto`` lets gemini route per request)."""
    models = _d(_d(answer).get("models"))
    current = models.get("currentModelId")
    found = []
    for entry in _l(models.get("availableModels")):
        model_id = _d(entry).get("modelId")
        if not isinstance(model_id, str):
            continue
        found.append(
            ModelInfo(
                id=model_id,
                display_name=_s(_d(entry).get("name")) or model_id,
                description=_s(_d(entry).get("description")),
                is_default=model_id == current,
                efforts=(),
                source="vendor",
            )
        )
    return tuple(found)


def api_message(message: str) -> str:
    """The model API's own message, when gemini passes its JSON error body on as the text."""
    if message.startswith("{"):
        try:
            inner = json.loads(message)
        except ValueError:
            return message
        said = _d(_d(inner).get("error")).get("message")
        if isinstance(said, str) and said:
            return said
    return message


def classify_rpc_error(code: int | None, message: str) -> OauthPyError:
    """A failed ``session/prompt`` as one error type (ACP's code is the model API's HTTP status)."""
    message = api_message(message)
    details: dict[str, Any] = {"provider": "gemini", "status": code}
    # -32000 is ACP's "authentication required" (e.g. no API key and no login)
    if code in (401, 403, AUTH_REQUIRED) or "API key not valid" in message:
        return AuthRequiredError(f"gemini is not authenticated: {message}", hint=_AUTH_HINT)
    if code == 429:
        return RateLimitError(f"gemini was rate limited: {message}", details=details)
    transient = (isinstance(code, int) and 500 <= code < 600) or any(
        s in message for s in _CONNECTION_FAILURES
    )
    return CommandExecutionError(f"gemini run failed: {message}", details=details, transient=transient)
