"""Asking the user's code before the agent acts: ``on_permission`` and what it answers.

Each vendor asks in its own way (codex approval requests, gemini ``session/request_permission``,
claude's ``can_use_tool``); its translator turns the question into a `PermissionRequest`
and the answer back into the vendor's decision. What every vendor shares lives here: calling
the callback (sync ones in a thread, so the event loop and the run's timeout keep going), reading
its answer, remembering ``allow_always`` for the conversation, and the ``permission`` event.

Fail closed: a callback that raises or answers something unreadable denies the action; the
caller then stops the agent and raises.
"""

from __future__ import annotations

import enum
import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from oauthpy._errors import InvalidOptionsError
from oauthpy._escape import visible
from oauthpy._events import Event, EventKind
from oauthpy._redact import redact

PermissionKind = Literal["command", "file_change", "tool", "other"]


def _shown(text: str) -> str:
    return visible(redact(text))


class Decision(str, enum.Enum):
    """What ``on_permission`` may answer (besides ``True`` and ``False``)."""

    #: allow this action, this once
    ALLOW = "allow"
    #: allow it, and the same action for the rest of the session without asking again
    ALLOW_ALWAYS = "allow_always"
    #: refuse it; the agent is told and goes on
    DENY = "deny"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PermissionRequest:
    """An action the agent wants to take, as the vendor asked about it.

    ``kind`` is ``"command"`` (a shell command, in ``command``, run in ``cwd``),
    ``"file_change"`` (files in ``paths``), ``"tool"`` (a tool call: ``tool_name``,
    ``tool_input``) or ``"other"``. ``raw`` is the vendor's own request.
    """

    provider: str
    kind: PermissionKind
    command: str | None = None
    cwd: str | None = None
    paths: tuple[str, ...] = ()
    tool_name: str | None = None
    tool_input: Any = field(default=None, repr=False)
    raw: Any = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        """One line that says what is asked, for logs, questions and the ``permission`` event.

        The agent's words are redacted, then shown with their control characters escaped
        (`visible`): a ``\\r`` or an ESC sequence in a command must not redraw the line a person
        approves (escaped first, a key could stop looking like one).
        """
        if self.kind == "command" and self.command:
            return f"run {_shown(self.command)}"
        if self.kind == "file_change":
            return f"change {_shown(', '.join(self.paths))}" if self.paths else "change files"
        if self.tool_name:
            return f"use {_shown(self.tool_name)}"
        return self.kind

    def asked(self) -> str:
        """What a person is asked to allow, after "<agent> wants to ": a command on a line of
        its own, in backquotes, else the `summary`; and where. For every question oauthpy asks
        (the terminal's, an MCP client's)."""
        where = f" in {_shown(self.cwd)}" if self.cwd else ""
        if self.kind == "command" and self.command:
            return f"run this command{where}:\n    `{_shown(self.command)}`"
        return f"{self.summary()}{where}"

    def key(self) -> tuple[str, ...] | None:
        """What ``allow_always`` covers: the same command, the same files, the same tool with
        the same input (a fetch of another address is asked again). None when the request
        names too little to be remembered (a file change with no paths, a command with no
        text, a question with nothing in it): such an ``allow_always`` allows it once."""
        if (self.kind == "file_change" and not self.paths) or (self.kind == "command" and not self.command):
            return None
        what = _canonical(self.tool_input) if self.tool_input is not None else ""
        if self.kind in ("tool", "other"):
            # an ACP question's title and raw input are what it is about
            call = self.raw.get("toolCall") if isinstance(self.raw, dict) else None
            if isinstance(call, dict):
                what += _canonical([call.get("title"), call.get("rawInput")])
            if not self.tool_name and what in ("", _canonical([None, None])):
                return None
        return (self.kind, self.command or "", *self.paths, self.tool_name or "", what)

    def argv(self) -> list[str] | None:
        """The command's words when it is one plain command, else None.

        The shell line is the whole ``command``: ``touch notes.txt; rm -f keep.txt`` starts with
        ``touch notes.txt`` and deletes a file. So a policy should never match it by prefix.
        This gives the words (quotes honoured, as the shell splits them) only when the line has
        no shell syntax that could run or write anything else: no ``;``, ``&``, ``|``, redirects,
        ``$`` (variables, ``$(...)``), backquotes, parentheses, braces, globs, ``~``, ``#``,
        backslashes, newlines or control characters. Compare the result with an exact allowlist.
        """
        if self.kind != "command" or not self.command:
            return None
        if any(c in _SHELL_SYNTAX or ord(c) < 32 or ord(c) == 127 for c in self.command):
            return None
        try:
            words = shlex.split(self.command)
        except ValueError:  # an unterminated quote
            return None
        return words or None

    def __repr__(self) -> str:
        # the command or a tool's input may carry a secret (an Authorization header, a key)
        parts = [f"provider={self.provider!r}", f"kind={self.kind!r}"]
        if self.command is not None:
            parts.append(f"command={redact(self.command)!r}")
        if self.cwd is not None:
            parts.append(f"cwd={self.cwd!r}")
        if self.paths:
            parts.append(f"paths={tuple(redact(p) for p in self.paths)!r}")
        if self.tool_name is not None:
            parts.append(f"tool_name={self.tool_name!r}")
        return f"PermissionRequest({', '.join(parts)})"


