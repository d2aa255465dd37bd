"""The codex parser on JSONL recorded from the real codex 0.163 (scripts/record_codex.py)."""

from __future__ import annotations

import json
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import (
    AuthRequiredError,
    CommandExecutionError,
    EventKind,
    ProtocolError,
    RateLimitError,
    SessionNotFoundError,
)
from oauthpy._agents.codex.exec_parser import CodexParser, unwrap_shell
from tests import paths
from tests.event_shape import commands, message_command_message, shape

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "codex"


def replay(name: str, returncode: int = 0, stderr: str = ""):
    parser = CodexParser()
    events = []
    for line in (RECORDINGS / f"{name}.jsonl").read_text().splitlines():
        events += parser.feed(line)
    return events, parser, lambda: parser.finish(returncode, stderr)


def test_plain_turn_gives_message_then_done_with_usage_and_thread_id():
    events, _, finish = replay("plain")
    done = finish()[-1]
    assert [e.kind for e in events] == [EventKind.MESSAGE]
    assert done.kind is EventKind.DONE and done.text == "Hello from the fake, in pieces."
    assert done.session_id == "01a1fd30-8a8b-7ce2-8111-38606ff39c49"
    assert (done.usage.input_tokens, done.usage.cached_input_tokens, done.usage.output_tokens) == (321, 21, 9)


def test_reasoning_item_becomes_a_reasoning_event():
    events, _, _ = replay("reasoning")
    assert [(e.kind, e.text) for e in events] == [
        (EventKind.REASONING, "**Plan** think first"),
        (EventKind.MESSAGE, "thought about it"),
    ]


def test_started_and_completed_command_are_told_apart_by_status():
    events, _, finish = replay("shell")
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert [(c.status, c.exit_code) for c in commands] == [("in_progress", None), ("failed", 3)]
    assert commands[1].output == "hello-from-shell\n"
    assert finish()[-1].text == "finished"


def test_file_change_carries_path_and_kind():
    events, _, _ = replay("patch")
    done = [e for e in events if e.kind is EventKind.FILE_CHANGE and e.status == "completed"]
    assert [(c.path, c.kind) for c in done[0].changes] == [("/tmp/REC/work/notes.txt", "add")]


@pytest.mark.parametrize(
    ("name", "error"),
    [("http_401", AuthRequiredError), ("http_429", RateLimitError), ("http_500", CommandExecutionError)],
)
def test_failed_turns_raise_the_classified_error(name, error):
    events, _, finish = replay(name, returncode=1)
    assert events[-1].kind is EventKind.ERROR and events[-1].status == "failed"
    with pytest.raises(error) as info:
        finish()
    assert type(info.value) is error


def test_500_and_cut_are_transient_but_401_is_not():
    for name, transient in (("http_500", True), ("cut", True)):
        _, _, finish = replay(name, returncode=1)
        with pytest.raises(CommandExecutionError) as info:
            finish()
        assert info.value.transient is transient


def test_config_error_on_stderr_with_empty_stdout_is_reported_with_its_last_line():
    parser = CodexParser()
    stderr = "WARNING: something harmless\nError: Model provider `nope` not found\n"
    with pytest.raises(CommandExecutionError, match="Model provider `nope` not found") as info:
        parser.finish(1, stderr)
    assert info.value.returncode == 1


#: what codex 0.163 printed (exit 1, nothing on stdout) for `exec resume <unknown uuid>`
UNKNOWN_THREAD_STDERR = (
    "WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper "
    'binaries under temporary dir "/tmp" (codex_home: AbsolutePathBuf("/tmp/REC/home"))\n'
    "Error: thread/resume: thread/resume failed: no rollout found for thread id "
    "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee (code -32600)\n"
)


@pytest.mark.parametrize("resume", ["0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee", None])
def test_an_unknown_resumed_thread_is_session_not_found(resume):
    # told the resumed id or not: codex names it in its own message
    with pytest.raises(SessionNotFoundError, match="no rollout found") as info:
        CodexParser(resume=resume).finish(1, UNKNOWN_THREAD_STDERR)
    assert info.value.session_id == "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"


def test_exit_zero_without_turn_completed_is_not_a_success():
    parser = CodexParser()
    parser.feed('{"type":"thread.started","thread_id":"t"}')
    with pytest.raises(ProtocolError, match="without completing the turn"):
        parser.finish(0, "")


