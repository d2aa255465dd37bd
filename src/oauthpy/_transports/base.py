"""What a provider is, and the option-checking helpers they share.

A provider is a pure translator: it checks options, builds an invocation from a validated
request, and parses vendor records into events. It never touches a process itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, get_args

from oauthpy._checks import check_text
from oauthpy._errors import InvalidOptionsError
from oauthpy._events import Event, EventKind, EventStatus, FileChangeKind, ModelInfo
from oauthpy._invocation import Invocation
from oauthpy._options import RunRequest

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


@dataclass(frozen=True)
class Opt:
    """One accepted ``provider_options`` key: its type(s) and, optionally, allowed values."""

    types: tuple[type, ...]
    choices: tuple[str, ...] = ()
    items: type | None = None  # element type for list values
    help: str = ""


RETRY_OPTIONS: dict[str, Opt] = {
    "max_retries": Opt((int,), help="retries of transient failures (default 0)"),
    "retry_backoff_s": Opt((int, float)),
    "retry_backoff_max_s": Opt((int, float)),
    "retry_jitter_s": Opt((int, float)),
    "retry_on_timeout": Opt((bool,)),
}


def check_options(provider: str, options: Mapping[str, Any], spec: Mapping[str, Opt]) -> None:
    """Validate ``options`` against ``spec``: unknown keys and wrong types are errors."""
    for key, value in options.items():
        opt = spec.get(key)
        if opt is None:
            valid = ", ".join(sorted(spec))
            raise InvalidOptionsError(
                f"unknown provider_options key {key!r} for {provider}; valid keys: {valid}"
            )
        if value is None:
            continue
        ok = isinstance(value, opt.types) and not (isinstance(value, bool) and bool not in opt.types)
        if not ok:
            want = " or ".join(t.__name__ for t in opt.types)
            raise InvalidOptionsError(f"provider_options[{key!r}] must be {want}, got {type(value).__name__}")
        if opt.choices and value not in opt.choices:
            raise InvalidOptionsError(
                f"provider_options[{key!r}] for {provider} must be one of "
                f"{', '.join(opt.choices)}; got {value!r}"
            )
        if opt.items is not None:
            assert isinstance(value, Sequence)
            for item in value:
                if not isinstance(item, opt.items):
                    raise InvalidOptionsError(
                        f"provider_options[{key!r}] items must be {opt.items.__name__}, "
                        f"got {type(item).__name__}"
                    )
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key.startswith("retry_") and number and (not _finite(value) or value < 0):
            raise InvalidOptionsError(
                f"provider_options[{key!r}] must be a finite, non-negative number of seconds, got {value!r:.40}"
            )
        _check_strings(f"provider_options[{key!r}]", value)
        if key == "max_retries" and isinstance(value, int) and value < 0:
            raise InvalidOptionsError("provider_options['max_retries'] must not be negative")


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def _check_strings(name: str, value: Any, depth: int = 0) -> None:
    """Every string in an option (lists and mappings included) can reach a process's argv."""
    if isinstance(value, str):
        check_text(name, value)
    elif depth < 8 and isinstance(value, (list, tuple)):
        for item in value:
            _check_strings(name, item, depth + 1)
    elif depth < 8 and isinstance(value, Mapping):
        for k, v in value.items():
            _check_strings(name, k, depth + 1)
            _check_strings(name, v, depth + 1)


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
