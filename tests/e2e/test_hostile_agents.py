"""Small hostile ACP agents (red team R2, R5): an agent's death and what its stdout makes the
caller hold are bounded.

Each agent is a short Python script speaking just enough ACP; the caller runs in its own
Python process where its peak memory is measured (``ru_maxrss``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from oauthpy import Client, CommandExecutionError, ProtocolError
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
        import json, resource, sys
        from oauthpy import Client
        said = []
        with Client("acp", command={command!r}) as client:
            for _ in range({runs}):
                try:
                    client.run("hi", cwd={str(tmp_path)!r}, timeout=120)
                    said.append("ok")
                except Exception as exc:
                    said.append(type(exc).__name__ + ": " + str(exc)[:200])
        print(json.dumps([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, said]))
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
