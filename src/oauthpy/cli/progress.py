"""What the spinner says while a run waits: retries and reconnects, not only the time.

A vendor that retries by itself says so in an ``error`` event (codex ``Reconnecting... 2/5``,
Claude Code's ``api_retry``); oauthpy's own retries (``max_retries``) carry theirs in
``Event.raw["retry"]``. Each becomes a short note ("reconnecting 2/5 after 429", "retry 2/3
after 429") until the run moves again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from oauthpy._events import Event, EventKind
from oauthpy._run_outcome import MOVING

if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._events import RunResult
    from oauthpy.cli.term import Spinner

_RECONNECT = re.compile(r"Reconnecting\.\.\.\s*(?:(\d+)/(\d+)|(waiting for network))")
_RETRY_OF = re.compile(r"retry (\d+) of (\d+)")
_STATUS = re.compile(r"(?:last status|status|API error)[:\s]+(\d{3})\b")


def progress_note(event: Event) -> str | None:
    """The spinner's note after ``event``: a retry or reconnect in progress, ``""`` once the
    run is moving again, None for no change."""
    if event.kind.value in MOVING:  # the run is going again: the note is cleared
        return ""
    if event.kind is not EventKind.ERROR:
        return None
    raw = event.raw if isinstance(event.raw, dict) else {}
    retry = raw.get("retry")
    if isinstance(retry, dict):
        return f"retry {retry.get('next')}/{retry.get('of')} after {retry.get('after')}"
    text = event.text or ""
    found = _RECONNECT.search(text)
    if found:
        note = (
            "reconnecting, waiting for network" if found.group(3) else f"reconnecting {found[1]}/{found[2]}"
        )
    elif event.status == "retrying":
        counted = _RETRY_OF.search(text)  # "retry 2 of 10" (Claude Code's words)
        note = f"retry {counted[1]}/{counted[2]}" if counted else "retrying"
    else:
        return None
    status = _STATUS.search(text)
    return f"{note} after {status[1]}" if status else note


def run_watched(client: Client, prompt: str, options: dict[str, Any], spinner: Spinner) -> RunResult:
    """``client.run(prompt, **options)``, telling ``spinner`` about retries and reconnects.

    ``on_event`` shows the spinner every attempt's events; with ``max_retries``, only the
    successful attempt's events are the result's, as in any ``run``.
    """

    def watch(event: Event) -> None:
        if event.status == "failover":  # another agent takes the work: one line that says so
            from oauthpy._escape import visible
            from oauthpy._redact import redact

            spinner.say(f"oauthpy: {visible(redact(event.text))}")
        if event.kind is EventKind.QUESTION:  # asked and answered, or declined with no terminal
            from oauthpy._describe import describe

            spinner.say(describe(event) or "")
        note = progress_note(event)
        if note is not None:
            spinner.note(note)

    return client.run(prompt, **options, on_event=watch)


__all__ = ["progress_note", "run_watched"]
