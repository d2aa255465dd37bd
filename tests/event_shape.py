"""The shape of a run's events, the same on every agent and transport (issue 25, item 7).

A run's shape is the kind and status of each whole item in order (text deltas folded into
the message they belong to), checked the same way by the parsers' unit tests (recorded output)
and by tests/contract/test_event_shape.py (the real CLIs against the fakes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from oauthpy import Event, EventKind

Shape = list[tuple[str, str | None]]


def shape(events: Iterable[Event], *, others: bool = True) -> Shape:
    """``[(kind, status), ...]`` of the whole items, after checking the deltas and that no event
    is a blank ``other``; without the ``other`` ones unless ``others`` (an agent's own records,
    `Provision.other_events`)."""
    out: Shape = []
    for e in events:
        assert not (e.kind is EventKind.OTHER and not e.text), (
            f"a blank other event from a {type(e.raw).__name__}"
        )
        if e.kind is EventKind.OTHER and not others:
            continue
        if e.delta:
            assert e.status == "in_progress", f"a delta with status {e.status!r}: {e!r}"
            continue
        out.append((e.kind.value, e.status))
    return out


def message_command_message(command_status: str = "completed") -> Shape:
    """A message, a shell command run to its end, the final message (the ``done`` event apart)."""
    return [
        ("message", "completed"),
        ("command", "in_progress"),
        ("command", command_status),
        ("message", "completed"),
    ]


def commands(events: Sequence[Event]) -> list[str | None]:
    """The command text of each command event."""
    return [e.command for e in events if e.kind is EventKind.COMMAND]
