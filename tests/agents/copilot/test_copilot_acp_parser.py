"""The generic ACP translator with Copilot's profile, on messages recorded from the real
``copilot --acp --stdio`` 1.0.102 against the chat-completions fake (tests/recordings/copilot-acp/,
how they were made: /work/notes/copilot.md)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from oauthpy import AuthRequiredError, CommandExecutionError, EventKind, RateLimitError
from oauthpy._agents.copilot.profile import CopilotAcp, CopilotTurn
from oauthpy._events import Event
from oauthpy._permissions import Decision
from oauthpy._transports.acp.asks import AcpAsks
from oauthpy._transports.acp.turn import AcpTurn, current_model
from tests import paths
from tests.acp_replay import drive

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "copilot-acp"


def messages(name: str) -> list[dict[str, Any]]:
    return [json.loads(x)["msg"] for x in (RECORDINGS / f"{name}.jsonl").read_text().splitlines()]


def replay(
    name: str,
    *,
    decision: Decision = Decision.ALLOW,
    own: frozenset[str] = frozenset(),
    nth: int = 0,
    profile: CopilotAcp | None = None,
) -> tuple[list[Event], AcpTurn, Any]:
    """Every agent message of a recording's ``nth`` prompt through the turn copilot's profile
    makes, the permission questions answered with ``decision``; returns the events, the turn
    and the prompt's answer."""
    profile = profile or CopilotAcp()
    lines = messages(name)
    prompt = [m for m in lines if m.get("method") == "session/prompt"][nth]
    turn = profile.turn(prompt["params"]["sessionId"], "fake-model", own)
    asks = AcpAsks(profile, "/tmp/probe/work", own, turn.own_calls)
    events, answer = drive(lines, prompt, turn, asks, decision)
    return events, turn, answer


def shape(events: list[Event]) -> list[tuple[str, str | None]]:
    return [(e.kind.value, e.status) for e in events if not e.delta and e.kind is not EventKind.OTHER]


def test_a_text_turn_streams_deltas_and_reasoning_and_finishes_with_its_usage():
    events, turn, answer = replay("plain")
    deltas = [e.text for e in events if e.delta and e.kind is EventKind.MESSAGE]
    assert deltas == ["Hello fro", "m the fak", "e model"]
    assert "".join(e.text for e in events if e.kind is EventKind.REASONING) == "Thinking it over"
    done = turn.finish(answer["result"])[-1]
    assert done.kind is EventKind.DONE and done.text == "Hello from the fake model"
    assert (done.usage.input_tokens, done.usage.output_tokens, done.usage.total_tokens) == (100, 7, 107)


def test_usage_is_per_turn_though_copilot_reports_the_session_s_running_total():
    profile = CopilotAcp()
    _, turn, answer = replay("plain", profile=profile)
    turn.finish(answer["result"])
    _, turn, answer = replay("plain", nth=1, profile=profile)
    assert answer["result"]["usage"]["inputTokens"] == 200  # what copilot says: both turns
    done = turn.finish(answer["result"])[-1]
    assert (done.text, done.usage.input_tokens, done.usage.output_tokens) == ("Second answer", 100, 20)
    # a total that went down is a new process's (a loaded session counts from zero again)
    assert profile.next_usage(turn.session_id, {"inputTokens": 30})["inputTokens"] == 30


def test_an_allowed_command_starts_once_asks_and_ends_with_its_output_and_exit_code():
    events, turn, answer = replay("shell_allowed")
    assert shape(events) == [
        ("command", "in_progress"),
        ("permission", "allowed"),
        ("command", "completed"),
    ]
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert {e.command for e in commands} == {"echo hi > made.txt && echo out-text"}
    assert (commands[-1].output, commands[-1].exit_code) == ("out-text", 0)  # no "<shellId: ...>" line
    assert turn.finish(answer["result"])[-1].text == "Done."


def test_a_refused_command_ends_declined_and_copilot_s_notice_is_no_answer_text():
    events, turn, answer = replay("shell_refused", decision=Decision.DENY)
    assert shape(events) == [("command", "in_progress"), ("permission", "denied"), ("command", "declined")]
    # "Info: Operation cancelled by user" comes as a message chunk: not the answer
    assert not [e for e in events if e.kind is EventKind.MESSAGE]
    assert turn.finish(answer["result"])[-1].text == ""


def test_a_new_file_is_one_file_change_with_its_path_and_the_path_notice_is_skipped():
    events, turn, answer = replay("write")
    changes = [e for e in events if e.kind is EventKind.FILE_CHANGE]
    assert [e.status for e in changes] == ["in_progress", "completed"]
    assert [c.path for c in changes[-1].changes] == ["/tmp/probe/work/new.txt"]
    assert turn.finish(answer["result"])[-1].text == "Written."


