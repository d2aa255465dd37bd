"""Pure translator of one ACP turn (Agent Client Protocol v1), for every ACP agent.

`session_params` and `prompt_params` build what oauthpy sends; `AcpTurn` takes one turn's
``session/update`` notifications and yields events, and `AcpTurn.finish` reads the
``session/prompt`` answer. What differs between agents (usage format, notice chunks, own-tool
recognition) is asked of the turn's `AcpProfile`. Nothing here touches a process. Recorded
messages: tests/recordings/gemini-acp/, tests/recordings/opencode-acp/.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from oauthpy._errors import CommandExecutionError, ProtocolError
from oauthpy._events import Event, EventKind, FileChange, FileChangeKind, ModelInfo, Usage
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._options import RunRequest
from oauthpy._transports.acp.asks import ELICITATION_CAPABILITY, REQUEST_PERMISSION
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.acp.usage import ContextReports
from oauthpy._transports.base import change_kind, event_status

PROTOCOL_VERSION = 1
#: no ``fs``/``terminal`` capability: the agent reads, writes and runs commands itself; forms
#: (``elicitation/create``) go to ``on_question``
INIT_PARAMS: dict[str, Any] = {
    "protocolVersion": PROTOCOL_VERSION,
    "clientCapabilities": {
        "fs": {"readTextFile": False, "writeTextFile": False},
        "terminal": False,
        "elicitation": ELICITATION_CAPABILITY,
    },
}
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


def prompt_params(session_id: str, text: str, attachments: tuple[Any, ...] = ()) -> dict[str, Any]:
    """``session/prompt``: the text, then each attachment as an ``image`` block (base64)."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}]
    blocks += [{"type": "image", "mimeType": a.media_type, "data": a.base64()} for a in attachments]
    return {"sessionId": session_id, "prompt": blocks}


def takes_images(capabilities: dict[str, Any]) -> bool:
    """Whether an agent's ``initialize`` said it takes image blocks in a prompt."""
    return as_dict(capabilities.get("promptCapabilities")).get("image") is True


def session_of(method: str, params: Any) -> str | None:
    """The route of a notification: the ACP session it belongs to."""
    sid = params.get("sessionId") if isinstance(params, dict) else None
    return sid if isinstance(sid, str) else None


def _content_text(content: Any) -> str:
    """The text of an ACP content list (``[{type:"content", content:{type:"text", text}}]``)."""
    parts = []
    for block in as_list(content):
        inner = as_dict(as_dict(block).get("content"))
        if inner.get("type") == "text":
            parts.append(as_str(inner.get("text")))
    return "\n".join(p for p in parts if p)


