"""The ACP catalogue's pure translation (`oauthpy._transports.acp.catalogue`): ``session/list`` answers as
`SessionInfo`, ``session/load`` replays as a transcript, on answers recorded from the real
copilot 1.0.102 and opencode 1.18.33 against oauthpy's fakes (tests/recordings/acp-sessions/,
made by /work/notes/acp-sessions-probe/record.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from oauthpy import EventKind
from oauthpy._agents.copilot.profile import CopilotAcp
from oauthpy._agents.opencode.profile import OpencodeAcp
from oauthpy._events import Event
from oauthpy._transports.acp.catalogue import replay_events, sessions_of
from oauthpy._transports.acp.profile import AcpProfile
from tests import paths
from tests.support import conversation

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "acp-sessions"
PROFILES: dict[str, AcpProfile] = {"copilot": CopilotAcp(), "opencode": OpencodeAcp()}
WORK = "/tmp/probe/work"
TWO = [
    ("user", "first prompt of two"),
    ("message", "reply one"),
    ("user", "second prompt of two"),
    ("message", "reply two"),
]


def loaded(agent: str, name: str) -> list[tuple[str, Any]]:
    lines = (RECORDINGS / f"{agent}-{name}.jsonl").read_text().splitlines()
    return [(m["method"], m["params"]) for m in map(json.loads, lines)]


def transcript(agent: str, name: str) -> list[Event]:
    updates = loaded(agent, name)
    return replay_events(PROFILES[agent], updates[0][1]["sessionId"], updates)


@pytest.mark.parametrize("agent", ["copilot", "opencode"])
def test_a_list_answer_becomes_session_infos_newest_first(agent: str):
    pages = json.loads((RECORDINGS / f"{agent}-list.json").read_text())
    infos = sessions_of(agent, pages)
    assert len(infos) == 2 and all(i.provider == agent and i.cwd == WORK for i in infos)
    assert all(i.updated_at is not None and i.updated_at.tzinfo is not None for i in infos)
    assert infos[0].updated_at > infos[1].updated_at  # type: ignore[operator]
    assert [i.id for i in infos] == [s["sessionId"] for s in pages[0]["sessions"]]
    assert sessions_of(agent, pages, "/tmp/probe/elsewhere") == []
    assert len(sessions_of(agent, pages, WORK)) == 2


def test_copilot_titles_are_the_first_prompt_and_opencode_s_are_placeholders():
    copilot = sessions_of("copilot", json.loads((RECORDINGS / "copilot-list.json").read_text()))
    assert [i.title for i in copilot] == ["first prompt of two", "lone prompt"]
    untitled = PROFILES["opencode"].untitled_title
    opencode = sessions_of("opencode", json.loads((RECORDINGS / "opencode-list.json").read_text()))
    assert untitled and all(re.fullmatch(untitled, i.title) for i in opencode)
    assert not any(re.fullmatch(untitled, i.title) for i in copilot)


def test_pages_are_joined_and_entries_without_an_id_are_left_out():
    pages = [
        {"sessions": [{"sessionId": "a", "cwd": "/w", "updatedAt": 1700000000000}], "nextCursor": "x"},
        {"sessions": [{"cwd": "/w"}, {"sessionId": "b", "title": None, "updatedAt": "nonsense"}]},
    ]
    infos = sessions_of("acp", pages)
    assert [(i.id, i.title, i.cwd) for i in infos] == [("a", "", "/w"), ("b", "", None)]
    assert infos[0].updated_at is not None and infos[1].updated_at is None


@pytest.mark.parametrize("agent", ["copilot", "opencode"])
def test_a_replayed_two_turn_session_is_both_prompts_and_replies_in_order(agent: str):
    events = transcript(agent, "load-two")
    assert conversation(events) == TWO
    assert all(e.status == "completed" and not e.delta for e in events)
    assert all(isinstance(e.raw, list) and e.raw for e in events)  # the vendor's updates


@pytest.mark.parametrize("agent", ["copilot", "opencode"])
def test_a_replayed_command_is_reported_as_a_run_reports_it(agent: str):
    events = transcript(agent, "load-command")
    assert conversation(events)[0] == ("user", "lone prompt") and conversation(events)[-1] == (
        "message",
        "lone reply",
    )
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert [c.status for c in commands] == ["in_progress", "completed"]
    assert {c.command for c in commands} == {"echo from-the-shell"}
    assert (commands[-1].output or "").strip() == "from-the-shell"
    kinds = [e.kind for e in events]
    assert kinds.index(EventKind.COMMAND) < len(kinds) - 1  # the reply after it


def _chunk(text: str, message_id: str | None = None, kind: str = "agent_message_chunk") -> tuple[str, Any]:
    update: dict[str, Any] = {"sessionUpdate": kind, "content": {"type": "text", "text": text}}
    if message_id is not None:
        update["messageId"] = message_id
    return "session/update", {"sessionId": "s", "update": update}


def test_chunks_are_joined_per_message_and_split_where_the_message_changes():
    updates = [
        _chunk("do ", kind="user_message_chunk"),
        _chunk("it", kind="user_message_chunk"),
        _chunk("Hel", "m1"),
        _chunk("lo", "m1"),
        _chunk("Again", "m2"),
        ("session/update", {"sessionId": "s", "update": {"sessionUpdate": "usage_update", "used": 1}}),
        _chunk("Thinking", kind="agent_thought_chunk"),
    ]
    events = replay_events(AcpProfile(), "s", updates)
    assert conversation(events) == [("user", "do it"), ("message", "Hello"), ("message", "Again")]


def test_copilot_s_notices_and_error_chunks_are_no_reply():
    updates = [
        _chunk("go", kind="user_message_chunk"),
        _chunk("Info: Request failed due to a transient API error. Retrying..."),
        _chunk("Error: Failed to get response from the AI model; retried 5 times"),
        _chunk("go again", kind="user_message_chunk"),
        _chunk("fine"),
    ]
    events = replay_events(PROFILES["copilot"], "s", updates)
    assert conversation(events) == [("user", "go"), ("user", "go again"), ("message", "fine")]
