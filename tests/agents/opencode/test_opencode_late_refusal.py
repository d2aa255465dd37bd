"""OpenCode may ask for a command before it announces it, and announce it after the user answered
(seen under load in tests/contract/test_event_shape.py): a refused call stays ended, an allowed one
starts once."""

from __future__ import annotations

from typing import Any

import pytest

from oauthpy._agents.opencode.profile import OpencodeAcp
from oauthpy._permissions import Decision, Verdict, permission_event
from oauthpy._transports.acp.asks import REQUEST_PERMISSION, AcpAsks
from oauthpy._transports.acp.turn import AcpTurn

pytestmark = pytest.mark.fast

OPENCODE = OpencodeAcp()
CALL = "call_6b9bc50879d0"
COMMAND = {"command": "touch refused.txt"}


def update(kind: str, status: str, **more: Any) -> dict[str, Any]:
    call = {"toolCallId": CALL, "title": "touch refused.txt", "kind": "execute", "status": status}
    return {"sessionId": "ses_1", "update": {"sessionUpdate": kind, **call, "rawInput": COMMAND, **more}}


def _asked(announced: bool, decision: Decision) -> tuple[AcpTurn, list[Any]]:
    """A turn that asked about the call and got ``decision``, the call announced vaguely before
    the question or not at all; and the events so far."""
    turn = AcpTurn(OPENCODE, "ses_1", "fake/fake-model", frozenset())
    asks = AcpAsks(OPENCODE, "/tmp/probe/work", frozenset(), turn.own_calls)
    events = []
    if announced:  # a `bash` call whose command comes in a later update: held until then
        vague = {"sessionUpdate": "tool_call", "toolCallId": CALL, "title": "bash", "kind": "execute"}
        events += turn.feed(
            "session/update", {"sessionId": "ses_1", "update": {**vague, "status": "pending"}}
        )
    question = {
        "sessionId": "ses_1",
        "toolCall": {"toolCallId": CALL, "title": "touch refused.txt", "kind": "execute", "status": "pending"}
        | {"rawInput": COMMAND},
        "options": [
            {"optionId": "once", "kind": "allow_once", "name": "Allow"},
            {"optionId": "reject", "kind": "reject_once", "name": "Reject"},
        ],
    }
    events += turn.asked(REQUEST_PERMISSION, question)
    ask = asks.permission(REQUEST_PERMISSION, question)
    served = [permission_event(ask, Verdict(decision))]  # type: ignore[arg-type]
    events += turn.answered(REQUEST_PERMISSION, question, served)
    return turn, events


@pytest.mark.parametrize(
    ("decision", "reported", "answered", "ended"),
    [(Decision.DENY, "failed", "denied", "declined"), (Decision.ALLOW, "completed", "allowed", "completed")],
    ids=["refused", "allowed"],
)
@pytest.mark.parametrize("announced", [False, True], ids=["unannounced", "announced-vaguely"])
def test_a_call_announced_after_its_answer_starts_once_and_ends_once(
    announced: bool, decision: Decision, reported: str, answered: str, ended: str
) -> None:
    turn, events = _asked(announced, decision)
    # what OpenCode then reports of the call: a refused one stays declined whatever it says
    events += turn.feed("session/update", update("tool_call", "in_progress"))
    events += turn.feed("session/update", update("tool_call_update", reported, content=[]))
    assert [(e.kind.value, e.status) for e in events] == [
        ("command", "in_progress"),
        ("permission", answered),
        ("command", ended),
    ]
