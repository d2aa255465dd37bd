"""The generic ACP translator with OpenCode's profile, on messages recorded from the real
``opencode acp`` 1.18.33 against a chat-completions fake (tests/recordings/opencode-acp/)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from oauthpy import AuthRequiredError, CommandExecutionError, EventKind, RateLimitError
from oauthpy._agents.opencode.profile import OpencodeAcp
from oauthpy._events import Event
from oauthpy._permissions import Decision
from oauthpy._transports.acp.asks import AcpAsks
from oauthpy._transports.acp.turn import AcpTurn, current_model, models_of
from tests import paths
from tests.acp_replay import drive

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "opencode-acp"
OPENCODE = OpencodeAcp()


def replay(
    name: str, *, decision: Decision = Decision.ALLOW, own: frozenset[str] = frozenset()
) -> tuple[list[Event], AcpTurn, Any]:
    """Every agent message of a recording's first prompt through a turn, the permission
    questions answered with ``decision``; returns the events, the turn and the prompt's answer."""
    lines = [json.loads(x)["msg"] for x in (RECORDINGS / f"{name}.jsonl").read_text().splitlines()]
    prompt = next(m for m in lines if m.get("method") == "session/prompt")
    turn = AcpTurn(OPENCODE, prompt["params"]["sessionId"], "fake/fake-model", own)
    asks = AcpAsks(OPENCODE, "/tmp/probe/work", own, turn.own_calls)
    events, answer = drive(lines, prompt, turn, asks, decision)
    return events, turn, answer


def shape(events: list[Event]) -> list[tuple[str, str | None]]:
    return [(e.kind.value, e.status) for e in events if not e.delta]


def test_a_text_turn_streams_deltas_and_finishes_with_the_reported_usage():
    events, turn, answer = replay("plain")
    deltas = [e.text for e in events if e.delta]
    assert len(deltas) > 1
    done = turn.finish(answer["result"])[-1]
    assert done.kind is EventKind.DONE and done.text == "".join(deltas)
    assert (done.usage.input_tokens, done.usage.output_tokens, done.usage.total_tokens) == (100, 7, 107)


def test_a_shell_call_announced_before_its_command_starts_once_with_the_command():
    events, _, _ = replay("shell_allowed")
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert [(e.command, e.status) for e in commands] == [
        ("echo hi > made.txt", "in_progress"),
        ("echo hi > made.txt", "completed"),
    ]
    assert shape(events)[:3] == [
        ("command", "in_progress"),
        ("permission", "allowed"),
        ("command", "completed"),
    ]
    assert commands[-1].output == "(no output)"


def test_a_refused_command_ends_declined_whatever_opencode_reports_after():
    events, turn, answer = replay("shell_refused", decision=Decision.DENY)
    assert shape(events) == [("command", "in_progress"), ("permission", "denied"), ("command", "declined")]
    # OpenCode ends the turn at once: no reply text, a normal end
    assert turn.finish(answer["result"])[-1].text == ""


def test_a_write_is_one_file_change_that_keeps_its_path_to_the_end():
    events, _, _ = replay("write")
    changes = [e for e in events if e.kind is EventKind.FILE_CHANGE]
    assert [e.status for e in changes] == ["in_progress", "completed"]
    assert [c.path for c in changes[-1].changes] == [c.path for c in changes[0].changes] != []


def test_the_run_s_own_mcp_tool_is_not_reported_twice():
    events, _, _ = replay("mcp_asked", own=frozenset({"add"}))
    assert [e for e in events if e.kind is EventKind.TOOL] == []  # oauthpy's endpoint reports it
    events, _, _ = replay("mcp_asked")
    assert {e.text for e in events if e.kind is EventKind.TOOL} == {"oauthpy_add"}


def test_a_cancelled_turn_is_no_success():
    _, turn, answer = replay("cancel")
    assert answer["result"]["stopReason"] in ("cancelled", "end_turn")
    if answer["result"]["stopReason"] == "cancelled":
        with pytest.raises(CommandExecutionError, match="cancelled"):
            turn.finish(answer["result"])


def test_errors_are_told_apart_by_their_words_since_the_status_is_lost():
    _, _, answer = replay("http_429")
    error = answer["error"]
    assert isinstance(OPENCODE.classify(error["code"], error["message"], error.get("data")), RateLimitError)
    auth = OPENCODE.classify(-32603, "Internal error: Invalid API key", None, "Login with opencode")
    assert isinstance(auth, AuthRequiredError) and "Login with opencode" in str(auth.hint)
    other = OPENCODE.classify(-32603, "Internal error: Cannot connect to API: socket closed", None)
    assert type(other) is CommandExecutionError and other.transient


def test_the_models_come_from_the_model_config_option():
    lines = [json.loads(x)["msg"] for x in (RECORDINGS / "plain.jsonl").read_text().splitlines()]
    answer = next(
        m["result"] for m in lines if isinstance(m.get("result"), dict) and "sessionId" in m["result"]
    )
    models = models_of(answer)
    assert "fake/fake-model" in [m.id for m in models]
    assert [m.id for m in models if m.is_default] == [current_model(answer)] == ["fake/fake-model"]


@pytest.mark.parametrize(
    ("printed", "authenticated", "mode"),
    [
        ("\x1b[90m┌\x1b[0m  Credentials /d/opencode/auth.json\n│\n└  0 credentials\n", False, "unknown"),
        (
            "┌  Credentials /d/opencode/auth.json\n│\n└  0 credentials\n\n┌  Environment\n│\n"
            "●  OpenAI OPENAI_API_KEY\n│\n└  1 environment variable\n",
            True,
            "env",
        ),
        ("┌  Credentials /d/opencode/auth.json\n│\n●  OpenAI oauth\n│\n└  1 credentials\n", True, "oauth"),
        ("┌  Credentials /d/opencode/auth.json\n│\n●  Anthropic api\n│\n└  1 credentials\n", True, "api-key"),
    ],
)
def test_opencode_auth_list_is_read_for_counts_and_kinds_only(printed: str, authenticated: bool, mode: str):
    from oauthpy._agents.opencode.auth import read_auth_list

    probe = read_auth_list(printed)
    assert (probe.authenticated, probe.mode) == (authenticated, mode)


@pytest.mark.parametrize(
    ("said", "transient"),
    [
        ("The server had an error while processing your request. Sorry about that!", True),
        ("The engine is currently overloaded, please try again later", True),
        ("Service Unavailable", True),
        ("Invalid 'messages': the prompt is too long", False),
    ],
)
def test_the_openai_api_s_words_for_a_passing_failure_make_it_transient(said: str, transient: bool):
    error = OPENCODE.classify(
        -32603, f"Internal error: {said}", {"service": "session", "errorName": "APIError"}
    )
    assert type(error) is CommandExecutionError and error.transient is transient
    assert str(error) == f"opencode run failed: {said}"  # OpenCode's wrapping is gone
