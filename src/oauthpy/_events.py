"""Normalized events and results: the same shapes for every provider.

All types are slotted and, except `Event` (see there), frozen. The vendor's own record stays
on ``.raw`` for callers who need to drop a level; it is left out of ``repr()`` so that printing
an event never shows a credential that a vendor echoed back.

``Event.text``, ``RunResult.text`` and ``RunResult.output`` are the model's answer and are
returned unchanged; ``repr()`` redacts (see `oauthpy._redact`).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ._redact import redact

#: what happened to a file (``FileChange.kind``)
FileChangeKind = Literal["add", "update", "delete"]
#: an item's state (``Event.status``): its lifecycle, a permission's decision, a run's end
EventStatus = Literal[
    "in_progress",
    "completed",
    "failed",
    "declined",
    "allowed",
    "denied",
    "interrupted",
    "cancelled",
    "retrying",
]


class EventKind(str, enum.Enum):
    """What an `Event` is about."""

    MESSAGE = "message"
    REASONING = "reasoning"
    PLAN = "plan"
    TOOL = "tool"
    COMMAND = "command"
    FILE_CHANGE = "file_change"
    #: an action the agent asked permission for, and the decision (``status``)
    PERMISSION = "permission"
    ERROR = "error"
    DONE = "done"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


def _shorten(text: str, limit: int = 80) -> str:
    """Cut for a repr, after redacting: cutting first would leave a key too short to recognise."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file touched by the agent: ``kind`` is ``add``, ``update`` or ``delete``."""

    path: str
    kind: FileChangeKind


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of a run (summed over every model call in it) and its cost when known."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_output_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None


@dataclass(slots=True, eq=False)
class Event:
    """One thing that happened during a run, as it happened. Treat it as read-only.

    Unlike the other types it is not frozen: a frozen dataclass sets each of its 17 fields
    through ``object.__setattr__``, which made building an event cost 2.4 us more, the largest
    part of the parsers' per-line cost (benchmarks/, docs/performance.md).

    ``delta`` is true for a partial piece of text (token streaming); the complete text of the
    same item follows in a non-delta event. ``status`` is ``in_progress``, ``completed`` or
    ``failed`` for items that have a lifecycle (commands, file changes, tools).
    """

    kind: EventKind
    text: str = ""
    timestamp: float = field(default_factory=time.time)
    raw: Any = field(default=None, repr=False, compare=False)
    item_id: str | None = None
    delta: bool = False
    status: EventStatus | None = None
    # command details
    command: str | None = None
    exit_code: int | None = None
    output: str | None = None
    # file changes
    changes: tuple[FileChange, ...] = ()
    # tool details (also set on command / file_change events that come from a tool call)
    tool_name: str | None = None
    tool_input: Any = field(default=None, repr=False)
    is_error: bool = False
    # on the final ``done`` event
    usage: Usage | None = None
    session_id: str | None = None
    model: str | None = None
    #: which attempt of a retried run produced this event (1 unless ``max_retries`` retried)
    attempt: int = 1

    def __repr__(self) -> str:
        parts = [f"kind={self.kind.value!r}"]
        if self.text and self.delta:
            # a piece of a stream cannot be judged alone: it may be half of a key
            parts.append(f"text_len={len(self.text)}")
        elif self.text:
            parts.append(f"text={_shorten(redact(self.text))!r}")
        for name in ("item_id", "status", "command", "exit_code", "tool_name", "session_id"):
            value = getattr(self, name)
            if value is not None:
                shown_value = redact(value) if isinstance(value, str) else value
                parts.append(f"{name}={shown_value!r}")
        if self.delta:
            parts.append("delta=True")
        if self.attempt != 1:
            parts.append(f"attempt={self.attempt}")
        if self.changes:
            parts.append(f"changes={list(self.changes)!r}")
        return f"Event({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of one finished run."""

    provider: str
    transport: str
    text: str
    events: tuple[Event, ...]
    elapsed_s: float
    cwd: str
    usage: Usage
    model: str | None = None
    #: what ``resume=`` continues; None when the run kept no session (``ephemeral``)
    session_id: str | None = None
    output: Any = None
    auth_source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"RunResult(provider={self.provider!r}, model={self.model!r}, "
            f"session_id={self.session_id!r}, text={_shorten(redact(self.text))!r}, "
            f"events={len(self.events)}, elapsed_s={self.elapsed_s:.3f})"
        )


@dataclass(frozen=True, slots=True)
class AuthStatus:
    """Whether a provider is installed and logged in, and where that was found out.

    ``details`` holds what only one vendor reports (``credential_source``, ``checked``: what
    ``auto`` found in each source, ``note``...). Nothing here is ever a secret.
    """

    provider: str
    installed: bool
    authenticated: bool
    #: how it is authenticated: ``oauth``, ``api-key``, ``env``, ``login-state``, ``cloud``, ``unknown``
    mode: str = "unknown"
    #: the auth source the client was asked for, and the one the status is about
    source_requested: str = "auto"
    source_used: str | None = None
    #: the vendor's login state directory for ``source_used``
    state_dir: str | None = None
    #: the vendor CLI found, and the version it reports
    binary: str | None = None
    version: str | None = None
    #: False when login state was found but the vendor tool could not confirm it (the first run
    #: will tell); None when not authenticated
    verified: bool | None = None
    #: why not authenticated (``binary_missing``, ``not_authenticated``, ``api_key_missing``...)
    reason: str | None = None
    #: what to do about it
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model a provider can run (`oauthpy.Client.models`).

    ``source`` is ``"vendor"`` when the vendor tool reported it, ``"catalog"`` when it comes
    from oauthpy's own list (the vendor tool has no way to list its models).
    """

    id: str
    display_name: str = ""
    description: str = ""
    is_default: bool = False
    #: the reasoning efforts it accepts (empty: no effort setting)
    efforts: tuple[str, ...] = ()
    source: str = "catalog"
