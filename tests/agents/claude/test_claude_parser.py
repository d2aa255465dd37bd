"""The claude message mapping, on stream-json recorded from the bundled CLI 2.1.329
(scripts/record_claude.py), turned into SDK messages by the SDK's own parser."""

from __future__ import annotations

import json

import pytest
from claude_agent_sdk._internal.message_parser import parse_message
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import (
    AuthRequiredError,
    CommandExecutionError,
    EventKind,
    OauthPyError,
    ProtocolError,
    RateLimitError,
    StructuredOutputError,
)
from oauthpy._agents.claude.parser import ClaudeParser
from tests import paths
from tests.event_shape import commands, message_command_message, shape

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "claude"


def messages(name: str) -> list:
    out = []
    for line in (RECORDINGS / f"{name}.jsonl").read_text().splitlines():
        data = json.loads(line)
        if data.get("type") in ("control_response", "control_request"):
            continue
        msg = parse_message(data)
        if msg is not None:
            out.append(msg)
    return out


def replay(name: str, want_structured: bool = False):
    parser = ClaudeParser(want_structured=want_structured)
    events = [e for m in messages(name) for e in parser.feed(m)]
    return [e for e in events if e.kind is not EventKind.OTHER], parser


def test_text_arrives_as_deltas_then_once_complete_and_done_carries_usage_and_cost():
    events, parser = replay("plain")
    deltas = [e.text for e in events if e.kind is EventKind.MESSAGE and e.delta]
    complete = [e.text for e in events if e.kind is EventKind.MESSAGE and not e.delta]
    assert "".join(deltas) == "Hello there, world!" and len(deltas) > 1
    assert complete == ["Hello there, world!"]
    assert [e.text for e in events if e.kind is EventKind.REASONING and not e.delta] == ["thinking hard"]
    (done,) = parser.finish()
    assert done.text == "Hello there, world!" and done.model == "claude-opus-5-5"
    assert (done.usage.input_tokens, done.usage.cached_input_tokens, done.usage.output_tokens) == (120, 20, 7)
    assert done.usage.cost_usd and done.usage.cost_usd > 0
    assert done.session_id


@pytest.mark.parametrize("name", ["plain", "bash"])
def test_deltas_carry_the_item_id_of_the_complete_block_they_belong_to(name):
    events, _ = replay(name)
    texts = [e for e in events if e.kind in (EventKind.MESSAGE, EventKind.REASONING)]
    for complete in (e for e in texts if not e.delta):
        assert complete.item_id
        pieces = [
            e.text for e in texts if e.delta and (e.kind, e.item_id) == (complete.kind, complete.item_id)
        ]
        assert "".join(pieces) == complete.text  # a printer can tell they are the same text
    assert all(e.item_id for e in texts)


def test_bash_tool_use_and_its_result_are_one_command_with_output():
    events, _ = replay("bash")
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert [(c.status, c.command) for c in commands] == [
        ("in_progress", "echo hello-from-shell"),
        ("completed", "echo hello-from-shell"),
    ]
    assert commands[1].output == "hello-from-shell" and commands[0].item_id == commands[1].item_id


def test_write_tool_becomes_a_file_change_with_the_path():
    events, _ = replay("write")
    changes = [e for e in events if e.kind is EventKind.FILE_CHANGE]
    assert [(e.status, e.changes[0].path, e.changes[0].kind) for e in changes] == [
        ("in_progress", "notes.txt", "add"),
        ("completed", "notes.txt", "add"),
    ]


def test_structured_output_becomes_compact_json_text():
    _, parser = replay("structured", want_structured=True)
    assert parser.finish()[0].text == '{"answer":"yes"}'


def test_missing_structured_output_is_an_error_not_a_silent_success():
    _, parser = replay("plain", want_structured=True)
    with pytest.raises(StructuredOutputError, match="without structured output"):
        parser.finish()


@pytest.mark.parametrize(
    ("name", "error", "text"),
    [
        ("http_401", AuthRequiredError, "401 bad key"),
        ("http_429", RateLimitError, "429"),
        ("max_turns", CommandExecutionError, "turn limit"),
    ],
)
def test_error_results_are_classified(name, error, text):
    _, parser = replay(name)
    with pytest.raises(error, match=text) as info:
        parser.finish()
    assert type(info.value) is error


def test_no_result_at_all_is_an_error():
    with pytest.raises(ProtocolError, match="without a result"):
        ClaudeParser().finish()


