"""Normalized events and results: the same shapes for every provider.

All types are frozen, except `Event`, and slotted, except `RunResult` (see each). The vendor's
own record stays on ``.raw`` for callers who need to drop a level; it is left out of ``repr()``
so that printing an event never shows a credential that a vendor echoed back.

``Event.text``, ``RunResult.text`` and ``RunResult.output`` are the model's answer and are
returned unchanged; ``repr()`` redacts (see `oauthpy._redact`).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal

# AuthMode and AuthReason live in `oauthpy._auth_kinds`: the auth backends need them before a fresh
# `oauthpy run` starts its agent's CLI, and this module is not light
from oauthpy._auth_kinds import AuthMode as AuthMode
from oauthpy._auth_kinds import AuthReason as AuthReason
from oauthpy._redact import redact

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
    "failover",
    "answered",
]

if TYPE_CHECKING:
    # a default (PEP 696) makes a bare ``RunResult`` mean ``RunResult[Any]``; typing.TypeVar takes
    # one from Python 3.13 only, and only type checkers read it
    from typing_extensions import TypeVar

    from oauthpy._review_types import Review

    #: the type of ``RunResult.output``: the pydantic model given as ``output_schema``, else Any
    OutputT = TypeVar("OutputT", covariant=True, default=Any)
else:
    from typing import TypeVar

    OutputT = TypeVar("OutputT", covariant=True)


class EventKind(str, enum.Enum):
    """What an `Event` is about."""

    MESSAGE = "message"
    #: a user's prompt, in a session's transcript (`Client.transcript`)
    USER = "user"
    REASONING = "reasoning"
    PLAN = "plan"
    TOOL = "tool"
    COMMAND = "command"
    FILE_CHANGE = "file_change"
    #: an action the agent asked permission for, and the decision (``status``)
    PERMISSION = "permission"
    #: the agent asked the user a question (`oauthpy.Question`): ``status`` is ``answered`` (the
    #: answer in ``output``) or ``declined``
    QUESTION = "question"
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

    def __add__(self, other: Usage) -> Usage:
        """Totals of two runs (a session's, a batch's); the cost is None unless both know it."""
        if not isinstance(other, Usage):
            return NotImplemented
        both = self.cost_usd is not None and other.cost_usd is not None
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            reasoning_output_tokens=self.reasoning_output_tokens + other.reasoning_output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cost_usd=(self.cost_usd or 0.0) + (other.cost_usd or 0.0) if both else None,
        )


@dataclass(slots=True, eq=False)
class Event:
    """One thing that happened during a run, as it happened. Treat it as read-only.

    Unlike the other types it is not frozen: a frozen dataclass sets each of its 17 fields
    through ``object.__setattr__``, which made building an event cost 2.4 us more, the largest
    part of the parsers' per-line cost (benchmarks/, docs/performance.md).

    Every agent and transport gives a run the same shape: a piece of streamed text (``delta``
    true) is ``in_progress`` and the complete text of the same item follows in a non-delta
    event that is ``completed``; a command, file change or tool call is ``in_progress`` when it
    starts and ``completed``, ``failed`` or ``declined`` when it ends, with a ``permission``
    event (``allowed``/``denied``) between the two when ``on_permission`` was asked; the run
    ends with a ``done`` event (``completed``). ``command`` is the command as the model wrote
    it (never the shell the vendor wraps it in). An ``other`` event names what it carries in
    ``text`` (a vendor record oauthpy does not map) and keeps it on ``.raw``.

    The optional fields are set by kind; `as_command`, `as_tool` and `as_done` give a typed
    view of an event of their kind (None for any other), in which they are not optional::

        if (cmd := event.as_command()) is not None:
            print(cmd.command.upper(), cmd.exit_code)
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

    def as_command(self) -> CommandView | None:
        """This ``command`` event, typed (None for another kind)."""
        if self.kind is not EventKind.COMMAND:
            return None
        return CommandView(self, self.command or self.text, self.exit_code, self.output)

    def as_tool(self) -> ToolView | None:
        """This ``tool`` event, typed (None for another kind)."""
        if self.kind is not EventKind.TOOL:
            return None
        return ToolView(self, self.tool_name or self.text, self.tool_input, self.output)

    def as_done(self) -> DoneView | None:
        """This ``done`` event, typed (None for another kind)."""
        if self.kind is not EventKind.DONE:
            return None
        return DoneView(self, self.text, self.usage or Usage(), self.session_id, self.model)

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
class CommandView:
    """A ``command`` event, typed (`Event.as_command`)."""

    event: Event
    #: the command as the model wrote it
    command: str
    #: None while it runs, and where the vendor reports none (claude, gemini: a command that
    #: failed is ``status == "failed"`` there)
    exit_code: int | None
    #: what it printed; None where the vendor does not report it (gemini ACP)
    output: str | None

    @property
    def status(self) -> EventStatus | None:
        return self.event.status

    def __repr__(self) -> str:
        return f"CommandView({self.event!r})"  # the event's repr, which redacts


