"""How events, results and statuses look on a terminal and in ``--json`` output.

The JSON shapes are a stable, documented interface (docs/cli.md). Every string in them goes
through `redact`, so a secret a vendor echoes back never reaches a pipe. Streamed text
(message deltas) is redacted across piece boundaries (`StreamRedactor`): a key the model
streams in pieces is masked whole, on a terminal and in ``--json`` alike.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from oauthpy._describe import describe  # the one describer: redacted, escaped
from oauthpy._events import AuthStatus, Event, EventKind, RunResult, Usage
from oauthpy._redact import StreamRedactor, redact
from oauthpy.cli.term import style

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


def clean(value: Any) -> Any:
    """A JSON-like value with every string redacted, as every CLI output is."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(str(value))


def usage_json(usage: Usage | None) -> dict[str, Any] | None:
    return dataclasses.asdict(usage) if usage else None


def event_json(event: Event, text: str | None = None) -> dict[str, Any]:
    """``kind``, ``text``, ``timestamp``, ``delta`` and whichever detail fields are set.

    ``text`` replaces the event's own: `result_json` passes each delta's text redacted
    jointly with the rest of its message; a delta given alone is redacted alone.
    """
    shown = event.text if text is None else text
    out: dict[str, Any] = {"kind": event.kind.value, "text": shown, "timestamp": event.timestamp}
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
    return clean(out)  # type: ignore[no-any-return]


def delta_texts(events: Sequence[Event]) -> dict[int, str]:
    """The text of each delta event (by index), redacted together with the other deltas of its
    message: a key split across deltas is masked, and the texts joined read as the redacted
    message (text is held back to a later delta of the same message where a key could start)."""
    out: dict[int, str] = {}
    redactor: StreamRedactor | None = None
    group: tuple[Any, ...] | None = None
    last = -1
    for i, event in enumerate(events):
        key = (event.kind, event.item_id, event.attempt) if event.delta else None
        if key != group and redactor is not None:
            out[last] += redactor.flush()
            redactor = None
        group = key
        if key is not None:
            redactor = redactor or StreamRedactor()
            out[i] = redactor.feed(event.text)
            last = i
    if redactor is not None:
        out[last] += redactor.flush()
    return out


def result_json(result: RunResult) -> dict[str, Any]:
    deltas = delta_texts(result.events)
    return clean(  # type: ignore[no-any-return]
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
            "events": [event_json(e, deltas.get(i)) for i, e in enumerate(result.events)],
            # the agents that failed over before this one answered (--fallback)
            **({"attempts": [dataclasses.asdict(a) for a in result.attempts]} if result.attempts else {}),
        }
    )


def status_json(status: AuthStatus) -> dict[str, Any]:
    return clean(  # type: ignore[no-any-return]
        {
            **{f.name: getattr(status, f.name) for f in dataclasses.fields(status)},
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


def answer_text(result: RunResult) -> str:
    """The final text as ``oauthpy run`` prints it: redacted, like every CLI output.

    The library returns ``result.text`` unchanged (it is the model's answer); what oauthpy
    prints is redacted.
    """
    return redact(result.text)


class StreamPrinter:
    """Live output of a run: the agent's words on ``out`` as they arrive, the rest on ``err``.

    Message deltas are written as they come, through one `StreamRedactor` (a key split
    across deltas is masked; the last word or so waits for the next delta); the complete message
    that follows only ends the line. Commands, file changes, tools, reasoning and errors go to
    ``err`` one line each, so piping ``out`` gives just the agent's text.
    """

    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, *, all_events: bool = False
    ) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.all_events = all_events
        self._redactor = StreamRedactor()
        self._line_open = False  # deltas were written without their newline yet
        self._unnamed_open = False  # some of those deltas carried no item id
        self._streamed: set[str] = set()  # items whose text already went out as deltas

    def feed(self, event: Event) -> None:
        if event.kind is EventKind.MESSAGE:
            self._message(event)
            return
        line = describe(event)
        if line and (self.all_events or event.kind is not EventKind.DONE):
            self._end_line()  # an event that shows nothing leaves the answer's line open
            self.err.write(style(line, "dim", self.err) + "\n")
            self.err.flush()

    def _message(self, event: Event) -> None:
        if event.delta:
            if event.item_id:
                self._streamed.add(event.item_id)
            else:
                self._unnamed_open = True
            self._write(self._redactor.feed(event.text))
            self._line_open = True
            return
        # Open deltas without an id belong to this message whatever its id: it is not repeated.
        already = self._unnamed_open or (
            event.item_id in self._streamed if event.item_id else self._line_open
        )
        self._unnamed_open = False
        self._end_line()
        if not already:
            self._write(redact(event.text) + "\n")

    def feed_end(self) -> None:
        """The run is over: write what the redactor held back and finish any open line."""
        self._end_line()

    def _end_line(self) -> None:
        if self._line_open:
            self._write(self._redactor.flush() + "\n")
            self._line_open = False

    def _write(self, text: str) -> None:
        if text:
            self.out.write(text)
            self.out.flush()
