"""The session catalogue: every provider's sessions listed, read, forked and deleted through the
vendor's own interface (docs/sessions.md).

This module holds what the catalogue returns and the `Catalogue` protocol; one module per vendor
implements it (each a translator of the vendor's own listing, transcript and fork answers), and
the registry names which one an agent uses (``Agent.catalogue``). A catalogue reads only through
the vendor's own interface (codex app-server, the claude SDK's session functions, the Gemini
CLI's flags, ACP ``session/list``/``session/load``): never a token or credential file. Every
call is bounded in time and leaves no process behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from oauthpy._errors import NotSupportedError
from oauthpy._events import Event, EventKind

#: how long one catalogue call may take (a vendor start plus one or two requests)
CATALOGUE_WAIT_S = 60.0
#: how long a title made from a first prompt may be
TITLE_CHARS = 80
#: the `Capabilities` of a session's controls: docs/sessions.md has their own table
SESSION_CONTROLS = ("questions", "steer", "rewind", "compact", "context")


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One saved session of a provider (`oauthpy.Client.sessions`).

    ``title`` is the vendor's title, else the first prompt shortened (empty when neither is
    known). Times are timezone-aware; a field the vendor does not report is None.
    """

    id: str
    provider: str
    title: str = ""
    cwd: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    turns: int | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a provider supports (`oauthpy.Client.capabilities`); docs/sessions.md has the table."""

    provider: str
    #: `Client.sessions`
    sessions: bool = False
    #: `Client.transcript`
    transcript: bool = False
    #: `Client.fork`
    fork: bool = False
    #: `Client.delete_session`
    delete_session: bool = False
    #: ``break`` / cancelling a turn keeps the session usable
    interrupt: bool = True
    #: ``on_permission`` is asked before an action
    permissions: bool = True
    #: ``tools=[fn]``
    tools: bool = True
    #: images in a prompt
    images: bool = False
    #: `Client.models` reports the vendor's own list
    models: bool = False
    #: the account's quota can be read
    quota: bool = False
    #: the agent's questions reach ``on_question`` (on the transport a run with it takes)
    questions: bool = False
    #: `Session.steer`: a message into the turn under way
    steer: bool = False
    #: `Session.rewind`: the conversation back by turns
    rewind: bool = False
    #: `Session.compact`: the conversation summarized in place
    compact: bool = False
    #: `Session.context`: how full the model's context window is
    context: bool = False


class Catalogue(Protocol):
    """One vendor's sessions; ``env`` is the client's environment for its auth source (so an
    isolated client sees only its own state). Unknown ids raise `SessionNotFoundError`; what the
    vendor cannot do raises `NotSupportedError`."""

    #: what it can do (the `Capabilities` fields of the same names)
    can_list: bool
    can_transcript: bool
    can_fork: bool
    can_delete: bool

    async def learn(self, env: dict[str, str]) -> None:
        """Find out what the installed agent can do, where that is only known by asking it (an
        ACP agent's ``initialize``): sets the ``can_*`` attributes. Bounded; may do nothing."""
        ...

    async def list_sessions(
        self, env: dict[str, str], *, cwd: str | None, limit: int | None
    ) -> list[SessionInfo]:
        """Newest first (by ``updated_at``, else ``created_at``), at most ``limit``; for ``cwd``
        (an absolute, resolved path), only those started in that folder."""
        ...

    async def transcript(self, env: dict[str, str], session_id: str) -> list[Event]:
        """The conversation in order: `user_event` per prompt, completed ``message`` events for
        the replies, commands/file changes/tools where the vendor recorded them."""
        ...

    async def fork(self, env: dict[str, str], session_id: str) -> str:
        """A new session id whose transcript starts with the parent's; the parent is unchanged."""
        ...

    async def delete(self, env: dict[str, str], session_id: str) -> None: ...


def seconds_left(deadline: float) -> float:
    """What is left of a catalogue call's ``deadline`` (``time.monotonic()``), never negative."""
    import time

    return max(deadline - time.monotonic(), 0.0)


def user_event(text: str, *, raw: Any = None, timestamp: float | None = None) -> Event:
    """A user prompt of a transcript."""
    event = Event(EventKind.USER, text=text, status="completed", raw=raw)
    if timestamp is not None:
        event.timestamp = timestamp
    return event


def reply_event(text: str, *, raw: Any = None, timestamp: float | None = None) -> Event:
    """An agent's reply of a transcript."""
    event = Event(EventKind.MESSAGE, text=text, status="completed", raw=raw)
    if timestamp is not None:
        event.timestamp = timestamp
    return event


def title_from(prompt: str) -> str:
    """A title from a first prompt: one line, at most `TITLE_CHARS`."""
    line = " ".join(prompt.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 3] + "..."


def when(value: Any) -> dt.datetime | None:
    """A vendor's time as an aware datetime: ISO 8601 text (``Z`` or an offset; naive is UTC),
    or Unix seconds or milliseconds; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    return None


def newest_first(infos: Iterable[SessionInfo], limit: int | None) -> list[SessionInfo]:
    """Sorted newest first (sessions with no time last), cut to ``limit``."""
    oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    ordered = sorted(infos, key=lambda s: s.updated_at or s.created_at or oldest, reverse=True)
    return ordered if limit is None else ordered[:limit]


class NoCatalogue:
    """A provider that keeps no catalogue oauthpy can read: every call says so."""

    can_list = can_transcript = can_fork = can_delete = False

    def __init__(self, provider: str, why: str) -> None:
        self._provider = provider
        self._why = why

    async def learn(self, env: dict[str, str]) -> None:
        return None

    def _refuse(self, what: str) -> NotSupportedError:
        return NotSupportedError(f"{self._provider} cannot {what}: {self._why}")

    async def list_sessions(
        self, env: dict[str, str], *, cwd: str | None, limit: int | None
    ) -> list[SessionInfo]:
        raise self._refuse("list its sessions")

    async def transcript(self, env: dict[str, str], session_id: str) -> list[Event]:
        raise self._refuse("read a session's transcript")

    async def fork(self, env: dict[str, str], session_id: str) -> str:
        raise self._refuse("fork a session")

    async def delete(self, env: dict[str, str], session_id: str) -> None:
        raise self._refuse("delete a session")


def capability_table(rows: Iterable[Capabilities]) -> str:
    """The Markdown table docs/sessions.md shows (a test checks it matches the providers); the
    session controls are in a table of their own there."""
    names = [
        f.name for f in dataclasses.fields(Capabilities) if f.name not in ("provider", *SESSION_CONTROLS)
    ]
    lines = ["| provider | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for row in rows:
        marks = ["yes" if getattr(row, name) else "-" for name in names]
        lines.append(f"| {row.provider} | " + " | ".join(marks) + " |")
    return "\n".join(lines)