# Shapes documented in the vendor notes that the fake cannot make codex emit (no update_plan
# tool in 0.163, no MCP server, no web search offline).
def test_documented_item_types_map_to_their_kinds():
    parser = CodexParser()
    web = '{"type":"item.started","item":{"id":"item_0","type":"web_search","id":"ws_1","query":"q"}}'
    todo = '{"type":"item.completed","item":{"id":"i","type":"todo_list","items":[{"text":"a","completed":true}]}}'
    mcp = '{"type":"item.completed","item":{"id":"m","type":"mcp_tool_call","server":"s","tool":"t","status":"failed"}}'
    err = '{"type":"item.completed","item":{"id":"e","type":"error","message":"Model metadata not found"}}'
    kinds = [parser.feed(x)[0] for x in (web, todo, mcp, err)]
    assert kinds[0].kind is EventKind.TOOL and kinds[0].item_id == "ws_1" and kinds[0].text == "q"
    assert kinds[1].kind is EventKind.PLAN and kinds[1].text == "[x] a"
    assert kinds[2].kind is EventKind.TOOL and kinds[2].tool_name == "s.t" and kinds[2].is_error
    assert kinds[3].kind is EventKind.ERROR


def test_unknown_records_pass_through_with_raw():
    parser = CodexParser()
    (event,) = parser.feed('{"type":"thread.compacted","x":1}')
    assert event.kind is EventKind.OTHER and event.raw == {"type": "thread.compacted", "x": 1}
    (garbage,) = parser.feed("not json {")
    assert garbage.kind is EventKind.OTHER and garbage.raw == "not json {"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
record_like = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            [
                "item.started",
                "item.completed",
                "turn.completed",
                "turn.failed",
                "error",
                "thread.started",
                "x",
            ]
        ),
        "item": json_values
        | st.fixed_dictionaries(
            {
                "type": st.sampled_from(
                    ["agent_message", "command_execution", "file_change", "todo_list", "mcp_tool_call"]
                ),
                "changes": json_values,
                "items": json_values,
                "exit_code": json_values,
                "text": json_values,
            }
        ),
        "usage": json_values,
        "error": json_values,
    }
)


@settings(max_examples=300, deadline=None)
@given(st.lists(json_values | record_like, max_size=8), st.integers(-20, 300), st.text(max_size=200))
def test_parser_never_raises_on_arbitrary_json_and_finish_raises_only_oauthpy_errors(records, rc, stderr):
    from oauthpy import OauthPyError

    parser = CodexParser()
    for rec in records:
        parser.feed(json.dumps(rec))
    try:
        parser.finish(rc, stderr)
    except OauthPyError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parser_never_raises_on_garbage_lines(data):
    CodexParser().feed(data.decode("utf-8", "replace"))


def test_a_message_a_command_and_the_final_message_have_the_shape_of_every_agent():
    # the recorded command exits 3; codex exec streams no deltas, so every item comes whole
    events, _, finish = replay("shell")
    assert shape([*events, *finish()]) == [*message_command_message("failed"), ("done", "completed")]


def test_the_command_is_shown_as_the_model_wrote_it_not_in_codex_s_shell_wrapper():
    events, _, _ = replay("shell")
    assert "/bin/bash -c" in json.dumps([e.raw for e in events])  # what codex reports
    assert commands(events) == ["echo hello-from-shell; exit 3"] * 2
    assert [e.text for e in events if e.kind is EventKind.COMMAND] == ["echo hello-from-shell; exit 3"] * 2


@pytest.mark.parametrize(
    ("wrapped", "shown"),
    [
        ("/bin/bash -lc 'touch a.txt'", "touch a.txt"),
        ("/bin/bash -c 'echo hi && ls'", "echo hi && ls"),
        ("/usr/bin/zsh -lc ls", "ls"),
        ("bash -c 'echo '\"'\"'quoted'\"'\"''", "echo 'quoted'"),
        ("python3 -c 'print(1)'", "python3 -c 'print(1)'"),
        ("/bin/bash -c", "/bin/bash -c"),
        ("/bin/bash -c 'unbalanced", "/bin/bash -c 'unbalanced"),
        ("ls -la", "ls -la"),
        ("/bin/bash -lc ''", ""),
        ("/bin/bash  -lc 'two spaces'", "two spaces"),
        ('/bin/bash -lc "echo hi"', "echo hi"),
        ("./bash -lc 'not codex s'", "./bash -lc 'not codex s'"),
        ("/bin/bash -lc 'a' 'b'", "/bin/bash -lc 'a' 'b'"),
        ("/bin/fish -lc 'ls'", "/bin/fish -lc 'ls'"),
    ],
)
def test_unwrap_shell_takes_out_only_codex_s_own_shell_wrapper(wrapped, shown):
    assert unwrap_shell(wrapped) == shown
    shells = ("bash", "sh", "zsh", "dash")
    words = shlex.split(wrapped) if wrapped.count("'") % 2 == 0 else []
    codex_s = (
        len(words) == 3 and (words[0] in shells or words[0].startswith("/")) and words[1] in ("-c", "-lc")
    )
    if codex_s and words[0].rsplit("/", 1)[-1] in shells:
        assert shown == words[2]  # the fast path agrees with the shell's own reading
