"""Replays a recorded ACP prompt (tests/recordings/<agent>-acp/) through a turn translator."""

from __future__ import annotations

from typing import Any

from oauthpy._events import Event
from oauthpy._permissions import Decision, PermissionRequest, Verdict, permission_event
from oauthpy._transports.acp.asks import REQUEST_PERMISSION, AcpAsks
from oauthpy._transports.acp.turn import AcpTurn


def drive(
    lines: list[dict[str, Any]], prompt: dict[str, Any], turn: AcpTurn, asks: AcpAsks, decision: Decision
) -> tuple[list[Event], Any]:
    """The agent's messages after ``prompt`` through ``turn``, its permission questions answered
    with ``decision``: the events and the prompt's answer."""
    events: list[Event] = []
    for message in lines[lines.index(prompt) + 1 :]:
        if message.get("id") == prompt["id"] and "method" not in message:
            return events, message
        if message.get("method") == "session/update":
            events += turn.feed("session/update", message["params"])
        elif message.get("method") == REQUEST_PERMISSION:
            events += turn.asked(REQUEST_PERMISSION, message["params"])
            ask = asks.permission(REQUEST_PERMISSION, message["params"])
            assert isinstance(ask, PermissionRequest)
            served = [permission_event(ask, Verdict(decision))]
            events += turn.answered(REQUEST_PERMISSION, message["params"], served)
    raise AssertionError("the recording has no answer to its prompt")
