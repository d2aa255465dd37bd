"""The ACP translator on messages recorded from the real Gemini CLI 0.61 (`gemini --acp`) against
the fake (scripts/record_cli.py gemini-acp): what the recorded protocol says and how it is read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthpy import AuthRequiredError, CommandExecutionError, Event, EventKind, RateLimitError
from oauthpy._agents.gemini.acp import GEMINI, classify_rpc_error
from oauthpy._permissions import Decision
from oauthpy._transports.acp.asks import choose
from oauthpy._transports.acp.turn import AcpTurn, models_of, session_of
from tests import paths
from tests.event_shape import commands, message_command_message, shape

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "gemini-acp"


def replay(name: str) -> tuple[list[Any], AcpTurn, dict[str, Any]]:
    """Feed a recording's updates to a turn; returns the events, the turn and the prompt's answer."""
    lines = [json.loads(x) for x in (RECORDINGS / f"{name}.jsonl").read_text().splitlines()]
    sid = next(m["result"]["sessionId"] for m in lines if m.get("id") == 2)
    turn = AcpTurn(GEMINI, sid, "gemini-2.5-flash")
    events: list[Any] = []
    for m in lines:
        if m.get("method") == "session/update" and session_of(m["method"], m["params"]) == sid:
            events += turn.feed(m["method"], m["params"])
    answer = lines[-1]  # the recording ends with the session/prompt answer
    return events, turn, answer


def test_plain_turn_streams_deltas_then_the_whole_message_then_done_with_usage_and_model():
    events, turn, answer = replay("plain")
    deltas = [e.text for e in events if e.kind is EventKind.MESSAGE and e.delta]
    assert len(deltas) > 1 and "".join(deltas) == "Hello from the fake, in pieces."
    closing = turn.finish(answer["result"])
    assert [(e.kind, e.text) for e in closing] == [
        (EventKind.MESSAGE, "Hello from the fake, in pieces."),
        (EventKind.DONE, "Hello from the fake, in pieces."),
    ]
    done = closing[-1]
    assert done.session_id == turn.session_id and done.model == "gemini-2.5-flash"
    assert (done.usage.input_tokens, done.usage.output_tokens) == (321, 9)


def test_a_shell_call_is_a_command_event_and_the_mode_notice_is_not_answer_text():
    events, turn, answer = replay("shell")
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert [(e.command, e.status) for e in commands] == [
        ("echo hi-tool", "in_progress"),
        ("echo hi-tool", "completed"),
    ]
    assert commands[0].tool_name == "run_shell_command"
    # ACP 0.61 carries no shell output and no exit code (the stream-json path does)
    assert commands[-1].output is None and commands[-1].exit_code is None
    texts = [e.text for e in events if e.kind is EventKind.MESSAGE and not e.delta]
    assert texts == ["Running it."] and "[MODE_UPDATE]" not in json.dumps([e.text for e in events])
    assert turn.finish(answer["result"])[-1].text == "finished"


def test_a_write_is_a_file_change_event_with_its_path_and_kind():
    events, _, _ = replay("write")
    done = [e for e in events if e.kind is EventKind.FILE_CHANGE and e.status == "completed"]
    assert [(c.path.rsplit("/", 1)[-1], c.kind) for c in done[0].changes] == [("a.txt", "add")]


def test_a_cut_stream_is_a_transient_failure_not_a_short_answer():
    events, turn, answer = replay("cut")
    assert "".join(e.text for e in events if e.delta) == "half an ans"  # what came, as it came
    with pytest.raises(CommandExecutionError, match="cut") as err:
        turn.finish(answer["result"])
    assert err.value.transient


@pytest.mark.parametrize(
    ("name", "error", "transient"),
    [
        ("http_401", AuthRequiredError, False),
        ("http_429", RateLimitError, True),
        ("http_500", CommandExecutionError, True),
    ],
)
def test_an_api_error_is_a_json_rpc_error_with_the_http_status_as_code(name, error, transient):
    _, _, answer = replay(name)
    failure = classify_rpc_error(answer["error"]["code"], answer["error"]["message"])
    assert isinstance(failure, error) and getattr(failure, "transient", False) is transient


def test_a_turn_without_text_and_without_a_model_call_never_called_the_model():
    # what gemini answers when it skipped the model (its context-window estimate said no)
    with pytest.raises(CommandExecutionError, match="never called the model") as err:
        AcpTurn(GEMINI, "s", None).finish({"stopReason": "end_turn", "_meta": {"quota": {"model_usage": []}}})
    assert not err.value.transient


def test_no_api_key_at_session_new_is_auth_required_with_a_hint():
    failure = classify_rpc_error(-32000, "Gemini API key is missing or not configured.")
    assert isinstance(failure, AuthRequiredError) and failure.hint


def test_the_api_s_own_message_is_taken_out_of_its_json_body():
    _, _, answer = replay("http_500")
    failure = classify_rpc_error(answer["error"]["code"], answer["error"]["message"])
    assert str(failure) == "gemini run failed: boom"


def test_a_permission_request_is_refused_with_its_reject_option_or_cancelled():
    recorded = {
        "options": [
            {"optionId": "proceed_always", "kind": "allow_always"},
            {"optionId": "proceed_once", "kind": "allow_once"},
            {"optionId": "cancel", "kind": "reject_once"},
        ]
    }
    assert choose(recorded, Decision.DENY) == {"outcome": {"outcome": "selected", "optionId": "cancel"}}
    only_allow = {"options": recorded["options"][:2]}
    assert choose(only_allow, Decision.DENY) == {"outcome": {"outcome": "cancelled"}}
    assert choose(None, Decision.DENY) == {"outcome": {"outcome": "cancelled"}}


def test_the_models_of_a_new_session_come_from_gemini_with_its_current_one_as_default():
    lines = [json.loads(x) for x in (RECORDINGS / "plain.jsonl").read_text().splitlines()]
    answer = next(m for m in lines if m.get("id") == 2)["result"]
    models = models_of(answer)
    assert models and {m.source for m in models} == {"vendor"}
    assert [m.id for m in models if m.is_default] == [answer["models"]["currentModelId"]]
    assert models_of({"models": {"availableModels": [{"name": "no id"}, 3]}}) == ()


def test_a_cancelled_turn_does_not_finish_as_done():
    with pytest.raises(CommandExecutionError, match="cancelled"):
        AcpTurn(GEMINI, "s", None).finish({"stopReason": "cancelled"})


@settings(max_examples=300, deadline=None)
@given(
    params=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=12,
    ),
    kind=st.sampled_from(["agent_message_chunk", "tool_call", "tool_call_update", "plan", "x"]),
)
def test_no_update_shape_crashes_the_translator(params, kind):
    turn = AcpTurn(GEMINI, "s", None)
    turn.feed("session/update", params)
    turn.feed("session/update", {"update": {"sessionUpdate": kind, "content": params, "locations": params}})
    with pytest.raises(CommandExecutionError):
        turn.finish(params if not isinstance(params, dict) else {})


def test_what_oauthpy_sends_conforms_to_the_acp_schema(tmp_path):
    # The ACP schema as the agent-client-protocol package ships it (pydantic models, v1).
    from acp import schema

    from oauthpy._options import build_request
    from oauthpy._transports.acp.turn import INIT_PARAMS, prompt_params, session_params

    request = build_request("hi", cwd=tmp_path)
    schema.InitializeRequest.model_validate(INIT_PARAMS, strict=True)
    new = schema.NewSessionRequest.model_validate(session_params(request))
    assert new.cwd == str(tmp_path) and new.mcp_servers == []
    prompt = schema.PromptRequest.model_validate(prompt_params("sid-1", "hello"))
    assert prompt.prompt[0].text == "hello"
    schema.CancelNotification.model_validate({"sessionId": "sid-1"})
    for mode in ("default", "autoEdit", "yolo", "plan"):
        schema.SetSessionModeRequest.model_validate({"sessionId": "sid-1", "modeId": mode})
    refusal = choose({"options": [{"optionId": "cancel", "kind": "reject_once"}]}, Decision.DENY)
    assert schema.RequestPermissionResponse.model_validate(refusal).outcome.outcome == "selected"
    cancelled = schema.RequestPermissionResponse.model_validate(choose({}, Decision.DENY))
    assert cancelled.outcome.outcome == "cancelled"
    # session/set_model is gemini's own (not in the v1 schema): verified against gemini 0.61


def test_a_message_a_command_and_the_final_message_have_the_shape_of_every_agent():
    events, turn, answer = replay("shell")
    assert shape([*events, *turn.finish(answer["result"])]) == [
        *message_command_message(),
        ("done", "completed"),
    ]
    assert any(e.delta for e in events)
    assert commands(events) == ["echo hi-tool"] * 2


def _asked_shell() -> tuple[AcpTurn, dict[str, Any]]:
    """A turn that streamed some text, then the recorded permission question about a command."""
    asked = json.loads((RECORDINGS.parent / "permissions" / "gemini-command.json").read_text())
    turn = AcpTurn(GEMINI, asked["sessionId"], "gemini-2.5-flash")
    chunk = {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "Making it."}}
    turn.feed("session/update", {"sessionId": asked["sessionId"], "update": chunk})
    return turn, asked


@pytest.mark.parametrize(("decision", "end"), [("allowed", "completed"), ("denied", "declined")])
def test_a_command_gemini_asks_about_starts_before_the_question_and_ends_after_it(decision, end):
    # gemini 0.61 sends no tool_call before it asks, and nothing at all about a refused call
    turn, asked = _asked_shell()
    before = turn.asked("session/request_permission", asked)
    decided = [Event(EventKind.PERMISSION, text="run touch made.txt", status=decision)]
    after = turn.answered("session/request_permission", asked, decided)
    events = [*before, *after]
    if decision == "allowed":
        update = {**asked["toolCall"], "sessionUpdate": "tool_call_update", "status": "completed"}
        events += turn.feed("session/update", {"sessionId": asked["sessionId"], "update": update})
    assert shape(events) == [
        ("message", "completed"),
        ("command", "in_progress"),
        ("permission", decision),
        ("command", end),
    ]
    assert commands(events) == ["touch made.txt"] * 2


def test_a_call_first_reported_as_over_still_starts_first():
    turn, asked = _asked_shell()
    update = {**asked["toolCall"], "sessionUpdate": "tool_call_update", "status": "completed"}
    events = turn.feed("session/update", {"sessionId": asked["sessionId"], "update": update})
    assert shape(events) == [("message", "completed"), ("command", "in_progress"), ("command", "completed")]


def test_a_request_that_is_no_permission_question_adds_nothing():
    turn = AcpTurn(GEMINI, "s", None)
    assert turn.asked("fs/read_text_file", {"path": "x"}) == []
    assert turn.answered("fs/read_text_file", {"path": "x"}, []) == []
