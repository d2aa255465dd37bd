"""The gemini parser on stream-json recorded from @google/gemini-cli 0.61.0 (scripts/record_cli.py gemini)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import (
    AuthRequiredError,
    CommandExecutionError,
    EventKind,
    InvalidOptionsError,
    OauthPyError,
    ProtocolError,
    RateLimitError,
    SessionNotFoundError,
)
from oauthpy._agents.gemini.parser import GeminiParser
from tests import paths
from tests.event_shape import commands, message_command_message, shape

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "gemini"
#: the exit codes the real CLI gave for each recording
EXIT = {"http_401": 145, "http_429": 173, "http_500": 244}


def replay(name: str):
    parser = GeminiParser("gemini-2.5-flash")
    events = [
        e for line in (RECORDINGS / f"{name}.jsonl").read_text().splitlines() for e in parser.feed(line)
    ]
    return events, lambda: parser.finish(EXIT.get(name, 0), "")


def test_deltas_concatenate_without_separators_and_the_prompt_echo_is_not_output():
    events, finish = replay("plain")
    deltas = [e.text for e in events if e.delta]
    assert "".join(deltas) == "Hello from the fake, in pieces." and len(deltas) == 3
    assert [e.text for e in events if e.kind is EventKind.MESSAGE and not e.delta] == [
        "Hello from the fake, in pieces."
    ]
    assert not any("scenario plain" in e.text for e in events)
    (done,) = finish()
    assert done.text == "Hello from the fake, in pieces." and done.model == "gemini-2.5-flash"
    u = done.usage
    assert (u.input_tokens, u.cached_input_tokens, u.output_tokens, u.total_tokens) == (321, 21, 9, 330)
    assert done.session_id


def test_final_text_is_the_last_turn_not_text_before_the_tool_call():
    events, finish = replay("shell")
    turns = [e.text for e in events if e.kind is EventKind.MESSAGE and not e.delta]
    assert turns == ["Running it.", "finished"]
    assert finish()[0].text == "finished"
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert [(c.status, c.command, c.output) for c in commands] == [
        ("in_progress", "echo hi-tool", None),
        ("completed", "echo hi-tool", "hi-tool"),
    ]


def test_write_file_becomes_a_file_change_with_the_path():
    events, _ = replay("write")
    changes = [e for e in events if e.kind is EventKind.FILE_CHANGE]
    assert [(e.status, e.changes[0].path) for e in changes] == [
        ("in_progress", "/tmp/REC/work/a.txt"),
        ("completed", "/tmp/REC/work/a.txt"),
    ]


def test_status_error_with_exit_zero_is_an_error_never_a_success():
    events, finish = replay("cut")
    assert any(e.kind is EventKind.ERROR for e in events)
    with pytest.raises(CommandExecutionError, match="without a finish reason") as info:
        finish()
    assert info.value.transient


@pytest.mark.parametrize(
    ("name", "error"),
    [("http_401", AuthRequiredError), ("http_429", RateLimitError), ("http_500", CommandExecutionError)],
)
def test_http_status_hidden_in_the_exit_code_is_classified(name, error):
    _, finish = replay(name)
    with pytest.raises(error) as info:
        finish()
    assert type(info.value) is error
    if name == "http_500":
        assert info.value.transient and info.value.details["status"] == 500


@pytest.mark.parametrize(
    ("code", "error", "text"),
    [
        (41, AuthRequiredError, "Please set an Auth method"),
        (55, CommandExecutionError, "does not trust"),
        (42, InvalidOptionsError, "rejected its input"),
        (52, CommandExecutionError, "configuration error"),
        (53, CommandExecutionError, "turn limit"),
        (54, CommandExecutionError, "fatal tool error"),
    ],
)
def test_no_result_line_uses_the_exit_code_and_stderr_tail(code, error, text):
    stderr = "[STARTUP] noise\nPlease set an Auth method in your settings.json\n"
    with pytest.raises(error, match=text) as info:
        GeminiParser().finish(code, stderr)
    if code == 55:
        assert "GEMINI_CLI_TRUST_WORKSPACE=true" in str(info.value)


def test_a_success_result_with_no_model_call_is_an_error_not_an_empty_answer():
    # Recorded: a 4,194,304-character prompt, which the CLI's token estimate keeps from the
    # model; it still says "success", with no model in its stats (the prompt echo is elided).
    events, finish = replay("no_model_call")
    assert events == []
    with pytest.raises(CommandExecutionError, match="never called the model") as info:
        finish()
    assert not info.value.transient and info.value.details["reason"] == "no_model_call"
    assert info.value.returncode == 0 and info.value.hint


@pytest.mark.parametrize(
    "stderr",
    [
        "Error resuming session: No previous sessions found for this project.\n",
        'Error resuming session: Invalid session identifier "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee".\n'
        "  Searched for sessions in /tmp/REC/gemini-home/.gemini/tmp/work/chats.\n"
        "  Use --list-sessions to see available sessions, then use --resume {number}, "
        "--resume {uuid}, or --resume latest.\n",
    ],
    ids=["folder_without_sessions", "folder_with_sessions"],
)
def test_an_unknown_resume_id_is_session_not_found(stderr):
    # the CLI's two answers (recorded, exit 42) in a folder without and with sessions of its own
    parser = GeminiParser("gemini-2.5-flash", resume="0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee")
    with pytest.raises(SessionNotFoundError, match="Error resuming session") as info:
        parser.finish(42, stderr)
    assert info.value.session_id == "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"
    with pytest.raises(InvalidOptionsError):  # without --resume, exit 42 stays an input error
        GeminiParser("gemini-2.5-flash").finish(42, stderr)


def test_killed_run_with_exit_zero_and_no_result_is_an_error():
    with pytest.raises(ProtocolError, match="without a result, before any record"):
        GeminiParser().finish(0, "")
    # what it said before: a stop mid-stream tells apart from one before the model was asked
    parser = GeminiParser()
    parser.feed('{"type":"init","session_id":"s","model":"m"}')
    parser.feed('{"type":"message","role":"assistant","content":"par","delta":true}')
    with pytest.raises(ProtocolError, match=r"after 2 records \(the last: message\)") as caught:
        parser.finish(0, "")
    assert caught.value.details["records"] == 2


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["init", "message", "tool_use", "tool_result", "error", "result", "x"])},
            optional={
                "role": st.sampled_from(["user", "assistant", 3]),
                "content": st.text() | st.integers(),
                "delta": st.booleans(),
                "tool_id": st.text(max_size=5),
                "parameters": st.dictionaries(st.text(max_size=5), st.text()) | st.integers(),
                "status": st.sampled_from(["success", "error", None]),
                "stats": st.dictionaries(st.text(max_size=8), st.integers() | st.text()) | st.none(),
                "error": st.text() | st.dictionaries(st.text(max_size=8), st.text()),
            },
        )
        | st.text(),
        max_size=8,
    ),
    st.integers(-20, 300),
)
def test_arbitrary_records_never_raise_anything_but_documented_errors(records, rc):
    parser = GeminiParser()
    for rec in records:
        parser.feed(json.dumps(rec) if isinstance(rec, dict) else rec)
    try:
        parser.finish(rc, "stderr")
    except OauthPyError:
        pass


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_json | st.binary(max_size=200), max_size=8), st.integers(-20, 300), st.text(max_size=100))
def test_arbitrary_json_values_and_bytes_never_raise_anything_but_documented_errors(items, rc, stderr):
    parser = GeminiParser()
    for item in items:
        parser.feed(item.decode("utf-8", "replace") if isinstance(item, bytes) else json.dumps(item))
    try:
        parser.finish(rc, stderr)
    except OauthPyError:
        pass


def test_a_message_a_command_and_the_final_message_have_the_shape_of_every_agent():
    events, finish = replay("shell")
    assert shape([*events, *finish()]) == [*message_command_message(), ("done", "completed")]
    assert commands(events) == ["echo hi-tool"] * 2
    assert [e.status for e in events if e.delta] and all(e.status == "in_progress" for e in events if e.delta)
