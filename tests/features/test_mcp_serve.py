"""``oauthpy mcp serve`` driven by a raw MCP client (JSON-RPC on its stdio), its agents the real
CLIs against the fakes; and Claude Code itself calling the codex tool."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy.testing import Gate, HttpError, call_tool, live_processes_with_env, text
from oauthpy.testing.processes import MARKER_VAR
from tests.mcp_client import McpClient
from tests.support import assert_no_leftovers, open_rig, shell_step

SERVED = ["--source", "external"]


def serve(rig, *more: str, answer=None) -> McpClient:  # type: ignore[no-untyped-def]
    return McpClient(
        ["--agent", rig.provider, *SERVED, "--cwd", str(rig.work), *more], rig.env, answer=answer
    )


def only_the_server_left(mcp: McpClient, marker: str, within_s: float = 10.0) -> bool:
    """Whether, within a bounded wait, no process of the test's but the server is alive."""
    deadline = time.monotonic() + within_s
    while live_processes_with_env(MARKER_VAR, marker) != [mcp.proc.pid]:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize("agent", ["codex", "claude", "gemini"])
def test_a_tool_per_agent_answers_with_its_text_and_session_id_and_the_session_goes_on(
    agent: str, tmp_path: Path
):
    with open_rig(agent, tmp_path) as rig, serve(rig) as mcp:
        (listed,) = mcp.request("tools/list", {})["tools"]
        assert listed["name"] == agent and listed["inputSchema"]["required"] == ["prompt"]
        assert {"text", "session_id"} <= set(listed["outputSchema"]["properties"])
        assert str(rig.work) in listed["description"]
        rig.fake.script(text("the first answer LYNX"), text("the second answer"))
        first = mcp.call(agent, {"prompt": "Remember LYNX"})
        assert not first["isError"] and first["content"] == [
            {"type": "text", "text": "the first answer LYNX"}
        ]
        structured = first["structuredContent"]
        assert structured["text"] == "the first answer LYNX" and structured["provider"] == agent
        assert structured["session_id"] and structured["truncated"] is False
        second = mcp.call(agent, {"prompt": "What did I ask?", "session_id": structured["session_id"]})
        assert not second["isError"], second
        assert second["structuredContent"]["text"] == "the second answer"
        # the second request carries the first turn: the same conversation
        assert "the first answer LYNX" in rig.model_bodies()[-1]
        assert second["structuredContent"]["session_id"] == structured["session_id"]


def test_a_silent_agent_reports_progress_and_a_cancelled_call_leaves_no_process(tmp_path: Path):
    opened = threading.Event()
    with open_rig("codex", tmp_path) as rig, serve(rig, "--heartbeat", "0.2") as mcp:
        rig.fake.script(Gate(opened, text("late")))
        rid = mcp.start(
            "tools/call", {"name": "codex", "arguments": {"prompt": "slow"}, "_meta": {"progressToken": 7}}
        )
        rig.fake.wait_for_model_request()
        while len([p for p in mcp.progress(7) if "still working" in (p.get("message") or "")]) < 2:
            mcp.next()
        shown = mcp.progress(7)
        assert [p["progress"] for p in shown] == sorted({p["progress"] for p in shown})  # rising
        mcp.send(
            {"method": "notifications/cancelled", "params": {"requestId": rid, "reason": "changed my mind"}}
        )
        # the cancelled run's codex is gone: only the server itself carries the test's marker
        assert only_the_server_left(mcp, rig.env[MARKER_VAR])
        opened.set()
        rig.fake.script(text("next one"))
        after = mcp.call("codex", {"prompt": "again"})
        assert after["structuredContent"]["text"] == "next one"


def test_a_call_queued_for_a_slot_says_so_and_keeps_its_heartbeat_until_it_starts(tmp_path: Path):
    opened = threading.Event()
    with (
        open_rig("codex", tmp_path) as rig,
        serve(rig, "--max-concurrent", "1", "--heartbeat", "0.2") as mcp,
    ):
        rig.fake.script(Gate(opened, text("first")), text("second"))
        first = mcp.start("tools/call", {"name": "codex", "arguments": {"prompt": "one"}})
        rig.fake.wait_for_model_request()  # the only slot is taken
        second = mcp.start(
            "tools/call", {"name": "codex", "arguments": {"prompt": "two"}, "_meta": {"progressToken": 8}}
        )
        while len([p for p in mcp.progress(8) if "still waiting" in (p.get("message") or "")]) < 2:
            mcp.next()
        said = [p.get("message") or "" for p in mcp.progress(8)]
        assert said[0].endswith(" is waiting for a free slot (--max-concurrent 1)"), said
        assert not any("starting" in message for message in said)  # still queued
        opened.set()
        assert mcp.answer_to(first)["structuredContent"]["text"] == "first"
        assert mcp.answer_to(second)["structuredContent"]["text"] == "second"
        assert any("starting" in (p.get("message") or "") for p in mcp.progress(8))


