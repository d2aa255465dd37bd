"""Small hostile ACP agents (red team R2, R5): an agent's death and what its stdout makes the
caller hold are bounded.

Each agent is a short Python script speaking just enough ACP; the caller runs in its own
Python process where its peak memory is measured (``VmHWM``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from oauthpy import Client, CommandExecutionError, Decision, EventKind, PermissionRequest, ProtocolError
from oauthpy.testing import new_marker
from tests.support import assert_no_leftovers

#: the ACP an agent needs for a run: initialize and session/new answered; what it does with
#: session/prompt is the test's (``on_prompt(rid, sid)``)
_AGENT = """
import json, os, subprocess, sys
def send(msg):
    sys.stdout.write(json.dumps(msg) + "\\n"); sys.stdout.flush()
runs = 0
for line in sys.stdin:
    msg = json.loads(line)
    method, rid = msg.get("method"), msg.get("id")
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {"protocolVersion": 1, "agentCapabilities": {}, "authMethods": []}})
    elif method == "session/new":
        send({"jsonrpc": "2.0", "id": rid, "result": {"sessionId": "s1"}})
    elif method == "session/prompt":
        runs += 1
        on_prompt(rid, "s1")
"""


def _agent(tmp_path: Path, on_prompt: str) -> list[str]:
    script = tmp_path / "agent.py"
    script.write_text(textwrap.dedent(on_prompt) + _AGENT)
    return [sys.executable, str(script)]


def test_an_agent_that_dies_while_its_child_holds_stdout_is_noticed_with_its_exit_code(
    tmp_path: Path,
) -> None:
    command = _agent(
        tmp_path,
        """
        def on_prompt(rid, sid):
            subprocess.Popen(["sleep", "60"])  # inherits stdout, as an MCP server or helper would
            os._exit(3)
        """,
    )
    env = new_marker()
    started = time.monotonic()
    with pytest.raises(CommandExecutionError, match="exited with code 3") as caught:
        Client("acp", command=command, env=env).run("hi", cwd=tmp_path, timeout=25)
    assert time.monotonic() - started < 10
    assert caught.value.returncode == 3
    assert_no_leftovers(env, within_s=3)  # the sleep that held stdout is gone too


def _peak_mb(tmp_path: Path, command: list[str], runs: int) -> tuple[int, str]:
    """Run the agent ``runs`` times in one warm client in a fresh Python; its peak RSS in MB and
    what each run raised."""
    code = textwrap.dedent(
        f"""
        import json, sys
        from oauthpy import Client
        said = []
        with Client("acp", command={command!r}) as client:
            for _ in range({runs}):
                try:
                    client.run("hi", cwd={str(tmp_path)!r}, timeout=120)
                    said.append("ok")
                except Exception as exc:
                    said.append(type(exc).__name__ + ": " + str(exc)[:200])
        # VmHWM: this process's own peak (ru_maxrss carries the forking pytest worker's over exec)
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        print(json.dumps([peak // 1024, said]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    peak, said = json.loads(done.stdout.strip().splitlines()[-1])
    return peak, "\n".join(said)


def test_a_400_mb_line_without_a_newline_is_a_protocol_error_and_memory_stays_bounded(tmp_path: Path) -> None:
    command = _agent(
        tmp_path,
        """
        def on_prompt(rid, sid):
            block = "x" * (1024 * 1024)
            for _ in range(400):
                sys.stdout.write(block)
            sys.stdout.flush()
        """,
    )
    peak, said = _peak_mb(tmp_path, command, runs=1)
    assert said.startswith(ProtocolError.__name__) and "without ending it" in said, said
    assert peak < 250, f"peak {peak} MB"


def test_notifications_for_a_session_nobody_opened_are_not_held(tmp_path: Path) -> None:
    command = _agent(
        tmp_path,
        """
        def on_prompt(rid, sid):
            note = json.dumps({"jsonrpc": "2.0", "method": "session/update", "params": {
                "sessionId": "nobody", "update": {"sessionUpdate": "agent_message_chunk",
                "content": {"type": "text", "text": "noise " * 8}}}}) + "\\n"
            sys.stdout.write(note * 300000)
            send({"jsonrpc": "2.0", "method": "session/update", "params": {"sessionId": sid,
                "update": {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "done"}}}})
            send({"jsonrpc": "2.0", "id": rid, "result": {"stopReason": "end_turn"}})
        """,
    )
    peak, said = _peak_mb(tmp_path, command, runs=3)
    assert said == "ok\nok\nok", said
    assert peak < 250, f"peak {peak} MB"


#: an agent that asks each question of ASKS in turn and says what it was answered
_ASKING = """
def on_prompt(rid, sid):
    told = []
    for n, (call, options) in enumerate(ASKS):
        send({"jsonrpc": "2.0", "id": 100 + n, "method": "session/request_permission", "params": {
            "sessionId": sid, "toolCall": {"toolCallId": f"c{n}", "status": "pending", **call},
            "options": [{"optionId": o, "name": o, "kind": o} for o in options]}})
        while True:
            msg = json.loads(sys.stdin.readline())
            if msg.get("id") == 100 + n:
                outcome = msg["result"]["outcome"]
                told.append(outcome.get("optionId", outcome["outcome"]))
                break
    send({"jsonrpc": "2.0", "method": "session/update", "params": {"sessionId": sid, "update": {
        "sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": json.dumps(told)}}}})
    send({"jsonrpc": "2.0", "id": rid, "result": {"stopReason": "end_turn"}})
"""
_ALL = ["allow_once", "allow_always", "reject_once"]


def _asking_agent(tmp_path: Path, asks: list[tuple[dict[str, object], list[str]]]) -> list[str]:
    return _agent(tmp_path, f"ASKS = {asks!r}\n" + _ASKING)


def test_allow_always_for_one_tool_input_does_not_cover_another(tmp_path: Path) -> None:
    fetch = {"kind": "fetch", "title": "fetch"}
    command = _asking_agent(
        tmp_path,
        [
            ({**fetch, "rawInput": {"url": "https://docs.example/a"}}, _ALL),
            ({**fetch, "rawInput": {"url": "https://evil.example/?leak=1"}}, _ALL),
            ({**fetch, "rawInput": {"url": "https://docs.example/a"}}, _ALL),
        ],
    )
    asked: list[object] = []

    def callback(request: PermissionRequest) -> Decision:
        asked.append(request.raw["toolCall"]["rawInput"]["url"])  # type: ignore[index]
        return Decision.ALLOW_ALWAYS if len(asked) == 1 else Decision.DENY

    result = Client("acp", command=command).run("go", cwd=tmp_path, on_permission=callback, timeout=30)
    assert asked == ["https://docs.example/a", "https://evil.example/?leak=1"]  # the third remembered
    assert json.loads(result.text) == ["allow_once", "reject_once", "allow_once"]


def test_a_change_that_names_no_path_is_never_remembered(tmp_path: Path) -> None:
    command = _asking_agent(tmp_path, [({"kind": "edit", "title": "edit"}, _ALL)] * 2)
    asked: list[PermissionRequest] = []

    def callback(request: PermissionRequest) -> Decision:
        asked.append(request)
        return Decision.ALLOW_ALWAYS if len(asked) == 1 else Decision.DENY

    result = Client("acp", command=command).run("go", cwd=tmp_path, on_permission=callback, timeout=30)
    assert [r.kind for r in asked] == ["file_change", "file_change"]
    assert json.loads(result.text) == ["allow_once", "reject_once"]


def test_an_allow_the_agent_cannot_take_once_is_reported_as_the_refusal_it_was(tmp_path: Path) -> None:
    command = _asking_agent(
        tmp_path, [({"kind": "execute", "title": "touch x"}, ["allow_always", "reject_once"])]
    )
    result = Client("acp", command=command).run("go", cwd=tmp_path, on_permission=lambda r: True, timeout=30)
    assert json.loads(result.text) == ["reject_once"]
    [event] = [e for e in result.events if e.kind is EventKind.PERMISSION]
    assert event.status == "denied" and "no way to allow it once" in (event.output or "")


@pytest.mark.parametrize("answer", [None, "done", [1, 2]])
def test_a_prompt_answered_with_no_object_is_a_protocol_error_not_an_empty_success(
    tmp_path: Path, answer: object
) -> None:
    command = _agent(
        tmp_path,
        f"def on_prompt(rid, sid):\n    send({{'jsonrpc': '2.0', 'id': rid, 'result': {answer!r}}})\n",
    )
    with pytest.raises(ProtocolError, match="answered session/prompt with"):
        Client("acp", command=command).run("hi", cwd=tmp_path, timeout=30)
