"""One line for an event, safe to show: the CLI's ``--stream`` lines, ``oauthpy compare``'s
progress and the MCP server's progress notifications all come from `describe`.

What an agent does is chosen by a model, and its commands and paths may hold a secret (a key
echoed into a command) or control characters that redraw a terminal. So every line is redacted
first (a key escaped or cut first may no longer look like one), then escaped (`visible`), then
cut to its length.
"""

from __future__ import annotations

from oauthpy._escape import visible
from oauthpy._events import Event, EventKind
from oauthpy._redact import redact

#: the length of a brief line (a progress notification), and of a command's shown output
BRIEF_CHARS = 120

#: events whose text is prose that may span lines (the rest is one line)
_PROSE = (EventKind.MESSAGE, EventKind.REASONING, EventKind.PLAN, EventKind.ERROR)


def describe(event: Event, *, brief: bool = False) -> str | None:
    """A redacted, escaped line for ``event``, or None for an event not worth one.

    ``brief``: what the agent is doing now ("running: ls", "thinking"), one line of at most
    `BRIEF_CHARS`, for progress; else the full line of the ``--stream`` output
    ("[command] $ ls", "[message] ...")."""
    if brief:
        line = _doing(event)
        return None if line is None else safe(line)[:BRIEF_CHARS]
    line = _line(event)
    return None if line is None else safe(line, prose=event.kind in _PROSE)


def safe(text: str, *, prose: bool = False) -> str:
    """``text`` redacted, then its control characters escaped (``prose`` keeps line breaks)."""
    return visible(redact(text), keep_newlines=prose)


def _doing(event: Event) -> str | None:
    if event.status not in (None, "in_progress") and event.kind is not EventKind.PERMISSION:
        return None  # an item's end: its start said it
    if event.kind is EventKind.COMMAND and event.command:
        return f"running: {event.command}"
    if event.kind is EventKind.FILE_CHANGE:
        return f"changing {', '.join(c.path for c in event.changes) if event.changes else 'files'}"
    if event.kind is EventKind.TOOL and event.tool_name:
        return f"using {event.tool_name}"
    if event.kind is EventKind.REASONING:
        return "thinking"
    if event.kind is EventKind.MESSAGE:
        return "writing its answer"
    if event.kind is EventKind.PERMISSION:
        return "waiting for a permission answer"
    return None


def _line(event: Event) -> str | None:
    kind = event.kind
    if kind is EventKind.COMMAND:
        if event.status == "in_progress":
            return f"[command] $ {event.command}"
        # redacted before cutting: a cut key may be too short to recognise
        out = redact((event.output or "").strip()).replace("\n", " | ")
        ended = f"exit {event.exit_code}" if event.exit_code is not None else event.status or "done"
        return f"[command] {ended}: {out[:BRIEF_CHARS]}"
    if kind is EventKind.FILE_CHANGE and event.status != "in_progress":
        return "[file_change] " + ", ".join(f"{c.kind} {c.path}" for c in event.changes)
    if kind is EventKind.DONE:
        u = event.usage
        tokens = f"{u.input_tokens} in / {u.output_tokens} out" if u else "?"
        return f"[done] session {event.session_id}, tokens {tokens}"
    if kind is EventKind.QUESTION:  # what was asked, and what the agent was told
        said = f"answered: {event.output}" if event.status == "answered" else "declined"
        return f"[question] {event.text} ({said})"
    if kind is EventKind.TOOL and event.status != "in_progress":
        return f"[tool] {event.tool_name or ''} {event.text}".rstrip()
    if kind in _PROSE:
        if event.delta or event.status == "in_progress":
            return None
        return f"[{kind.value}] {event.text}"
    return None


__all__ = ["BRIEF_CHARS", "describe", "safe"]
