"""OpenCode (the pinned opencode-ai) through the generic ACP layer, against the chat-completions
fake: what only OpenCode does (``ses_`` ids, resume through ``session/load``, its model list).
The shared ``rig`` suite runs it like every other agent (a 429 after its own retries:
tests/contract/test_faults.py; an unknown ``ses_`` id: tests/contract/test_sessions.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, PermissionRequest
from oauthpy.testing import call_tool, shell, text, write_file
from oauthpy.testing.processes import live_processes_with_env
from tests.support import Rig, assert_no_leftovers, open_rig, user_mcp_server

BOUND_S = 90

pytestmark = pytest.mark.xdist_group("opencode")  # two at once starve a 2-core machine


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("opencode", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def client(rig: Rig) -> Client:
    return Client("opencode", auth_source="external", env=rig.env)


def test_a_run_streams_and_a_session_goes_on_in_the_same_process_and_after_it(rig: Rig):
    rig.fake.script(text("first answer, in pieces", chunks=3), text("second answer"), text("third answer"))
    with client(rig).session(cwd=rig.work, timeout=BOUND_S) as session:
        events = list(session.stream_sync("first"))
        second = session.run("second")
    deltas = [e.text for e in events if e.delta]
    assert len(deltas) == 3 and events[-1].text == "first answer, in pieces"
    sid = events[-1].session_id
    assert sid and sid.startswith("ses_") and second.session_id == sid
    assert "first answer, in pieces" in rig.fake.model_requests()[1].body_text
    # a new process loads it (session/load replays the history to the agent, not to the caller)
    with client(rig).session(cwd=rig.work, resume=sid, timeout=BOUND_S) as session:
        third = session.run("third")
    assert third.text == "third answer" and third.session_id == sid
    assert [e.kind for e in third.events if e.kind is EventKind.MESSAGE and not e.delta] == [
        EventKind.MESSAGE
    ]
    assert "second answer" in rig.fake.model_requests()[-1].body_text


def test_on_permission_is_asked_before_a_command_and_a_write_and_a_refusal_runs_nothing(rig: Rig):
    asked: list[PermissionRequest] = []

    def allow(request: PermissionRequest) -> bool:
        asked.append(request)
        return True

    rig.fake.script(
        shell("touch allowed.txt && echo made-it"), write_file("made.txt", "hello\n"), text("Done.")
    )
    with client(rig) as warm:  # one OpenCode process for both runs (about 3 CPU-s a start)
        result = warm.run("go", cwd=rig.work, on_permission=allow, timeout=BOUND_S)
        assert [a.kind for a in asked] == ["command", "file_change"]
        assert asked[0].command == "touch allowed.txt && echo made-it"
        assert (rig.work / "allowed.txt").exists() and (rig.work / "made.txt").read_text() == "hello\n"
        [command] = [e for e in result.events if e.kind is EventKind.COMMAND and e.status == "completed"]
        assert "made-it" in (command.output or "") and result.text == "Done."

        rig.fake.script(shell("touch denied.txt"), text("never asked for"))
        refused = warm.run("go", cwd=rig.work, on_permission=lambda r: False, timeout=BOUND_S)
    assert not (rig.work / "denied.txt").exists()
    assert [e.status for e in refused.events if e.kind is EventKind.COMMAND][-1] == "declined"


def test_the_run_s_python_tools_are_called_over_mcp(rig: Rig):
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    rig.fake.script(call_tool("add", {"a": 2, "b": 40}), text("It is 42."))
    result = client(rig).run("add", cwd=rig.work, tools=[add], timeout=BOUND_S)
    tools = [(e.tool_name, e.status, e.output) for e in result.events if e.kind is EventKind.TOOL]
    assert tools == [("add", "in_progress", None), ("add", "completed", "42")]
    assert result.text == "It is 42."


def test_warm_runs_share_one_process_and_models_come_from_opencode(rig: Rig):
    rig.fake.script(text("one"), text("two"))
    with client(rig) as warm:
        assert warm.run("a", cwd=rig.work, timeout=BOUND_S).text == "one"
        assert warm.run("b", cwd=rig.work, timeout=BOUND_S).text == "two"
        assert len(live_processes_with_env("OAUTHPY_TEST_MARKER", rig.env["OAUTHPY_TEST_MARKER"])) == 1
    assert "fake/fake-model" in [m.id for m in client(rig).models()]


def test_a_tool_of_the_users_own_mcp_server_is_asked_about(rig: Rig):
    # an MCP server from the user's OpenCode config: its tools act too, so on_permission sees
    # each call, as with every other agent
    server = user_mcp_server(rig.root, rig.work)
    config = json.loads(rig.env.get("OPENCODE_CONFIG_CONTENT") or "{}")
    config["mcp"] = {"user": {"type": "local", "command": [server["command"], *server["args"]]}}
    rig.env["OPENCODE_CONFIG_CONTENT"] = json.dumps(config)
    asked: list[PermissionRequest] = []

    def refuse(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    rig.fake.script(call_tool("touch", {"name": "unasked.txt"}), text("done"))
    result = client(rig).run("go", cwd=rig.work, on_permission=refuse, timeout=BOUND_S)
    assert not (rig.work / "unasked.txt").exists()
    assert [(r.kind, r.tool_name) for r in asked] == [("tool", "user_touch")]
    assert "declined" in [e.status for e in result.events if e.kind is EventKind.TOOL]
