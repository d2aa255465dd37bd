"""How events, results and statuses look on a terminal and in ``--json`` output.

The JSON shapes are a stable, documented interface (docs/cli.md). Every string in them goes
through :func:`redact`, so a secret a vendor echoes back never reaches a pipe.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any, TextIO

from ..events import AuthStatus, Event, EventKind, RunResult, Usage
from ..redact import redact
from .term import style

_DETAIL_FIELDS = (
    "item_id",
    "status",
    "command",
    "exit_code",
    "output",
    "tool_name",
    "tool_input",
    "is_error",
    "session_id",
    "model",
)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(str(value))


def usage_json(usage: Usage | None) -> dict[str, Any] | None:
    return dataclasses.asdict(usage) if usage else None


def event_json(event: Event) -> dict[str, Any]:
    """``kind``, ``text``, ``timestamp``, ``delta`` and whichever detail fields are set."""
    out: dict[str, Any] = {"kind": event.kind.value, "text": event.text, "timestamp": event.timestamp}
    if event.delta:
        out["delta"] = True
    for name in _DETAIL_FIELDS:
        value = getattr(event, name)
        if value not in (None, False):
            out[name] = value
    if event.changes:
        out["changes"] = [{"path": c.path, "kind": c.kind} for c in event.changes]
    if event.usage:
        out["usage"] = usage_json(event.usage)
    if event.attempt != 1:
        out["attempt"] = event.attempt
    return _clean(out)  # type: ignore[no-any-return]


def result_json(result: RunResult) -> dict[str, Any]:
    return _clean(  # type: ignore[no-any-return]
        {
            "provider": result.provider,
            "transport": result.transport,
            "model": result.model,
            "session_id": result.session_id,
            "auth_source": result.auth_source,
            "text": result.text,
            "output": result.output if _is_json(result.output) else _dump_model(result.output),
            "usage": usage_json(result.usage),
            "elapsed_s": round(result.elapsed_s, 3),
            "events": [event_json(e) for e in result.events],
        }
    )


def status_json(status: AuthStatus) -> dict[str, Any]:
    return _clean(  # type: ignore[no-any-return]
        {
            "provider": status.provider,
            "installed": status.installed,
            "authenticated": status.authenticated,
            "mode": status.mode,
            "details": status.details,
        }
    )


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _dump_model(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)  # a pydantic model instance
    return dump(mode="json") if callable(dump) else str(value)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def describe(event: Event) -> str | None:
    """One readable line for an event, or None for events not worth a line."""
    kind = event.kind
    if kind is EventKind.COMMAND:
        if event.status == "in_progress":
            return f"[command] $ {event.command}"
        out = (event.output or "").strip().replace("\n", " | ")
        ended = f"exit {event.exit_code}" if event.exit_code is not None else event.status or "done"
        return f"[command] {ended}: {out[:120]}"
    if kind is EventKind.FILE_CHANGE and event.status != "in_progress":
        return "[file_change] " + ", ".join(f"{c.kind} {c.path}" for c in event.changes)
    if kind is EventKind.DONE:
        u = event.usage
        tokens = f"{u.input_tokens} in / {u.output_tokens} out" if u else "?"
        return f"[done] session {event.session_id}, tokens {tokens}"
    if kind is EventKind.TOOL and event.status != "in_progress":
        return f"[tool] {event.tool_name or ''} {event.text}".rstrip()
    if kind in (EventKind.MESSAGE, EventKind.REASONING, EventKind.PLAN, EventKind.ERROR):
        if event.delta or event.status == "in_progress":
            return None
        return f"[{kind.value}] {event.text}"
    return None


class StreamPrinter:
    """Live output of a run: the agent's words on ``out`` as they arrive, the rest on ``err``.

    Message deltas are written as they come; the complete message that follows only ends the
    line. Commands, file changes, tools, reasoning and errors go to ``err`` one line each, so
    piping ``out`` gives just the agent's text.
    """

    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, *, all_events: bool = False
    ) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.all_events = all_events
        self._line_open = False  # deltas were written without their newline yet
        self._streamed: set[str] = set()  # items whose text already went out as deltas

    def feed(self, event: Event) -> None:
        if event.kind is EventKind.MESSAGE:
            self._message(event)
            return
        self._end_line()
        line = describe(event)
        if line and (self.all_events or event.kind is not EventKind.DONE):
            self.err.write(redact(style(line, "dim", self.err)) + "\n")
            self.err.flush()

    def _message(self, event: Event) -> None:
        if event.delta:
            if event.item_id:
                self._streamed.add(event.item_id)
            self.out.write(redact(event.text))
            self.out.flush()
            self._line_open = True
            return
        already = event.item_id in self._streamed if event.item_id else self._line_open
        self._end_line()
        if not already:
            self.out.write(redact(event.text) + "\n")
            self.out.flush()

    def feed_end(self) -> None:
        """The run is over: finish any line left open."""
        self._end_line()

    def _end_line(self) -> None:
        if self._line_open:
            self.out.write("\n")
            self.out.flush()
            self._line_open = False
