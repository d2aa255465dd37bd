"""The claude session catalogue's translation, on claude-agent-sdk answers recorded from
sessions the bundled CLI made against the fake (tests/recordings/claude-sessions/record.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import EventKind
from oauthpy._agents.claude.messages import session_info, transcript_events
from oauthpy._sessions import newest_first
from tests import paths

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "claude-sessions"


def recorded(name: str) -> Any:
    return json.loads((RECORDINGS / f"{name}.json").read_text())


def shape(events: list) -> list[tuple[str, str, str | None]]:
    return [(e.kind.value, e.text, e.status) for e in events]


TWO_TURNS = [
    ("user", "first question one", "completed"),
    ("message", "I will run it.", "completed"),
    ("command", "echo hello-from-bash", "completed"),
    ("message", "first answer alpha", "completed"),
    ("user", "second question two", "completed"),
    ("reasoning", "thinking about two", "completed"),
    ("message", "second answer beta", "completed"),
]


def test_listing_gives_ids_titles_cwd_and_aware_times():
    raw = recorded("list")
    infos = [session_info(item) for item in raw]
    assert all(i is not None for i in infos)
    listed = newest_first([i for i in infos if i is not None], None)
    assert [i.id for i in listed] == [item["session_id"] for item in raw]  # the SDK's order
    by_id = {i.id: i for i in listed}
    titles = {item["session_id"]: by_id[item["session_id"]].title for item in raw}
    # the fork's custom title (the SDK's "<title> (fork)"), else the first prompt: never the last
    assert sorted(titles.values()) == [
        "first question one",
        "first question one (fork)",
        "this one fails",
        "write the notes",
    ]
    for item in raw:
        info = by_id[item["session_id"]]
        assert info.provider == "claude" and info.cwd == item["cwd"] and info.turns is None
        assert info.created_at == dt.datetime.fromtimestamp(item["created_at"] / 1000, dt.timezone.utc)
        assert info.updated_at == dt.datetime.fromtimestamp(item["last_modified"] / 1000, dt.timezone.utc)


def test_a_long_first_prompt_is_shortened_and_missing_times_stay_unknown():
    info = session_info({"session_id": "s1", "first_prompt": "word " * 40, "custom_title": None})
    assert info is not None and info.title.endswith("...") and len(info.title) == 80
    assert (info.created_at, info.updated_at, info.cwd) == (None, None, None)
    assert session_info({"summary": "no id"}) is None
    assert session_info("not a record") is None


def test_two_turns_in_order_with_the_command_and_its_output():
    records = recorded("two_turns")
    events = transcript_events(records)
    assert shape(events) == TWO_TURNS
    command = events[2].as_command()
    assert command is not None and (command.command, command.output) == (
        "echo hello-from-bash",
        "hello-from-bash",
    )
    assert events[2].tool_name == "Bash" and events[2].item_id == "toolu_1" and not events[2].is_error
    # the tool result's user message is no prompt; every event keeps its vendor record
    assert sum(e.kind is EventKind.USER for e in events) == 2
    assert events[0].raw is records[0] and events[2].raw is records[3]


def test_a_write_is_a_file_change():
    events = transcript_events(recorded("write"))
    assert shape(events) == [
        ("user", "write the notes", "completed"),
        ("file_change", "add notes.txt", "completed"),
        ("message", "written", "completed"),
    ]
    assert [(c.path, c.kind) for c in events[1].changes] == [("notes.txt", "add")]
    assert events[1].output is not None and events[1].output.startswith("File created successfully")


def test_claude_codes_own_error_message_is_an_error_not_a_reply():
    events = transcript_events(recorded("failed"))
    assert [(e.kind.value, e.status) for e in events] == [("user", "completed"), ("error", "failed")]
    assert "API Error: 500" in events[1].text


def test_a_fork_starts_with_its_parents_conversation():
    events = transcript_events(recorded("fork"))
    assert shape(events) == [
        *TWO_TURNS,
        ("user", "a turn on the fork", "completed"),
        ("message", "fork answer gamma", "completed"),
    ]


def record(kind: str, content: Any, **message: Any) -> dict[str, Any]:
    return {"type": kind, "uuid": "u", "session_id": "s", "message": {"content": content, **message}}


def test_calls_without_results_results_without_calls_and_other_blocks():
    events = transcript_events(
        [
            record("user", [{"type": "text", "text": "do "}, {"type": "text", "text": "it"}]),
            record(
                "assistant",
                [
                    {"type": "tool_use", "id": "t1", "name": "mcp__oauthpy__lookup", "input": {"q": 1}},
                    {"type": "tool_use", "id": "t2", "name": "Grep", "input": {"pattern": "x"}},
                    {"type": "server_tool_use", "id": "t3"},
                ],
            ),
            record(
                "user",
                [{"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "42"}]}],
            ),
            record(
                "user", [{"type": "tool_result", "tool_use_id": "gone", "content": "late", "is_error": True}]
            ),
            record("user", [{"type": "text", "text": "[Request interrupted by user for tool use]"}]),
            record("assistant", "a reply as plain text"),
        ]
    )
    assert shape(events) == [
        ("user", "do it", "completed"),
        ("tool", "lookup", "completed"),  # the run's own tool, by the name the user gave it
        ("tool", "Grep", "in_progress"),  # the turn ended before its result
        ("other", "server_tool_use", None),
        ("tool", "late", None),
        ("message", "a reply as plain text", "completed"),
    ]
    assert events[1].output == "42" and events[1].tool_input == {"q": 1}
    assert events[4].is_error


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(  # bounded as the parsers' tests are (drawing unbounded nests was most of it)
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=20,
    )
)
def test_any_answer_translates_without_raising(answer: Any):
    transcript_events(answer)
    transcript_events([answer])
    transcript_events([{"type": "assistant", "message": {"content": answer}}])
    transcript_events([{"type": "user", "message": {"content": answer}}])
    session_info(answer)