def test_a_call_naming_a_folder_outside_the_servers_is_refused_before_any_agent_starts(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig, serve(rig) as mcp:
        (rig.work / "pkg").mkdir()
        refused = mcp.call("codex", {"prompt": "list it", "cwd": str(tmp_path)})
        assert (
            refused["isError"] and "outside the folder this server works in" in refused["content"][0]["text"]
        )
        assert rig.model_bodies() == []  # no agent ran
        rig.fake.script(shell_step("codex", "pwd"), text("listed"))
        inside = mcp.call("codex", {"prompt": "list it", "cwd": "pkg"})
        assert inside["structuredContent"]["text"] == "listed"
        assert str(rig.work / "pkg") in rig.model_bodies()[-1]  # pwd ran in the folder it named


def test_an_agent_failure_is_an_error_result_and_the_server_serves_on(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig, serve(rig) as mcp:
        rig.fake.script(HttpError(401, "key rejected by fake"))
        failed = mcp.call("codex", {"prompt": "hi"})
        assert failed["isError"] and failed["content"][0]["text"].startswith("AuthRequiredError: ")
        assert "hint: " in failed["content"][0]["text"]
        bad = mcp.call("codex", {"cwd": "/nowhere"})
        assert bad["isError"] and "prompt is missing" in bad["content"][0]["text"]
        rig.fake.script(text("fine again"))
        assert mcp.call("codex", {"prompt": "hi"})["structuredContent"]["text"] == "fine again"


@pytest.mark.parametrize(
    ("answer", "made"),
    [(None, False), ("accept", True), ("decline", False)],
    ids=["no-elicitation", "accepted", "declined"],
)
def test_a_command_is_denied_unless_the_clients_person_accepts_it(
    answer: str | None, made: bool, tmp_path: Path
):
    with open_rig("claude", tmp_path) as rig:
        with serve(rig, answer=(lambda _: answer) if answer else None) as mcp:
            rig.fake.script(shell_step("claude", "touch made.txt"), text("done"))
            result = mcp.call("claude", {"prompt": "make the file"})
            assert not result["isError"], result
        assert (rig.work / "made.txt").exists() is made
        if answer is not None:
            (asked,) = mcp.elicitations
            assert "touch made.txt" in asked["params"]["message"]


def test_an_unknown_agent_fails_at_start_naming_it():
    done = subprocess.run(
        [sys.executable, "-m", "oauthpy.cli", "mcp", "serve", "--agent", "nosuch"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "unknown agent 'nosuch'" in done.stderr and "Traceback" not in done.stderr


def test_claude_calls_the_codex_tool_and_reads_its_answer(tmp_path: Path):
    with open_rig("codex", tmp_path / "codex") as codex, open_rig("claude", tmp_path / "claude") as claude:
        codex.fake.script(text("codex says FORTY-TWO"))
        claude.fake.script(call_tool("codex", {"prompt": "What is six times seven?"}), text("claude is done"))
        server = {
            "command": sys.executable,
            "args": [
                "-m",
                "oauthpy.cli",
                "mcp",
                "serve",
                "--agent",
                "codex",
                *SERVED,
                "--cwd",
                str(codex.work),
            ],
            "env": codex.env,
        }
        result = Client(
            "claude", auth_source="external", env={**claude.env, "ENABLE_TOOL_SEARCH": "false"}
        ).run(
            "Ask codex",
            cwd=claude.work,
            timeout=120,
            provider_options={"mcp_servers": {"oauthpy": server}, "allowed_tools": ["mcp__oauthpy__codex"]},
        )
        assert result.text == "claude is done"
        assert "What is six times seven?" in codex.model_bodies()[-1]
        assert "codex says FORTY-TWO" in claude.model_bodies()[-1]
        assert_no_leftovers(codex.env, within_s=10.0)


def test_calls_run_at_once(tmp_path: Path):
    opened = threading.Event()
    with open_rig("codex", tmp_path) as rig, serve(rig) as mcp:
        rig.fake.script(Gate(opened, text("one")), Gate(opened, text("two")))
        first = mcp.start("tools/call", {"name": "codex", "arguments": {"prompt": "a"}})
        second = mcp.start("tools/call", {"name": "codex", "arguments": {"prompt": "b"}})
        rig.fake.wait_for_model_requests(2)  # both agents are mid-run before either answers
        opened.set()
        texts = {
            mcp.answer_to(first)["structuredContent"]["text"],
            mcp.answer_to(second)["structuredContent"]["text"],
        }
        assert texts == {"one", "two"}
