"""The app-server translator on messages recorded from the real codex 0.163 app-server against
the fake (scripts/record_cli.py codex-app), and every request oauthpy sends checked against the
JSON schema the pinned binary prints for its own protocol."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import AuthRequiredError, CommandExecutionError, EventKind, RateLimitError
from oauthpy._agents.codex.app import CLIENT_INFO
from oauthpy._agents.codex.app_parser import (
    AppTurn,
    interrupt_params,
    thread_of,
    thread_params,
    turn_params,
)
from oauthpy._agents.codex.app_requests import COMMAND, permission_of
from oauthpy._agents.codex.provider import find_binary
from oauthpy._options import build_request, merged_env
from tests import paths
from tests.event_shape import commands, message_command_message, shape

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "codex-app"


def replay(name: str) -> tuple[list[Any], AppTurn]:
    """Feed a recording's notifications of its thread to a turn, as the connection routes them."""
    lines = [json.loads(x) for x in (RECORDINGS / f"{name}.jsonl").read_text().splitlines()]
    thread = next(m["result"] for m in lines if m.get("id") == 2)
    turn = AppTurn(thread["thread"]["id"], thread["model"])
    events: list[Any] = []
    for m in lines:
        if "method" in m and "id" not in m and thread_of(m["method"], m.get("params")) == turn.session_id:
            events += turn.feed(m["method"], m.get("params"))
    return events, turn


def test_plain_turn_streams_deltas_that_join_to_the_final_message_then_done():
    events, turn = replay("plain")
    deltas = [e.text for e in events if e.kind is EventKind.MESSAGE and e.delta]
    whole = [e.text for e in events if e.kind is EventKind.MESSAGE and not e.delta]
    assert len(deltas) > 1 and "".join(deltas) == "Hello from the fake, in pieces."
    assert whole == ["Hello from the fake, in pieces."]
    assert [e.kind for e in events] == [EventKind.MESSAGE] * (len(deltas) + 1)  # nothing else leaks
    done = turn.finish()[-1]
    assert done.kind is EventKind.DONE and done.text == "Hello from the fake, in pieces."
    assert (
        done.session_id == turn.session_id and done.model == "gpt-5.5"
    )  # the model codex reports, from its config
    assert (done.usage.input_tokens, done.usage.cached_input_tokens, done.usage.output_tokens) == (321, 21, 9)


def test_reasoning_summary_becomes_a_reasoning_event():
    events, _ = replay("reasoning")
    assert [e.text for e in events if e.kind is EventKind.REASONING and not e.delta] == [
        "**Plan** think first"
    ]


def test_shell_call_is_a_command_event_started_then_finished_with_exit_code_and_output():
    events, turn = replay("shell")
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert [e.status for e in commands] == ["in_progress", "failed"]
    done = commands[-1]
    assert "hello-from-shell" in (done.command or "") and done.exit_code == 3
    assert "hello-from-shell" in (done.output or "")
    assert turn.finish()[-1].text == "finished"
    # a turn with two model requests reports the sum of both
    assert (
        turn.usage.input_tokens > 0
        and turn.usage.total_tokens == turn.usage.input_tokens + turn.usage.output_tokens
    )


def test_patch_is_a_file_change_event_with_path_and_kind():
    events, _ = replay("patch")
    changes = [e for e in events if e.kind is EventKind.FILE_CHANGE and e.status == "completed"]
    assert [(c.path.rsplit("/", 1)[-1], c.kind) for c in changes[0].changes] == [("notes.txt", "add")]


@pytest.mark.parametrize(
    ("name", "error", "transient"),
    [
        ("http_401", AuthRequiredError, False),
        ("http_429", RateLimitError, True),
        ("http_500", CommandExecutionError, True),
        ("cut", CommandExecutionError, True),
    ],
)
def test_failed_turns_raise_the_same_typed_errors_as_the_exec_path(name, error, transient):
    events, turn = replay(name)
    assert turn.completed and turn.status == "failed"
    with pytest.raises(error) as raised:
        turn.finish()
    assert getattr(raised.value, "transient", False) is transient
    assert any(e.kind is EventKind.ERROR and e.status == "failed" for e in events)


