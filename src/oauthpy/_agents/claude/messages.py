"""Pure translation of claude-agent-sdk's session answers: ``SDKSessionInfo`` -> `SessionInfo`,
``SessionMessage`` records -> transcript events (recorded from the bundled CLI 2.1.329).

The records arrive as plain dicts (the SDK's dataclasses, as JSON): a ``SessionMessage``'s
``message`` is the Anthropic API message Claude Code saved, so its content blocks are the
API's (``text``, ``thinking``, ``tool_use``, ``tool_result``), not the SDK's block classes that
`oauthpy._agents.claude.parser` reads during a run. The tool mapping is the same: a ``Bash``
call is a command, ``Write``/``Edit`` a file change, anything else a tool call.
"""

from __future__ import annotations

from typing import Any

from oauthpy._agents.claude.parser import _FILE_TOOLS, _OWN_TOOLS, _text_of
from oauthpy._attachments import described, scrubbed
from oauthpy._events import Event, EventKind, FileChange
from oauthpy._fields import as_dict, as_str
from oauthpy._sessions import SessionInfo, reply_event, title_from, user_event, when
from oauthpy._transports.base import call_finished

#: what Claude Code writes as a user message when a turn is interrupted: not a prompt
_INTERRUPTED = "[Request interrupted by user"
#: the model name of the messages Claude Code makes up itself (an API error, a refusal to answer)
_SYNTHETIC = "<synthetic>"


def session_info(item: Any) -> SessionInfo | None:
    """One ``SDKSessionInfo`` (as a dict) as a `SessionInfo`; None for anything else."""
    if not isinstance(item, dict) or not isinstance(item.get("session_id"), str):
        return None
    # custom_title is the user's title, else the one Claude Code generated (aiTitle)
    title = as_str(item.get("custom_title")) or title_from(as_str(item.get("first_prompt")))
    return SessionInfo(
        id=item["session_id"],
        provider="claude",
        title=title,
        cwd=as_str(item.get("cwd")) or None,
        created_at=when(item.get("created_at")),
        updated_at=when(item.get("last_modified")),
        turns=None,  # the SDK's listing does not count them (it reads a file's head and tail only)
    )


def transcript_events(records: Any) -> list[Event]:
    """The events of a session's ``SessionMessage`` records (as dicts), in order.

    A tool call is one event at the place the model made it, finished with its result when the
    transcript has one (``in_progress`` when it does not: the turn ended before it did).
    """
    events: list[Event] = []
    calls: dict[str, int] = {}  # tool_use id -> index of its event
    for record in records if isinstance(records, list) else ():
        if not isinstance(record, dict) or not isinstance(record.get("message"), dict):
            continue
        message = record["message"]
        if record.get("type") == "user":
            _user(record, message.get("content"), events, calls)
        elif record.get("type") == "assistant":
            _assistant(record, message, events, calls)
    return events


def _user(record: dict[str, Any], content: Any, events: list[Event], calls: dict[str, int]) -> None:
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    if not isinstance(content, list):
        return
    texts, files = [], []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            texts.append(as_str(block.get("text")))
        elif block.get("type") == "tool_result":
            _result(record, block, events, calls)
        elif (shown := described(block)) is not None:
            files.append(shown)  # the prompt's attachments: their type and size, not their bytes
    prompt = "".join(texts)
    # a message of tool results only is the agent's own round trip, not a prompt
    if prompt.strip() and not prompt.startswith(_INTERRUPTED):
        events.append(user_event("\n".join([*files, prompt]), raw=scrubbed(record) if files else record))


def _result(
    record: dict[str, Any], block: dict[str, Any], events: list[Event], calls: dict[str, int]
) -> None:
    call_id = as_str(block.get("tool_use_id"))
    output = _text_of(block.get("content"))
    failed = block.get("is_error") is True
    index = calls.pop(call_id, None)
    if index is None:  # a result whose call is not in the transcript (compacted away)
        events.append(Event(EventKind.TOOL, text=output, raw=record, item_id=call_id, is_error=failed))
    else:
        events[index] = call_finished(events[index], record, output, failed)


def _assistant(
    record: dict[str, Any], message: dict[str, Any], events: list[Event], calls: dict[str, int]
) -> None:
    content = message.get("content")
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    made_up = message.get("model") == _SYNTHETIC
    mid = as_str(message.get("id")) or None
    for block in content if isinstance(content, list) else ():
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            text = as_str(block.get("text"))
            if made_up:  # Claude Code's own words (an API error), not the model's reply
                events.append(Event(EventKind.ERROR, text=text, raw=record, item_id=mid, status="failed"))
            else:
                events.append(reply_event(text, raw=record))
        elif kind == "thinking":
            text = as_str(block.get("thinking"))
            events.append(Event(EventKind.REASONING, text=text, raw=record, item_id=mid, status="completed"))
        elif kind == "tool_use":
            calls[as_str(block.get("id"))] = len(events)
            events.append(_call(record, block))
        else:
            events.append(Event(EventKind.OTHER, text=str(kind or "block"), raw=record, item_id=mid))


def _call(record: dict[str, Any], block: dict[str, Any]) -> Event:
    name = as_str(block.get("name"))
    tool_input = as_dict(block.get("input"))
    # the run's own tools (oauthpy._mcp_tools) under the name the user gave them
    shown = name.removeprefix(_OWN_TOOLS)
    common: dict[str, Any] = {
        "raw": record,
        "item_id": as_str(block.get("id")) or None,
        "status": "in_progress",
        "tool_name": shown,
        "tool_input": tool_input,
    }
    if name == "Bash":
        command = as_str(tool_input.get("command"))
        return Event(EventKind.COMMAND, text=command, command=command, **common)
    if name in _FILE_TOOLS:
        path = as_str(tool_input.get("file_path") or tool_input.get("notebook_path"))
        change = FileChange(path=path, kind=_FILE_TOOLS[name])
        return Event(EventKind.FILE_CHANGE, text=f"{change.kind} {path}", changes=(change,), **common)
    return Event(EventKind.TOOL, text=shown, **common)
