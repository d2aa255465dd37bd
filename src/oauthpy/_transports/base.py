"""What a provider is, and the option-checking helpers they share.

A provider is a pure translator: it checks options, builds an invocation from a validated
request, and parses vendor records into events. It never touches a process itself.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, Protocol, get_args

from oauthpy._events import Event, EventKind, EventStatus, FileChangeKind, ModelInfo
from oauthpy._invocation import Invocation
from oauthpy._options import RunRequest

# in a light module of their own: a fresh `oauthpy run` checks options before its CLI starts
from oauthpy._provider_options import RETRY_OPTIONS as RETRY_OPTIONS
from oauthpy._provider_options import Opt as Opt
from oauthpy._provider_options import check_options as check_options

if TYPE_CHECKING:
    from oauthpy._pool import AgentPool


class Parser(Protocol):
    """Turns one vendor output line at a time into events; decides the outcome at the end."""

    def feed(self, line: str) -> list[Event]: ...

    def finish(self, returncode: int, stderr: str) -> list[Event]:
        """The closing events (a ``done`` event on success), or raise the classified error."""
        ...


class Conversation(Protocol):
    """What every provider offers the runner, whatever carries it: a process per turn, a live
    JSON-RPC agent, or the claude SDK's client."""

    @property
    def transport(self) -> str:
        """The name of what carries it (``RunResult.transport``)."""
        ...

    def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        """One turn's events, ending with ``done`` or raising the classified error.

        Closing the generator before the turn has finished (``break``, cancellation) stops the
        turn: a live session's turn is interrupted and the conversation stays usable; anything
        else ends the turn's process.
        """
        ...

    async def aclose(self) -> None:
        """End whatever the conversation keeps running (bounded; safe to repeat)."""


class Provider(Protocol):
    name: str
    #: what can carry this provider's runs; the first is the default
    transports: tuple[str, ...]

    def check(self, request: RunRequest) -> None:
        """Raise `InvalidOptionsError` for anything wrong; spawn nothing."""

    #: the transports that can ask ``on_permission`` and serve ``tools`` (the first is preferred)
    asking: tuple[str, ...]
    #: whether ``provider_options["ephemeral"]`` runs leave no session on disk (batches use it)
    ephemeral: bool

    def open(self, transport: str | None, *, session: bool, pool: AgentPool | None) -> Conversation:
        """A conversation for one run (``session=False``) or for a session's turns, on
        ``transport`` (None: the provider's choice for that kind of conversation)."""
        ...

    async def models(self, env: dict[str, str]) -> tuple[ModelInfo, ...]:
        """The models it can run: the vendor's list where it has one, else the catalog's."""
        ...


class CliProvider(Provider, Protocol):
    def build(self, request: RunRequest, env: dict[str, str]) -> Invocation: ...

    def new_parser(self, request: RunRequest) -> Parser: ...


def call_finished(call: Event, raw: Any, output: str, failed: bool) -> Event:
    """The closing event of a tool call: the call's kind and details, with its outcome."""
    return Event(
        call.kind,
        text=call.text,
        raw=raw,
        item_id=call.item_id,
        status="failed" if failed else "completed",
        command=call.command,
        output=output,
        changes=call.changes,
        tool_name=call.tool_name,
        tool_input=call.tool_input,
        is_error=failed,
    )


# The C scanner behind json.loads, called directly: json.loads spends about as long around it
# (two regex matches, two Python frames) as in it, which matters for short JSONL records.
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def decode_record(line: str) -> dict[str, Any] | Event:
    """One JSONL record as a dict, or, for anything else, the ``other`` event that carries it."""
    if line[:1] == "{":
        try:
            rec, end = _scan(line, 0)
        except (StopIteration, ValueError):
            return Event(EventKind.OTHER, text=line, raw=line)
        if end == len(line) or not line[end:].strip():
            return rec  # type: ignore[no-any-return]
        return Event(EventKind.OTHER, text=line, raw=line)  # trailing garbage: not one record
    try:
        other = json.loads(line)
    except ValueError:
        return Event(EventKind.OTHER, text=line, raw=line)
    return other if isinstance(other, dict) else Event(EventKind.OTHER, raw=other)


#: the vendors' words for an item's state, as `EventStatus`
_STATUS_WORDS: dict[str, EventStatus] = {
    **{word: word for word in get_args(EventStatus)},
    "inProgress": "in_progress",
    "pending": "in_progress",
    "canceled": "cancelled",
}
#: the vendors' words for what happened to a file, as `FileChangeKind`
_CHANGE_WORDS: dict[str, FileChangeKind] = {
    "add": "add",
    "create": "add",
    "added": "add",
    "delete": "delete",
    "remove": "delete",
    "deleted": "delete",
}


def event_status(word: Any, default: EventStatus | None = None) -> EventStatus | None:
    """A vendor's status word as an `EventStatus`; an unknown one gives ``default``."""
    return _STATUS_WORDS.get(word, default) if isinstance(word, str) else default


def change_kind(word: Any) -> FileChangeKind:
    """A vendor's word for a file change; anything that is not an add or a delete is an update."""
    return _CHANGE_WORDS.get(word, "update") if isinstance(word, str) else "update"


def as_int(value: Any) -> int:
    """A token count from vendor JSON: anything that is not a number counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
