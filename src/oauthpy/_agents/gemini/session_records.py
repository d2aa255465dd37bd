"""Pure reading of Gemini CLI 0.61 session records (``<home>/.gemini/tmp/<project>/chats/``).

Each chat file is JSONL: a header line (``sessionId``, ``projectHash``, ``startTime``, ...),
message records (``id``, ``type``: ``user``/``gemini``/``info``/``error``/``warning``, ``content``,
``toolCalls``), ``{"$set": {...}}`` metadata updates (``$set.messages`` replaces the history) and
``{"$rewindTo": id}``. A record with an id seen before replaces it in place. A resumed run writes
a new header into the same file. Older files are one JSON object with ``messages``. These rules
are the CLI's own ``loadConversationRecord``; which files count as a session follows its
``getSessionFiles`` (recorded: tests/recordings/gemini-sessions/).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from oauthpy._attachments import described, scrubbed
from oauthpy._events import Event, EventKind, EventStatus, FileChange, FileChangeKind
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._sessions import SessionInfo, reply_event, title_from, user_event, when

#: chat files: ``session-<time>-<first 8 of the id>.json[l]``, directly in ``chats/``
FILE_PREFIX = "session-"
FILE_SUFFIXES = (".jsonl", ".json")
#: user content gemini writes itself (never typed): the session's context, a hook's context
_PREAMBLES = ("<session_context>", "<hook_context>")
#: what the CLI's import (``--session-file``) writes first in the new session
IMPORT_NOTE = "Imported session from "
_FILE_TOOLS: dict[str, FileChangeKind] = {"write_file": "add", "replace": "update", "edit": "update"}


@dataclass
class ChatRecord:
    """One chat file, as the CLI loads it."""

    session_id: str
    project_hash: str
    #: the first header's ``startTime`` (a resumed run's header overrides the CLI's own one)
    created: str | None = None
    last_updated: str | None = None
    summary: str = ""
    kind: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    #: a line could not be read (a write cut short): what came before it is kept
    torn: bool = False

    @property
    def prompts(self) -> list[str]:
        return [p for p in map(prompt_of, self.messages) if p is not None]

    @property
    def resumable(self) -> bool:
        """Whether the CLI lists and resumes it (``hasResumableContent``, not a subagent's)."""
        return self.kind != "subagent" and any(map(_resumable, self.messages))


class DamagedRecord(ValueError):
    """A chat file oauthpy cannot read at all (each file is judged on its own)."""


def parse_record(text: str) -> ChatRecord | None:
    """A chat file's text as the CLI reads it; None if it is not a session record."""
    meta: dict[str, Any] = {}
    created: str | None = None
    messages: dict[str, dict[str, Any]] = {}
    torn = False
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            torn = True
            continue  # the CLI skips a line it cannot read (a write cut short)
        except RecursionError:
            raise DamagedRecord("a line is nested too deeply to read") from None
        if not isinstance(rec, dict):
            continue
        if isinstance(rec.get("$rewindTo"), str):
            _rewind(messages, rec["$rewindTo"])
        elif isinstance(rec.get("id"), str):
            messages[rec["id"]] = rec
        elif isinstance(rec.get("$set"), dict):
            update = rec["$set"]
            if isinstance(update.get("messages"), list):
                messages = {m["id"]: m for m in update["messages"] if isinstance(m, dict) and _has_id(m)}
            meta.update(update)
        elif isinstance(rec.get("sessionId"), str) and isinstance(rec.get("projectHash"), str):
            created = created or as_str(rec.get("startTime")) or None
            meta.update(rec)
            for m in as_list(rec.get("messages")):
                if isinstance(m, dict) and _has_id(m):
                    messages[m["id"]] = m
    if not (isinstance(meta.get("sessionId"), str) and isinstance(meta.get("projectHash"), str)):
        return _legacy(text)
    record = _record(meta, created, list(messages.values()))
    record.torn = torn
    return record


def _legacy(text: str) -> ChatRecord | None:
    """A whole-file JSON record (the CLI's format before JSONL)."""
    try:
        whole = json.loads(text)
    except ValueError:
        return None
    except RecursionError:
        raise DamagedRecord("it is nested too deeply to read") from None
    if not isinstance(whole, dict) or not isinstance(whole.get("sessionId"), str):
        return None
    messages = [m for m in as_list(whole.get("messages")) if isinstance(m, dict)]
    return _record(whole, as_str(whole.get("startTime")) or None, messages)


def _record(meta: dict[str, Any], created: str | None, messages: list[dict[str, Any]]) -> ChatRecord:
    return ChatRecord(
        session_id=meta["sessionId"],
        project_hash=as_str(meta.get("projectHash")),
        created=created or as_str(meta.get("startTime")) or None,
        last_updated=as_str(meta.get("lastUpdated")) or as_str(meta.get("startTime")) or None,
        summary=as_str(meta.get("summary")),
        kind=as_str(meta.get("kind")),
        messages=messages,
    )


def _has_id(message: dict[str, Any]) -> bool:
    return isinstance(message.get("id"), str)


def _rewind(messages: dict[str, dict[str, Any]], to: str) -> None:
    """Drop the message ``to`` and every later one; all of them if ``to`` is unknown."""
    ids = list(messages)
    cut = ids.index(to) if to in ids else 0
    for key in ids[cut:]:
        del messages[key]


def content_text(content: Any) -> str:
    """The text parts of a message's content (a string, or a list of parts)."""
    if isinstance(content, str):
        return content
    return "".join(as_str(as_dict(part).get("text")) for part in as_list(content))


def _display(content: Any) -> str:
    """Content as the CLI shows it: non-text parts as ``[Function Response: name]`` etc."""
    if isinstance(content, str):
        return content
    shown = []
    for part in map(as_dict, as_list(content)):
        if isinstance(part.get("text"), str):
            shown.append(part["text"])
        elif part:
            shown.append(f"[{next(iter(part))}]")
    return "".join(shown)


def _ignored(text: str) -> bool:
    """What the CLI leaves out when it resumes: its own preambles and slash/help commands."""
    text = text.strip()
    return not text or text.startswith(("/", "?", *_PREAMBLES))


def _resumable(message: dict[str, Any]) -> bool:
    kind = message.get("type")
    if kind == "user":
        return not _ignored(_display(message.get("content")))
    if kind == "gemini":
        text = _display(message.get("content")).strip()
        return bool(text or as_list(message.get("toolCalls")) or as_list(message.get("thoughts")))
    return False


def prompt_of(message: dict[str, Any]) -> str | None:
    """The user's prompt in a message; None for anything else (the CLI's preamble, a tool's
    result sent back to the model, a reply)."""
    if message.get("type") != "user":
        return None
    text = content_text(message.get("content"))
    if not text.strip() or text.lstrip().startswith(_PREAMBLES):
        return None
    return text


def project_hash(root: str) -> str:
    """The CLI's ``projectHash`` of a project folder."""
    return hashlib.sha256(root.encode("utf-8")).hexdigest()


def is_chat_file(name: str) -> bool:
    return name.startswith(FILE_PREFIX) and name.endswith(FILE_SUFFIXES)


def file_of(name: str, session_id: str) -> bool:
    """Whether a chat file's name is one the CLI may have written for ``session_id``."""
    return is_chat_file(name) and name.rsplit(".", 1)[0].endswith("-" + session_id[:8])


def pick(records: Iterable[tuple[str, ChatRecord]]) -> dict[str, tuple[str, ChatRecord]]:
    """Per session id, the file the CLI resumes: of its resumable files, the last updated
    (a resumed session can leave more than one file). A torn file (a write cut short before its
    first prompt was kept) counts too, after those: its id and what is readable are not lost."""
    chosen: dict[str, tuple[str, ChatRecord]] = {}
    for path, record in records:
        if not (record.resumable or record.torn):
            continue
        held = chosen.get(record.session_id)
        if held is None or _rank(record) > _rank(held[1]):
            chosen[record.session_id] = (path, record)
    return chosen


def _rank(record: ChatRecord) -> tuple[bool, float]:
    return record.resumable, _stamp(record.last_updated)


def _stamp(value: str | None) -> float:
    moment = when(value)
    return moment.timestamp() if moment else 0.0


def session_info(record: ChatRecord, cwd: str | None) -> SessionInfo:
    """A listed session: the CLI's summary as title (it writes one when it lists sessions or
    starts interactively), else the first prompt."""
    prompts = record.prompts
    title = record.summary or (prompts[0] if prompts else "")
    return SessionInfo(
        id=record.session_id,
        provider="gemini",
        title=title_from(title),
        cwd=cwd,
        created_at=when(record.created),
        updated_at=when(record.last_updated),
        turns=len(prompts),
    )


def imported_from(record: ChatRecord) -> str | None:
    """The file a session was imported from by ``--session-file`` (its first message says)."""
    first = record.messages[0] if record.messages else {}
    text = as_str(first.get("content"))
    if first.get("type") == "info" and text.startswith(IMPORT_NOTE):
        return text[len(IMPORT_NOTE) :]
    return None


def transcript(record: ChatRecord) -> list[Event]:
    """The conversation in order: prompts, replies, the agent's reasoning summaries, its tool
    calls (a shell command as ``command``, a file write as ``file_change``) and API errors."""
    events: list[Event] = []
    for message in record.messages:
        stamp = _stamp(as_str(message.get("timestamp"))) or None
        kind = message.get("type")
        if kind == "user":
            prompt = prompt_of(message)
            if prompt is not None:
                # the prompt's images: their type and size, not their bytes
                files = [f for f in map(described, as_list(message.get("content"))) if f is not None]
                raw = scrubbed(message) if files else message
                events.append(user_event("\n".join([*files, prompt]), raw=raw, timestamp=stamp))
        elif kind == "gemini":
            events.extend(_reply(message, stamp))
        elif kind == "error":
            events.append(
                _at(Event(EventKind.ERROR, text=_display(message.get("content")), raw=message), stamp)
            )
    return events


def _reply(message: dict[str, Any], stamp: float | None) -> list[Event]:
    events = []
    for thought in map(as_dict, as_list(message.get("thoughts"))):
        text = "\n".join(t for t in (as_str(thought.get("subject")), as_str(thought.get("description"))) if t)
        if text:
            events.append(_at(Event(EventKind.REASONING, text=text, status="completed", raw=thought), stamp))
    text = content_text(message.get("content"))
    if text.strip():
        events.append(reply_event(text, raw=message, timestamp=stamp))
    for call in map(as_dict, as_list(message.get("toolCalls"))):
        events.append(tool_event(call, _stamp(as_str(call.get("timestamp"))) or stamp))
    return events


def tool_event(call: dict[str, Any], stamp: float | None = None) -> Event:
    """One recorded tool call, finished, with its outcome (as a run reports its end)."""
    name = as_str(call.get("name"))
    args = as_dict(call.get("args"))
    shown = call.get("resultDisplay")
    output = shown if isinstance(shown, str) else ""
    outcome = as_str(call.get("status"))
    status: EventStatus = (
        "completed" if outcome == "success" else "declined" if outcome == "cancelled" else "failed"
    )
    common: dict[str, Any] = {
        "raw": call,
        "item_id": as_str(call.get("id")) or None,
        "status": status,
        "tool_name": name,
        "tool_input": args,
        "output": output,
        "is_error": status != "completed",
    }
    if name == "run_shell_command":
        command = as_str(args.get("command"))
        event = Event(EventKind.COMMAND, text=command, command=command, **common)
    elif name in _FILE_TOOLS:
        path = as_str(args.get("file_path"))
        new = as_dict(shown).get("isNewFile")
        what: FileChangeKind = "add" if new is True else "update" if new is False else _FILE_TOOLS[name]
        change = FileChange(path=path, kind=what)
        event = Event(EventKind.FILE_CHANGE, text=f"{change.kind} {path}", changes=(change,), **common)
    else:
        event = Event(EventKind.TOOL, text=name, **common)
    return _at(event, stamp)


def _at(event: Event, stamp: float | None) -> Event:
    if stamp:
        event.timestamp = stamp
    return event


def delete_answer(stdout: str, stderr: str) -> tuple[bool, str]:
    """What ``gemini --delete-session <id>`` said (it exits 0 either way): whether it deleted,
    and its words (``Deleted session 3: <first prompt> (Just now)``, or ``Invalid session
    identifier "<id>". ...`` / ``No sessions found for this project.`` / ``Failed to delete
    session: ...`` on stderr)."""
    for line in stdout.splitlines():
        if line.strip().startswith("Deleted session"):
            return True, line.strip()
    said = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("[STARTUP]")]
    return False, said[-1] if said else "gemini did not say it deleted the session"