def test_the_run_s_own_mcp_tool_is_not_reported_twice():
    recorded = CopilotAcp()
    recorded.tool_server = "oauthpy"  # the run's server name when the recording was made
    events, _, _ = replay("mcp_asked", own=frozenset({"add"}), profile=recorded)
    assert [e for e in events if e.kind is EventKind.TOOL] == []  # oauthpy's endpoint reports it
    events, _, _ = replay("mcp_asked")
    assert {e.text for e in events if e.kind is EventKind.TOOL} >= {"oauthpy-add"}
    # a tool of another server named "oauthpy" (a user's own) is no tool of the run's (T11)
    events, _, _ = replay("mcp_asked", own=frozenset({"add"}))
    assert {e.text for e in events if e.kind is EventKind.TOOL} >= {"oauthpy-add"}


def test_a_cancelled_turn_is_no_success_and_the_next_turn_works():
    _, turn, answer = replay("cancel")
    assert answer["result"] == {"stopReason": "cancelled"}
    with pytest.raises(CommandExecutionError, match="cancelled"):
        turn.finish(answer["result"])
    _, turn, answer = replay("cancel", nth=1)
    assert turn.finish(answer["result"])[-1].text == "After cancel."


@pytest.mark.parametrize(
    ("name", "error", "transient"),
    [
        ("http_401", AuthRequiredError, False),
        ("http_429", RateLimitError, False),
        ("http_500", CommandExecutionError, True),
    ],
)
def test_a_failed_model_request_is_an_error_chunk_and_a_typed_error(name: str, error: type, transient: bool):
    events, turn, answer = replay(name)
    # copilot's retries and its error are chunks, not answer text; the answer is a normal end
    assert answer["result"] == {"stopReason": "end_turn"}
    assert not [e for e in events if e.kind is EventKind.MESSAGE]
    with pytest.raises(error) as raised:
        turn.finish(answer["result"])
    assert type(raised.value) is error
    if error is CommandExecutionError:
        assert raised.value.transient is transient


def test_a_stream_cut_and_retried_keeps_only_the_retry_s_text():
    events, turn, answer = replay("cut_once")
    assert [e.text for e in events if e.delta] == ["partia", "l answ", "Whole answer."]
    assert turn.finish(answer["result"])[-1].text == "Whole answer."


def test_the_generic_turn_still_raises_copilot_s_error_chunk():
    profile = CopilotAcp()
    lines = messages("http_401")
    prompt = next(m for m in lines if m.get("method") == "session/prompt")
    turn = AcpTurn(profile, prompt["params"]["sessionId"], "fake-model")
    for message in lines[lines.index(prompt) + 1 :]:
        if message.get("method") == "session/update":
            turn.feed("session/update", message["params"])
    with pytest.raises(AuthRequiredError, match="HTTP 401"):
        turn.finish({"stopReason": "end_turn"})
    # a model's own words that start so are no error of copilot's, in a turn that has usage
    profile.check_finish({}, "Error: the user asked me to print this", True)
    with pytest.raises(CommandExecutionError, match="something new"):
        profile.check_finish({}, "Error: something new", False)  # no usage: a failed turn


def test_load_replays_the_history_and_tells_an_unknown_session_apart():
    lines = messages("load")
    load = next(m for m in lines if m.get("method") == "session/load")
    answer = next(m for m in lines if m.get("id") == load["id"] and "method" not in m)
    replayed = [
        m["params"]["update"]["sessionUpdate"]
        for m in lines[lines.index(load) + 1 : lines.index(answer)]
        if m.get("method") == "session/update"
    ]
    assert {"user_message_chunk", "agent_message_chunk"} <= set(replayed)
    assert current_model(answer["result"]) is None  # BYOK: no models, no model option
    errors = [m["error"] for m in lines if "error" in m]
    profile = CopilotAcp()
    unknown = [e for e in errors if profile.unknown_session(e["code"], e["message"], e.get("data"))]
    # two unknown ids (-32002), and a prompt after session/close (-32602 "... not found")
    assert [e["code"] for e in unknown] == [-32002, -32002, -32602]
    # loading a session this process holds already is no unknown session
    [held] = [e for e in errors if "already loaded" in e["message"]]
    assert held not in unknown


def test_session_new_offers_modes_as_urls_and_plan_is_the_only_other_one_oauthpy_picks():
    answer = next(m["result"] for m in messages("plain") if "sessionId" in (m.get("result") or {}))
    offered = {m["id"] for m in answer["modes"]["availableModes"]}
    assert set(CopilotAcp.modes.values()) <= offered
    assert not any(mode.endswith("#autopilot") for mode in CopilotAcp.modes.values())