class AcpTurn:
    """The state of one ``session/prompt`` turn, fed that session's updates."""

    __slots__ = (
        "calls",
        "chunk_usage",
        "context",
        "held",
        "model",
        "own",
        "own_calls",
        "profile",
        "session_id",
        "text",
        "turn_text",
    )

    def __init__(
        self, profile: AcpProfile, session_id: str, model: str | None, own: frozenset[str] = frozenset()
    ) -> None:
        self.profile = profile
        self.session_id = session_id
        self.model = model
        #: the text since the last tool call (the answer, as the headless path reports it)
        self.turn_text: list[str] = []
        self.text = ""
        self.calls: dict[str, Event] = {}
        #: calls announced without their details yet (`_vague`), by id
        self.held: dict[str, dict[str, Any]] = {}
        #: the names of the tools oauthpy registered with the agent (`AcpProfile.own_tool_name`)
        self.own = own
        #: tool call ids of the run's own tools (an update may come without the title)
        self.own_calls: set[Any] = set()
        #: usage an agent reports on its message chunks (`AcpProfile.chunk_usage`), summed
        self.chunk_usage: Usage | None = None
        #: where the conversation keeps the agent's ``usage_update`` (its context window)
        self.context: ContextReports | None = None

    def _end_text(self) -> list[Event]:
        if not self.turn_text:
            return []
        self.text = "".join(self.turn_text)
        self.turn_text = []
        return [Event(EventKind.MESSAGE, text=self.text, status="completed")]

    def feed(self, method: str, params: Any) -> list[Event]:
        if method != "session/update":
            return [Event(EventKind.OTHER, text=method, raw={"method": method, "params": params})]
        update = as_dict(as_dict(params).get("update"))
        kind = update.get("sessionUpdate")
        raw = update
        if kind == "agent_message_chunk":
            counted = self.profile.chunk_usage(update)
            if counted is not None:
                self.chunk_usage = counted if self.chunk_usage is None else self.chunk_usage + counted
            chunk = as_str(as_dict(update.get("content")).get("text"))
            if not chunk or self.profile.skip_chunk(chunk):
                return []
            self.turn_text.append(chunk)
            return [Event(EventKind.MESSAGE, text=chunk, raw=raw, delta=True, status="in_progress")]
        if kind == "agent_thought_chunk":
            chunk = as_str(as_dict(update.get("content")).get("text"))
            return (
                [Event(EventKind.REASONING, text=chunk, raw=raw, delta=True, status="in_progress")]
                if chunk
                else []
            )
        if kind in ("tool_call", "tool_call_update"):
            known = update.get("toolCallId") in self.own_calls and update.get("kind") in (None, "other")
            if known or self.profile.own_tool_name(update, self.own) is not None:
                # the run's own tool: oauthpy reports its calls itself, by the user's name
                self.own_calls.add(update.get("toolCallId"))
                return self._end_text()
            call_id = as_str(update.get("toolCallId"))
            if self._refused(call_id):  # OpenCode may announce a call after its refusal
                self.held.pop(call_id, None)
                return []
            if call_id in self.calls:  # started by its question: OpenCode may announce it after
                self.held.pop(call_id, None)
                kind = "tool_call_update"
            if kind == "tool_call" and self._vague(update):
                self.held[call_id] = update  # announced before it is known what it will do
                return self._end_text()
            if call_id in self.held:
                update = {**self.held.pop(call_id), **update, "sessionUpdate": "tool_call"}
                kind = "tool_call"
            elif kind == "tool_call_update" and self._no_news(update):
                return []
            return [*self._end_text(), *self._started(update), self._tool(update, kind == "tool_call")]
        if kind == "plan":
            entries = [e for e in as_list(update.get("entries")) if isinstance(e, dict)]
            lines = [
                f"[{'x' if e.get('status') == 'completed' else ' '}] {as_str(e.get('content'))}"
                for e in entries
            ]
            return [Event(EventKind.PLAN, text="\n".join(lines), raw=raw, status="in_progress")]
        if kind in ("available_commands_update", "current_mode_update", "user_message_chunk"):
            return []
        if kind == "usage_update":
            # the context window, for `Session.context`: no event (an ``other`` one between a
            # message's deltas and its end would cut the message in two)
            if self.context is not None:
                self.context.seen(update)
            return []
        return [Event(EventKind.OTHER, text=as_str(kind), raw=raw)]

    def _vague(self, update: dict[str, Any]) -> bool:
        """A ``pending`` call announced before its details (OpenCode names a shell call
        ``bash`` and gives its command in the next update): held until they come, so that its
        one start event says what it does."""
        if update.get("status") != "pending":
            return False
        acp_kind = as_str(update.get("kind"))
        if acp_kind == "execute":
            return self.profile.command_of(update) is None
        if acp_kind in ("edit", "delete", "move"):
            return not any(as_str(as_dict(x).get("path")) for x in as_list(update.get("locations")))
        return not as_dict(update.get("rawInput"))

    def _no_news(self, update: dict[str, Any]) -> bool:
        """An update of a started call that is still under way (a ``pending`` call reported
        ``in_progress``, streamed output): every call starts once and ends once, as on every
        agent."""
        seen = self.calls.get(as_str(update.get("toolCallId")))
        if seen is None or seen.status != "in_progress":
            return False
        return event_status(update.get("status"), "in_progress") == "in_progress"

    def _refused(self, call_id: str) -> bool:
        """A call the user refused is ended, whatever the agent reports of it afterwards (a
        late start, its failure): every call starts once and ends once, as on every agent."""
        seen = self.calls.get(call_id)
        return seen is not None and seen.status == "declined"

    def _started(self, update: dict[str, Any]) -> list[Event]:
        """The start of a call first reported as over (gemini 0.61 reports a call it asked
        permission for only when it has run): every call starts, then ends, as on every agent."""
        if as_str(update.get("toolCallId")) in self.calls:
            return []
        if event_status(update.get("status"), "in_progress") == "in_progress":
            return []
        return [self._tool({**update, "status": "in_progress"}, True)]

    def asked(self, method: str, params: Any) -> list[Event]:
        """The events before gemini's request ``method`` is answered: for a permission question,
        the text so far ends and the call it is about starts (gemini 0.61 reports no start of
        such a call), so the ``permission`` event falls where it does on every agent, between
        the command's start and its end."""
        call = as_dict(as_dict(params).get("toolCall")) if method == REQUEST_PERMISSION else {}
        call_id = as_str(call.get("toolCallId"))
        if not call_id or call_id in self.calls or self.profile.own_tool_name(call, self.own) is not None:
            return self._end_text() if call else []
        return [*self._end_text(), self._tool({**call, "status": "in_progress"}, True)]

    def answered(self, method: str, params: Any, events: list[Event]) -> list[Event]:
        """``events`` (what answering the request gave), then, for a refused call, its end:
        gemini never reports a call the user refused."""
        denied = any(e.kind is EventKind.PERMISSION and e.status == "denied" for e in events)
        call = as_dict(as_dict(params).get("toolCall")) if method == REQUEST_PERMISSION else {}
        started = self.calls.get(as_str(call.get("toolCallId")))
        if not denied or started is None or started.status != "in_progress":
            return events
        self.calls[as_str(call.get("toolCallId"))] = declined = dataclasses.replace(
            started, raw=params, status="declined", is_error=True, timestamp=time.time()
        )
        return [*events, declined]

    def _tool(self, update: dict[str, Any], first: bool) -> Event:
        call_id = as_str(update.get("toolCallId"))
        seen = self.calls.get(call_id)
        acp_kind = as_str(update.get("kind"))
        # an update names the kind only where it changes: else it is the call's
        kind = _KINDS.get(acp_kind, EventKind.TOOL) if acp_kind or seen is None else seen.kind
        title = as_str(update.get("title")) or (seen.text if seen else "")
        status = event_status(update.get("status"), "in_progress")
        tool = self.profile.tool_name(call_id, update) or (seen.tool_name if seen else None)
        paths = [as_str(as_dict(x).get("path")) for x in as_list(update.get("locations"))]
        diffs = [as_dict(x) for x in as_list(update.get("content")) if as_dict(x).get("type") == "diff"]
        changes = (
            tuple(FileChange(path=as_str(d.get("path")), kind=_diff_kind(d)) for d in diffs)
            or tuple(FileChange(path=p, kind="update") for p in paths if p)
            or (seen.changes if seen else ())  # a closing update may name no file again
        )
        output = (
            None if first or kind is EventKind.FILE_CHANGE else (_content_text(update.get("content")) or None)
        )
        exit_code = None
        if kind is EventKind.COMMAND and output is not None:
            output, exit_code = self.profile.command_result(output)
        event = Event(
            kind,
            text=title,
            raw=update,
            item_id=call_id or None,
            status=status,
            command=(self.profile.command_of(update) or (seen.command if seen else None) or title)
            if kind is EventKind.COMMAND
            else None,
            output=output,
            exit_code=exit_code,
            changes=changes if kind is EventKind.FILE_CHANGE else (),
            tool_name=tool,
            is_error=status == "failed",
        )
        self.calls[call_id] = event
        return event

    def finish(self, answer: Any) -> list[Event]:
        """The events that close the turn, from the ``session/prompt`` answer; raise on failure."""
        closing = self._end_text()
        if not isinstance(answer, dict):
            raise ProtocolError(
                f"{self.profile.name} answered session/prompt with {type(answer).__name__}, not an object",
                details={"provider": self.profile.name},
            )
        result = answer
        reason = as_str(result.get("stopReason"))
        name = self.profile.name
        if reason == "cancelled":
            raise CommandExecutionError("the turn was cancelled", details={"provider": name})
        if reason == "refusal":
            raise CommandExecutionError(
                f"{name} refused to answer", details={"provider": name, "stop_reason": reason}
            )
        reported = self.profile.usage(result)
        if reported is None and self.chunk_usage is not None:
            reported = (self.chunk_usage, None)
        self.profile.check_finish(result, self.text, reported is not None)
        usage, model = reported if reported is not None else (Usage(), None)
        done = Event(
            EventKind.DONE,
            text=self.text,
            usage=usage,
            session_id=self.session_id,
            model=model or self.model,
            status="completed",
        )
        return [*closing, done]


