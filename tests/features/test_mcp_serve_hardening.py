"""``oauthpy mcp serve`` hardening (issue 50: red-team T2, T8, T13, T14): the real server
process, its agents the real CLIs against the fakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from oauthpy._mcp_serve.server import DEPTH_VAR, MAX_DEPTH
from oauthpy._transports.rpc import MAX_FRAME_BYTES
from oauthpy.testing import text
from tests.features.test_mcp_serve import SERVED, serve
from tests.support import open_rig, shell_step


def commit_in(work: Path, subject: str) -> None:
    """``work`` as a git repository with one commit named ``subject``."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    (work / "a.txt").write_text("a\n")
    for args in (["init", "-q"], ["add", "a.txt"], ["commit", "-q", "-m", subject]):
        subprocess.run([*git, *args], cwd=work, check=True, timeout=30, capture_output=True)


def test_read_only_refuses_a_git_log_that_writes_a_file_and_runs_a_reading_one(tmp_path: Path):
    """T2: `git log --output=FILE` writes chosen text into any file; read-only refuses it."""
    target = tmp_path / "outside" / "bashrc"
    target.parent.mkdir()
    with open_rig("claude", tmp_path) as rig:
        commit_in(rig.work, "SEED-COMMIT")
        with serve(rig, "--allow", "read-only") as mcp:
            rig.fake.script(
                shell_step("claude", f'git log -1 "--format=tformat:touch PWNED" --output={target}'),
                text("tried"),
            )
            assert not mcp.call("claude", {"prompt": "write it"})["isError"]
            rig.fake.script(shell_step("claude", "git log -1 --oneline"), text("read"))
            assert not mcp.call("claude", {"prompt": "read it"})["isError"]
        assert not target.exists()
        # the reading shape ran: its output reached the model
        assert "SEED-COMMIT" in rig.model_bodies()[-1]


def test_lines_it_cannot_use_are_answered_and_the_server_serves_on(tmp_path: Path):
    """T14: a line that is not JSON, too deep, a batch, or past 64 MB gets a JSON-RPC error."""
    with open_rig("codex", tmp_path) as rig, serve(rig) as mcp:
        assert mcp.proc.stdin is not None
        for line, code, says in [
            (b"garbage", -32700, "not JSON"),
            (b"[" * 100_000, -32700, "nested too deep"),
            (b'[{"jsonrpc": "2.0", "id": 9, "method": "tools/list"}]', -32600, "batches"),
            (b"a" * (MAX_FRAME_BYTES + 1), -32700, "longer than"),
        ]:
            mcp.proc.stdin.write(line + b"\n")
            mcp.proc.stdin.flush()
            answer = mcp.next(wait_s=30)
            assert answer["id"] is None and answer["error"]["code"] == code, answer
            assert says in answer["error"]["message"]
        assert [t["name"] for t in mcp.request("tools/list", {})["tools"]] == ["codex"]
    assert "not JSON" in mcp.stderr() and "Traceback" not in mcp.stderr()


#: runs its arguments with fd 0 closed
CLOSED_STDIN = ["sh", "-c", 'exec "$0" "$@" <&-']


def test_a_server_without_stdin_says_so_and_exits_0(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        done = subprocess.run(
            [*CLOSED_STDIN, sys.executable, "-m", "oauthpy.cli", "mcp", "serve", "--agent", "codex", *SERVED],
            env={**os.environ, **rig.env},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0 and done.stdout == ""
    assert "stdin or stdout is closed" in done.stderr and "Traceback" not in done.stderr


def test_served_agents_carry_the_servers_depth_in_their_environment(tmp_path: Path):
    """T8: an agent's own `oauthpy mcp serve` would start one level deeper."""
    with open_rig("claude", tmp_path) as rig, serve(rig, "--allow", "all") as mcp:
        rig.fake.script(shell_step("claude", 'echo "DEPTH=$OAUTHPY_MCP_DEPTH."'), text("done"))
        assert not mcp.call("claude", {"prompt": "show it"})["isError"]
        assert "DEPTH=1." in rig.model_bodies()[-1]


def test_a_server_nested_too_deep_runs_no_agent_and_says_why(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        rig.env[DEPTH_VAR] = str(MAX_DEPTH)
        with serve(rig) as mcp:
            refused = mcp.call("codex", {"prompt": "hi"})
        assert refused["isError"] and "nested too deep" in refused["content"][0]["text"]
        assert "nested too deep" in mcp.stderr()
        assert rig.fake.model_requests() == []  # no agent ran


KEY = "sk-proj-" + "Zq7" * 16


def test_the_question_shows_the_command_on_its_own_line_with_its_secret_redacted(tmp_path: Path):
    """T13: the elicitation question is shown and logged by the client."""
    command = f'curl -H "Authorization: Bearer {KEY}" https://api.example'
    with open_rig("claude", tmp_path) as rig:
        with serve(rig, answer=lambda _: "decline") as mcp:
            rig.fake.script(shell_step("claude", command), text("done"))
            assert not mcp.call("claude", {"prompt": "fetch it"})["isError"]
        (asked,) = mcp.elicitations
        message = asked["params"]["message"]
        assert KEY not in message and "[REDACTED]" in message
        assert "\n    `curl -H " in message  # the command on a line of its own


def test_the_agents_answer_is_redacted_like_every_cli_output(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig, serve(rig) as mcp:
        rig.fake.script(text(f"the key is {KEY} there"))
        result = mcp.call("codex", {"prompt": "show the key"})
        assert result["content"][0]["text"] == "the key is [REDACTED] there"
        assert result["structuredContent"]["text"] == "the key is [REDACTED] there"