@dataclass(frozen=True, slots=True)
class ToolView:
    """A ``tool`` event, typed (`Event.as_tool`)."""

    event: Event
    #: the tool's name as the agent reports it
    tool_name: str
    tool_input: Any
    output: str | None

    @property
    def status(self) -> EventStatus | None:
        return self.event.status

    def __repr__(self) -> str:
        return f"ToolView({self.event!r})"  # the event's repr, which redacts


@dataclass(frozen=True, slots=True)
class DoneView:
    """The ``done`` event that ends a run, typed (`Event.as_done`)."""

    event: Event
    text: str
    usage: Usage
    session_id: str | None
    model: str | None

    def __repr__(self) -> str:
        return f"DoneView({self.event!r})"  # the event's repr, which redacts


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """An agent's try that failed over to the next agent of ``fallback`` (`RunResult.attempts`)."""

    provider: str
    #: the error's type (``"QuotaExceededError"``...) and its message
    error_type: str
    message: str
    elapsed_s: float
    #: the files its events said it changed
    changed: tuple[str, ...] = ()
    #: its changes went with its worktree (``workspace="worktree"``); else they are in the tree
    changes_discarded: bool = False


# Not slotted: Python < 3.12 breaks ``RunResult[Label](...)`` on a frozen slotted dataclass (its
# generated __setattr__ then refuses typing's ``__orig_class__`` with a TypeError).
@dataclass(frozen=True)
class RunResult(Generic[OutputT]):
    """The outcome of one finished run.

    Generic in ``output``: a run given ``output_schema=Label`` (a pydantic model class) returns
    a ``RunResult[Label]`` whose ``output`` is a ``Label`` to type checkers; any other run
    returns ``RunResult[Any]``.
    """

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
    #: the parsed answer of a run with ``output_schema`` (an instance of the pydantic model given,
    #: or the JSON value for a JSON schema); None otherwise
    output: OutputT = None  # type: ignore[assignment]
    auth_source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: what the run cost in USD: the vendor's own figure (claude), else oauthpy's
    #: estimate from its dated price table (``cost_estimated``); None when neither is known
    cost_usd: float | None = None
    cost_estimated: bool = False
    #: a ``workspace="worktree"`` run's changes against HEAD: the paths (`Change`), relative to
    #: the repository, and a unified diff (binary files included); a plain run has none
    changes: tuple[Any, ...] = ()
    diff: str | None = None
    #: the kept worktree's path (``keep_workspace=True``); None once it is gone
    workspace: str | None = None
    #: the repository the worktree was taken of (where `apply` applies)
    repository: str | None = field(default=None, repr=False)
    #: the agents' tries that failed over before ``provider`` answered (``fallback=``)
    attempts: tuple[FailedAttempt, ...] = ()

    def apply(self) -> None:
        """Bring a worktree run's changes into the repository's working tree (``git apply``);
        refused, changing nothing, when they do not apply cleanly (`OauthPyError`)."""
        if self.repository is None:
            from oauthpy._errors import InvalidOptionsError

            raise InvalidOptionsError("only a run with workspace='worktree' has changes to apply")
        from oauthpy._workspace import apply

        apply(self.repository, self.diff or "")

    def review(self, by: str, **options: Any) -> Review:
        """Have agent ``by`` review this run's change, read-only: a worktree run's ``diff`` (read
        in its kept worktree, else its repository), else the uncommitted changes of its ``cwd``.
        ``options``: ``focus``, ``model``, ``timeout``, ``env``, ``on_event``, ``auth_source``,
        ``provider_options`` (docs/review.md)."""
        from oauthpy._loop import run_sync

        return run_sync(self.areview(by, **options))

    async def areview(self, by: str, **options: Any) -> Review:
        """Async twin of `review`."""
        from oauthpy._review_run import review_run

        return await review_run(self, by, **options)

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
    mode: AuthMode = "unknown"
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
    reason: AuthReason | None = None
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