def _diff_kind(diff: dict[str, Any]) -> FileChangeKind:
    """A diff's change: the agent's word in ``_meta.kind`` (gemini), else a diff from nothing
    (``oldText`` null, as ACP has it for a new file) is an add."""
    said = as_dict(diff.get("_meta")).get("kind")
    if said is not None:
        return change_kind(said)
    return "add" if "oldText" in diff and diff["oldText"] is None else "update"


def model_option(answer: Any) -> dict[str, Any]:
    """The session config option that chooses the model (ACP's ``configOptions``, category
    ``model``), or {} when the answer has none."""
    for option in as_list(as_dict(answer).get("configOptions")):
        option = as_dict(option)
        if option.get("category") == "model" or option.get("id") == "model":
            return option
    return {}


def current_model(answer: Any) -> str | None:
    """The model a ``session/new`` (or ``session/load``) answer says the session runs on."""
    current = as_dict(as_dict(answer).get("models")).get("currentModelId")
    if not isinstance(current, str):
        current = model_option(answer).get("currentValue")
    return current if isinstance(current, str) and current else None


def models_of(answer: Any) -> tuple[ModelInfo, ...]:
    """The models a ``session/new`` (or ``session/load``) answer offers: its ``models``, else
    the choices of its model config option."""
    models = as_dict(as_dict(answer).get("models"))
    entries = [(as_dict(e).get("modelId"), as_dict(e)) for e in as_list(models.get("availableModels"))] or [
        (as_dict(e).get("value"), as_dict(e)) for e in as_list(model_option(answer).get("options"))
    ]
    current = current_model(answer)
    return tuple(
        ModelInfo(
            id=model_id,
            display_name=as_str(entry.get("name")) or model_id,
            description=as_str(entry.get("description")),
            is_default=model_id == current,
            efforts=(),
            source="vendor",
        )
        for model_id, entry in entries
        if isinstance(model_id, str)
    )
