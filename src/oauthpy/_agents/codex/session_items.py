"""Pure translation for the codex catalogue (app-server protocol v2 of codex 0.163): the
requests `CodexCatalogue` sends, and its answers as `SessionInfo` and transcript events.

A thread's turns hold the same items a live turn reports in ``item/completed``; every item but
the prompt and the replies goes through `AppTurn`'s own translation, so a transcript's commands,
file changes and tool calls look like a run's. Recorded answers: tests/recordings/codex-sessions/.
"""

from __future__ import annotations

from typing import Any

from oauthpy._agents.codex.app_parser import AppTurn
from oauthpy._attachments import described, scrubbed
from oauthpy._events import Event, EventKind
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._sessions import SessionInfo, reply_event, title_from, user_event, when

#: every source a saved thread of oauthpy (app-server: "vscode"; ``transport="exec"``: "exec")
#: or of the user's own codex can have; without it codex lists only its interactive ones
SOURCES = ("cli", "vscode", "exec", "appServer", "unknown")
#: threads or turns asked for per page
PAGE = 100
#: what codex 0.163 says for a thread id it has no saved thread for (``thread/read`` and
#: ``thread/turns/list``: "thread not loaded: ID"; ``thread/fork``, ``thread/delete``,
#: ``thread/archive``: "no rollout found for thread id ID")
_UNKNOWN = ("thread not loaded", "no rollout found", "invalid thread id")
#: ``thread/delete`` of a thread that a fork's history still reads from
_FORKED = "forked history still references it"
#: how codex refuses a method it does not have (``thread/delete`` is newer than ``thread/archive``)
_NO_METHOD = "unknown variant"


def list_params(cwd: str | None, limit: int | None, cursor: str | None) -> dict[str, Any]:
    """``thread/list``: newest first, every source and model provider (codex's defaults
    leave out ``codex exec`` threads and those of any other model provider than the one
    configured now), unarchived ones only."""
    params: dict[str, Any] = {
        "sourceKinds": list(SOURCES),
        "modelProviders": [],
        "sortKey": "updated_at",
        "sortDirection": "desc",
        "limit": min(limit, PAGE) if limit else PAGE,
    }
    if cwd is not None:
        params["cwd"] = cwd  # codex keeps only threads whose cwd is exactly this
    if cursor:
        params["cursor"] = cursor
    return params


def turns_params(thread_id: str, cursor: str | None) -> dict[str, Any]:
    """``thread/turns/list``: oldest first, each turn with all its items."""
    params: dict[str, Any] = {
        "threadId": thread_id,
        "itemsView": "full",
        "sortDirection": "asc",
        "limit": PAGE,
    }
    if cursor:
        params["cursor"] = cursor
    return params


def page_of(answer: Any) -> tuple[list[dict[str, Any]], str | None]:
    """A paged answer's entries and the cursor of the next page (None: it was the last)."""
    body = as_dict(answer)
    cursor = body.get("nextCursor")
    entries = [e for e in as_list(body.get("data")) if isinstance(e, dict)]
    return entries, cursor if isinstance(cursor, str) and cursor else None


def session_info(thread: dict[str, Any]) -> SessionInfo | None:
    """A ``thread/list`` entry (a ``Thread``): the title is its name, else its preview (codex:
    "usually the first user message") shortened. codex reports no turn count there."""
    thread_id = thread.get("id")
    if not isinstance(thread_id, str) or not thread_id:
        return None
    name = thread.get("name")
    cwd = thread.get("cwd")
    return SessionInfo(
        id=thread_id,
        provider="codex",
        title=name.strip()
        if isinstance(name, str) and name.strip()
        else title_from(as_str(thread.get("preview"))),
        cwd=cwd if isinstance(cwd, str) and cwd else None,
        created_at=when(thread.get("createdAt")),
        updated_at=when(thread.get("updatedAt")),
        turns=None,
    )


def prompt_text(item: dict[str, Any]) -> str:
    """A ``userMessage`` item's text, its images as their type and size (never their bytes)."""
    parts = []
    for content in as_list(item.get("content")):
        if isinstance(content, dict):
            parts.append(as_str(content.get("text")) or described(content) or "")
    return "\n".join(p for p in parts if p)


def transcript(thread_id: str, turns: list[dict[str, Any]]) -> list[Event]:
    """A thread's turns (oldest first) as events in order: the prompt as a ``user`` event, each
    reply a completed ``message``, the other items as a run reports them, and a failed turn's
    error. An event's time is its turn's start (the prompt) or end (the rest): items carry none."""
    events: list[Event] = []
    for turn in turns:
        began, ended = _seconds(turn.get("startedAt")), _seconds(turn.get("completedAt"))
        after = ended if ended is not None else began
        translator = AppTurn(thread_id, None)
        for item in as_list(turn.get("items")):
            if not isinstance(item, dict):
                continue
            events += _item_events(translator, item, began, after)
        error = turn.get("error")
        if isinstance(error, dict) and turn.get("status") == "failed":
            event = Event(
                EventKind.ERROR,
                text=as_str(error.get("message")) or "the turn failed",
                raw=error,
                status="failed",
                is_error=True,
            )
            _stamp(event, after)
            events.append(event)
    return events


def _item_events(
    translator: AppTurn, item: dict[str, Any], began: float | None, after: float | None
) -> list[Event]:
    kind = item.get("type")
    item_id = item.get("id") if isinstance(item.get("id"), str) else None
    if kind == "userMessage":
        event = user_event(prompt_text(item), raw=scrubbed(item), timestamp=began)
    elif kind == "agentMessage":
        event = reply_event(as_str(item.get("text")), raw=item, timestamp=after)
    else:
        found = translator.item(item, True, item)  # the translation a live turn's items get
        for each in found:
            _stamp(each, after)
        return found
    event.item_id = item_id
    return [event]


def _seconds(value: Any) -> float | None:
    moment = when(value)
    return moment.timestamp() if moment is not None else None


def _stamp(event: Event, timestamp: float | None) -> None:
    if timestamp is not None:
        event.timestamp = timestamp


def unknown_thread(said: str) -> bool:
    """Whether codex's error text says it has no saved thread with that id."""
    return any(words in said for words in _UNKNOWN)


def archive_instead(said: str) -> bool:
    """Whether a refused ``thread/delete`` leaves archiving as the way to drop the thread: a
    fork still reads its history, or this codex has no ``thread/delete``."""
    return _FORKED in said or _NO_METHOD in said