def test_unknown_messages_and_blocks_pass_through():
    class RateLimitEvent:
        pass

    class Mystery:
        pass

    class AssistantMessage:
        def __init__(self) -> None:
            self.content = [Mystery()]
            self.model, self.message_id, self.error = "m", "x", None

    parser = ClaudeParser()
    assert parser.feed(RateLimitEvent())[0].kind is EventKind.OTHER
    assert parser.feed(AssistantMessage())[0].kind is EventKind.OTHER


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["type", "subtype", "message", "event", "session_id", "content", "is_error"]),
            # bounded as the other agents' parser tests are: drawing unbounded nests took 17 of
            # this test's 18 s, while the parser reads only the few levels a record has
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(),
                lambda s: st.lists(s, max_size=4) | st.dictionaries(st.text(max_size=5), s, max_size=4),
                max_leaves=20,
            ),
        ),
        max_size=6,
    )
)
def test_arbitrary_records_never_raise_anything_but_documented_errors(records):
    parser = ClaudeParser()
    for data in records:
        try:
            msg = parse_message(data)
        except Exception:
            continue  # the SDK's parser rejects it: never reaches ours
        if msg is not None:
            parser.feed(msg)
    try:
        parser.finish()
    except OauthPyError:
        pass


def test_a_message_a_command_and_the_final_message_have_the_shape_of_every_agent():
    parser = ClaudeParser()
    events = [e for m in messages("bash") for e in parser.feed(m)]
    # init/status/session_state_changed are bookkeeping: no blank `other` events
    assert shape([*events, *parser.finish()]) == [*message_command_message(), ("done", "completed")]
    assert commands(events) == ["echo hello-from-shell"] * 2


def test_every_recording_gives_no_blank_other_event_and_deltas_in_progress():
    for name in ("plain", "bash", "write", "structured"):
        parser = ClaudeParser()
        events = [e for m in messages(name) for e in parser.feed(m)]
        assert EventKind.OTHER not in {e.kind for e in events}
        shape(events)  # asserts the deltas' status and that nothing is a blank `other`
        assert all(e.status == "completed" for e in events if e.kind is EventKind.REASONING and not e.delta)


def test_an_api_retry_is_an_error_event_that_says_it_will_retry():
    class SystemMessage:
        def __init__(self) -> None:
            self.subtype = "api_retry"
            self.data = {"attempt": 2, "max_retries": 10, "retry_delay_ms": 1121, "error_status": 529}
            self.data["error"] = "server_error"

    (event,) = ClaudeParser().feed(SystemMessage())
    assert (event.kind, event.status) == (EventKind.ERROR, "retrying")
    assert event.text == "API error 529 (server_error); retry 2 of 10 in 1.1 s"


def test_a_retry_of_a_refused_connection_says_no_answer_came_not_unknown():
    class SystemMessage:  # as Claude Code 2.1 sends it when its API refuses the connection
        def __init__(self) -> None:
            self.subtype = "api_retry"
            self.data = {"attempt": 4, "max_retries": 10, "retry_delay_ms": 4420, "error_status": None}
            self.data["error"] = "unknown"

    (event,) = ClaudeParser().feed(SystemMessage())
    assert event.status == "retrying"
    assert event.text == "no answer from the model API; retry 4 of 10 in 4.4 s"


def test_a_call_the_callback_denied_ends_declined_and_a_call_that_failed_stays_failed():
    from claude_agent_sdk import AssistantMessage, ToolResultBlock, ToolUseBlock, UserMessage

    calls = [
        ToolUseBlock(id="toolu_denied", name="Bash", input={"command": "rm -rf build"}),
        ToolUseBlock(id="toolu_failed", name="Bash", input={"command": "false"}),
        ToolUseBlock(id="toolu_write", name="Write", input={"file_path": "x.txt", "content": "x"}),
        ToolUseBlock(id="toolu_ok", name="Bash", input={"command": "true"}),
    ]
    results = [
        ToolResultBlock(tool_use_id="toolu_denied", content="the user denied this action", is_error=True),
        ToolResultBlock(tool_use_id="toolu_failed", content="Exit code 1", is_error=True),
        ToolResultBlock(tool_use_id="toolu_write", content="the user denied this action", is_error=True),
        ToolResultBlock(tool_use_id="toolu_ok", content="", is_error=False),
    ]
    # claude_asks adds each refused id to this set when it answers, before the CLI's result
    parser = ClaudeParser(declined={"toolu_denied", "toolu_write"})
    parser.feed(AssistantMessage(content=list(calls), model="m", message_id="msg_1"))
    closed = parser.feed(UserMessage(content=list(results)))
    assert [(e.item_id, e.kind, e.status, e.is_error) for e in closed] == [
        ("toolu_denied", EventKind.COMMAND, "declined", True),
        ("toolu_failed", EventKind.COMMAND, "failed", True),
        ("toolu_write", EventKind.FILE_CHANGE, "declined", True),
        ("toolu_ok", EventKind.COMMAND, "completed", False),
    ]
    assert closed[0].command == "rm -rf build" and closed[0].output == "the user denied this action"
    assert closed[2].changes[0].path == "x.txt"