def test_an_error_the_agent_will_retry_is_not_a_failure():
    turn = AppTurn("t", None)
    said = turn.feed(
        "error", {"error": {"message": "Reconnecting... 1/1"}, "willRetry": True, "threadId": "t"}
    )
    assert [e.status for e in said] == ["retrying"] and turn.error is None
    turn.feed("item/completed", {"item": {"type": "agentMessage", "id": "m", "text": "ok"}})
    turn.feed("turn/completed", {"turn": {"id": "u", "status": "completed"}})
    assert turn.finish()[-1].text == "ok"


def test_an_interrupted_turn_does_not_finish_as_done():
    turn = AppTurn("t", None)
    turn.feed("turn/completed", {"turn": {"id": "u", "status": "interrupted"}})
    with pytest.raises(CommandExecutionError, match="interrupted"):
        turn.finish()


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(
        ["item/started", "item/completed", "error", "turn/completed", "x/y", "turn/plan/updated"]
    ),
    params=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=12,
    ),
)
def test_no_message_shape_crashes_the_translator(method, params):
    turn = AppTurn("t", None)
    turn.feed(method, params)
    turn.feed(method, {"item": params, "turn": params, "error": params, "plan": params})


# -- every request oauthpy sends, against the pinned binary's own schema ------------------------


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("codex-schema")
    binary = find_binary(merged_env({}))
    subprocess.run(
        [binary, "app-server", "generate-json-schema", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


def validate(schemas: Path, name: str, params: Any) -> None:
    path = next(p for p in (schemas / "v2" / name, schemas / "v1" / name, schemas / name) if p.exists())
    jsonschema.validate(params, json.loads(path.read_text()))


def test_every_request_oauthpy_sends_validates_against_the_pinned_schema(schemas: Path, tmp_path: Path):
    (tmp_path / "pic.png").write_bytes(b"\x89PNG")
    plain = build_request("hi", cwd=tmp_path)
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(8))
    full = build_request(
        "hi",
        cwd=tmp_path,
        model="gpt-6-sol",
        output_schema={"type": "object", "properties": {"n": {"type": "integer"}}},
        provider_options={
            "reasoning_effort": "high",
            "sandbox": "workspace-write",
            "ephemeral": True,
        },
        attachments=[tmp_path / "pic.png"],
    )
    resumed = build_request("hi", cwd=tmp_path, resume="01a202eb-b1a9-7800-944a-667769ecda10")
    validate(
        schemas,
        "InitializeParams.json",
        {"clientInfo": CLIENT_INFO, "capabilities": {"experimentalApi": True}},
    )
    for request in (plain, full):
        validate(schemas, "ThreadStartParams.json", thread_params(request))
        validate(
            schemas, "TurnStartParams.json", turn_params("01a202eb-b1a9-7800-944a-667769ecda10", request)
        )
    validate(schemas, "ThreadResumeParams.json", thread_params(resumed))
    validate(schemas, "TurnInterruptParams.json", interrupt_params("t", "u"))
    # a field the schema does not know is caught (the check is not vacuous)
    with pytest.raises(jsonschema.ValidationError):
        validate(schemas, "TurnStartParams.json", {"threadId": "t"})


def test_a_message_a_command_and_the_final_message_have_the_shape_of_every_agent():
    events, turn = replay("shell")  # the recorded command exits 3
    assert shape([*events, *turn.finish()]) == [*message_command_message("failed"), ("done", "completed")]
    assert any(e.delta for e in events)
    assert commands(events) == ["echo hello-from-shell; exit 3"] * 2


def test_the_command_event_and_the_permission_request_show_the_same_command():
    asked = json.loads((RECORDINGS.parent / "permissions" / "codex-command.json").read_text())
    assert asked["command"] == "/bin/bash -c 'touch made.txt'"  # codex's own wrapper
    request = permission_of(COMMAND, asked, {})
    turn = AppTurn(asked["threadId"], None)
    item = {
        "type": "commandExecution",
        "id": asked["itemId"],
        "command": asked["command"],
        "status": "inProgress",
    }
    (event,) = turn.feed("item/started", {"threadId": asked["threadId"], "item": item})
    assert request is not None and request.command == event.command == event.text == "touch made.txt"