#: characters that make a shell line more than one plain command (see `PermissionRequest.argv`)
_SHELL_SYNTAX = frozenset(";&|<>`$(){}[]*?~#!\\")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The callback's answer, read: a decision and the reason the agent is told (if any)."""

    decision: Decision
    reason: str | None = None

    @property
    def allowed(self) -> bool:
        return self.decision is not Decision.DENY


#: ``on_permission``: takes a `PermissionRequest`, returns (or awaits to) ``True``,
#: ``False``, a `Decision` or its value, or ``(decision, reason)``
PermissionCallback = Callable[[PermissionRequest], Any]

_ANSWERS = "True, False, a Decision ('allow', 'allow_always', 'deny') or (decision, reason)"


def check_callback(value: Any) -> PermissionCallback | None:
    """``on_permission`` as given, checked before anything starts."""
    if value is None:
        return None
    if not callable(value):
        raise InvalidOptionsError(
            f"on_permission must be a function taking a PermissionRequest, got {type(value).__name__}"
        )
    return value  # type: ignore[no-any-return]


def read_answer(answer: Any) -> Verdict:
    """The verdict in a callback's answer; an unreadable answer is an error (fail closed)."""
    reason = None
    if isinstance(answer, tuple) and len(answer) == 2 and (answer[1] is None or isinstance(answer[1], str)):
        answer, reason = answer
    if answer is True:
        return Verdict(Decision.ALLOW, reason)
    if answer is False:
        return Verdict(Decision.DENY, reason)
    if isinstance(answer, str):
        try:
            return Verdict(Decision(answer), reason)
        except ValueError:
            pass
    raise InvalidOptionsError(f"on_permission answered {answer!r:.60}; it must answer {_ANSWERS}")


async def ask(callback: PermissionCallback, request: PermissionRequest, deadline: float | None) -> Verdict:
    """Call ``callback`` within the run's deadline (its idle timeout is not running meanwhile).

    Raises what the callback raised (``SystemExit``/``KeyboardInterrupt`` carried as a
    `UserCodeExit`), `InvalidOptionsError` for an unreadable answer, or `TimeoutExceededError`
    when the run's total timeout passes while it decides (an awaitable answer included).
    """
    from oauthpy._callbacks import call_user

    return read_answer(await call_user(callback, request, deadline, "on_permission", "decided"))


class Permissions:
    """One conversation's permission state: what was allowed always, and the asking itself."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self._always: set[tuple[str, ...]] = set()

    async def decide(
        self, callback: PermissionCallback | None, request: PermissionRequest, deadline: float | None
    ) -> Verdict:
        """The verdict for ``request``: remembered, the callback's, or deny without a callback."""
        key = request.key()
        if key is not None and key in self._always:
            return Verdict(Decision.ALLOW_ALWAYS, "allowed earlier for the session")
        if callback is None:
            return Verdict(Decision.DENY, "no on_permission callback: oauthpy denies what it is asked")
        verdict = await ask(callback, request, deadline)
        if verdict.decision is Decision.ALLOW_ALWAYS:
            if key is None:  # nothing to recognize it by next time: this once only
                return Verdict(Decision.ALLOW, verdict.reason)
            self._always.add(key)
        return verdict


def _canonical(value: Any) -> str:
    """A tool input as text, the same for equal inputs whatever their key order."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)
    except (TypeError, ValueError):
        return repr(value)


def permission_event(request: PermissionRequest, verdict: Verdict) -> Event:
    """The ``permission`` event that records a request and its decision."""
    return Event(
        kind=EventKind.PERMISSION,
        text=request.summary(),
        status="allowed" if verdict.allowed else "denied",
        command=request.command,
        tool_name=request.tool_name,
        tool_input=request.tool_input,
        output=verdict.reason,
        raw=request,
    )


__all__ = [
    "Decision",
    "PermissionCallback",
    "PermissionKind",
    "PermissionRequest",
    "Permissions",
    "Verdict",
    "ask",
    "check_callback",
    "permission_event",
    "read_answer",
]
