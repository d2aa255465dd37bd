"""GitHub Copilot CLI (the pinned @github/copilot) through the generic ACP layer: what only
copilot does. The shared ``rig`` suite runs it like every other agent, on the chat-completions
and the Responses API; here the Messages API, its own notices and errors, per-turn usage and
its login state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError, Client, EventKind, InvalidOptionsError, PermissionRequest
from oauthpy.testing import FakeAnthropicServer, HttpError, call_tool, shell, text
from tests.support import Rig, assert_no_leftovers, copilot_binary, open_rig

BOUND_S = 60


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("copilot", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


@pytest.fixture
def messages_rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("copilot", tmp_path, fake="oauthpy.testing.anthropic:FakeAnthropicServer") as r:
        yield r
        assert_no_leftovers(r.env)


def client(rig: Rig) -> Client:
    return Client("copilot", auth_source="external", env=rig.env)


def test_it_asks_before_a_command_and_a_refused_one_does_not_run(rig: Rig):
    # copilot 1.0.81 ran commands over ACP without asking (github/copilot-cli#4537); and its
    # "allow every tool" variable in the environment does not answer for the caller
    rig.env["COPILOT_ALLOW_ALL"] = "1"
    asked: list[PermissionRequest] = []

    def refuse(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    rig.fake.script(shell("touch refused.txt"), text("Understood."))
    result = client(rig).run("make it", cwd=rig.work, on_permission=refuse, timeout=BOUND_S)
    assert [(a.kind, a.command) for a in asked] == [("command", "touch refused.txt")]
    assert not (rig.work / "refused.txt").exists()
    assert [e.status for e in result.events if e.kind is EventKind.COMMAND][-1] == "declined"


def test_copilot_allow_all_in_the_environment_does_not_open_what_oauthpy_keeps_closed(rig: Rig):
    # no on_permission: every question is refused, and COPILOT_ALLOW_ALL may not skip them
    rig.env["COPILOT_ALLOW_ALL"] = "1"
    rig.fake.script(shell("touch unasked.txt"), text("done"))
    result = client(rig).run("make it", cwd=rig.work, timeout=BOUND_S)
    assert not (rig.work / "unasked.txt").exists()
    assert [e.status for e in result.events if e.kind is EventKind.COMMAND][-1] == "declined"


def test_the_messages_api_streams_runs_commands_and_calls_tools(messages_rig: Rig):
    assert isinstance(messages_rig.fake, FakeAnthropicServer)

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    messages_rig.fake.script(
        shell("echo from-the-shell"), call_tool("add", {"a": 2, "b": 40}), text("It is 42.", chunks=3)
    )
    events = list(
        client(messages_rig).stream_sync(
            "go", cwd=messages_rig.work, on_permission=lambda r: True, tools=[add], timeout=BOUND_S
        )
    )
    [command] = [e for e in events if e.kind is EventKind.COMMAND and e.status == "completed"]
    assert "from-the-shell" in (command.output or "") and command.exit_code == 0
    assert [(e.tool_name, e.output) for e in events if e.kind is EventKind.TOOL and e.output] == [
        ("add", "42")
    ]
    assert len([e for e in events if e.delta]) == 3 and events[-1].text == "It is 42."
    assert all(r.path == "/v1/messages" for r in messages_rig.fake.model_requests())


def test_its_notices_and_error_chunks_never_reach_the_answer(rig: Rig):
    # a 401 is no JSON-RPC error in copilot: the turn ends normally after an "Error: ..." chunk
    rig.fake.script(HttpError(401, "key rejected by fake"))
    events: list[object] = []
    with pytest.raises(AuthRequiredError, match="401"):
        for event in client(rig).stream_sync("hi", cwd=rig.work, timeout=BOUND_S):
            events.append(event)
    assert not [e for e in events if getattr(e, "kind", None) is EventKind.MESSAGE]
    # a 500 it retried by itself: an "Info: ... Retrying..." chunk, then the answer
    rig.fake.script(HttpError(500, "blip"), text("the answer"))
    result = client(rig).run("hi", cwd=rig.work, timeout=BOUND_S)
    assert len(rig.fake.model_requests()) >= 2  # it did retry
    assert result.text == "the answer"
    assert all("Info:" not in (e.text or "") for e in result.events if e.kind is EventKind.MESSAGE)


def test_usage_is_each_turn_s_own_though_copilot_reports_the_session_s_total(rig: Rig):
    rig.fake.script(text("one"), text("two"))
    with client(rig).session(cwd=rig.work, timeout=BOUND_S) as session:
        first = session.run("first")
        second = session.run("second")
    assert first.usage and second.usage
    assert (second.usage.input_tokens, second.usage.output_tokens) == (
        first.usage.input_tokens,
        first.usage.output_tokens,
    )


def test_with_no_login_the_status_says_so_without_starting_copilot(tmp_path: Path):
    env = {"COPILOT_HOME": str(tmp_path / "home"), "OAUTHPY_COPILOT_BINARY": copilot_binary()}
    status = Client("copilot", auth_source="external", env=env).auth_status()
    assert status.installed and status.version and not status.authenticated
    assert status.reason == "not_authenticated" and "copilot login" in str(status.hint)
    assert not (tmp_path / "home").exists()  # a status writes nothing


def test_a_used_home_without_a_login_is_asked_over_copilot_s_own_status_request(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.json").write_text(json.dumps({"firstLaunchAt": "2026-11-23T00:00:00Z"}))
    env = {"COPILOT_HOME": str(home), "OAUTHPY_COPILOT_BINARY": copilot_binary()}
    status = Client("copilot", auth_source="external", env=env).auth_status()
    assert not status.authenticated and status.reason == "not_authenticated"
    assert status.details and "statusMessage" in status.details  # copilot's own answer


def test_logout_is_refused_with_the_way_to_do_it(tmp_path: Path):
    env = {"COPILOT_HOME": str(tmp_path / "home"), "OAUTHPY_COPILOT_BINARY": copilot_binary()}
    with pytest.raises(InvalidOptionsError, match="no logout command") as err:
        Client("copilot", auth_source="external", env=env).logout()
    assert "/logout" in str(err.value.hint)