def test_the_turn_is_copilot_s_own_and_argv_allows_only_oauthpy_s_tools_unasked():
    from oauthpy._options import build_request

    profile = CopilotAcp()
    assert isinstance(profile.turn("s", None), CopilotTurn)
    env = {"OAUTHPY_COPILOT_BINARY": "/bin/true"}
    argv = profile.argv(build_request("hi"), env)
    assert argv[1:3] == ["--acp", "--stdio"]
    assert [a for a in argv if a.startswith("--allow")] == []

    def add(a: int, b: int) -> int:
        return a + b

    def mul(a: int, b: int) -> int:
        return a * b

    argv = profile.argv(build_request("hi", tools=[add, mul]), env)
    # each of the run's tools by name, never the whole server, and the server under a name no
    # user's config holds: an allow names a server and a tool, whoever serves them (T11)
    server = profile.tool_server
    assert re.fullmatch(r"oauthpy-[0-9a-f]{12}", server)
    assert [a for a in argv if a.startswith("--allow")] == [
        f"--allow-tool={server}(add)",
        f"--allow-tool={server}(mul)",
    ]


def test_no_secret_in_the_recordings():
    for path in RECORDINGS.glob("*.jsonl"):
        text = path.read_text()
        assert "fake-chat-key" not in text and "sk-" not in text, path.name
        assert "Bearer <redacted>" in text or "Bearer " not in text, path.name


@pytest.mark.parametrize(
    ("result", "authenticated", "mode"),
    [
        ({"isAuthenticated": False, "statusMessage": "Not authenticated"}, False, "unknown"),
        ({"isAuthenticated": True, "authType": "user", "login": "octocat"}, True, "oauth"),
        ({"isAuthenticated": True, "authType": "env"}, True, "env"),
    ],
)
def test_auth_get_status_is_read_for_its_flag_and_words(
    result: dict[str, Any], authenticated: bool, mode: str
):
    from oauthpy._agents.copilot.auth import read_status

    probe = read_status(result)
    assert (probe.authenticated, probe.mode) == (authenticated, mode)


def test_the_sdk_framing_round_trips_back_to_back_answers():
    from oauthpy._agents.copilot.sdk_server import frame
    from oauthpy._agents.copilot.sdk_server import messages as framed

    recorded = (
        'Content-Length: 75\r\n\r\n{"jsonrpc":"2.0","id":2,"result":{"version":"1.0.102","protocolVersion":3}}'
        'Content-Length: 95\r\n\r\n{"jsonrpc":"2.0","id":1,"result":{"isAuthenticated":false,'
        '"statusMessage":"Not authenticated"}}'
    )
    assert [m["id"] for m in framed(recorded)] == [2, 1]
    assert framed(frame(1, "auth.getStatus").decode())[0]["method"] == "auth.getStatus"


def test_login_argv_never_carries_the_token():
    from oauthpy._agents.copilot.auth import CopilotAuth

    auth = CopilotAuth()
    assert auth.login_command("copilot", api_key=None, device_code=True, options={}).argv == [
        "copilot",
        "login",
        "--device-code",
    ]
    with_token = auth.login_command("copilot", api_key="github_pat_x", device_code=False, options={})
    assert with_token.argv == ["copilot", "login", "--with-token"] and with_token.stdin == b"github_pat_x"


def test_a_cancelled_turn_s_usage_still_counts_toward_the_next_turn_s_share():
    profile = CopilotAcp()
    with pytest.raises(CommandExecutionError, match="cancelled"):
        # cancelled while a permission question was open: copilot reports the usage so far
        profile.turn("s", None).finish({"stopReason": "cancelled", "usage": {"inputTokens": 100}})
    done = profile.turn("s", None).finish({"stopReason": "end_turn", "usage": {"inputTokens": 250}})[-1]
    assert done.usage.input_tokens == 150


def test_a_model_answer_that_starts_with_error_stays_the_answer():
    profile = CopilotAcp()
    turn = profile.turn("s", None)
    chunk = {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "Error: none found"}}
    assert [e.text for e in turn.feed("session/update", {"sessionId": "s", "update": chunk})] == [
        "Error: none found"
    ]
    usage = {"inputTokens": 10, "outputTokens": 2}
    assert turn.finish({"stopReason": "end_turn", "usage": usage})[-1].text == "Error: none found"


def test_thought_tokens_are_the_reasoning_share_of_the_output():
    done = (
        CopilotAcp()
        .turn("s", None)
        .finish(
            {"stopReason": "end_turn", "usage": {"inputTokens": 10, "outputTokens": 8, "thoughtTokens": 5}}
        )[-1]
    )
    assert (done.usage.output_tokens, done.usage.reasoning_output_tokens) == (8, 5)
