"""``-p/--provider`` through the real ``oauthpy`` process: ``mcp serve -p`` serves exactly the
agents named (its old ``--agent`` too) and ``doctor -p`` checks only those; ``compare`` and ``run``
refuse what they cannot run, all before any agent starts (the parser's own cases:
tests/cli/test_cli_agent_flag_words.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mcp_client import McpClient

#: no vendor program may run: a command that got past its checks fails at once
NO_AGENT = {name: "/bin/false" for name in ("OAUTHPY_CODEX_BINARY", "OAUTHPY_GEMINI_BINARY")}


def oauthpy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oauthpy.cli", *args],
        env={**os.environ, **NO_AGENT, "NO_COLOR": "1"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "named",
    [["-p", "codex,gemini"], ["-p", "codex", "-p", "gemini"], ["--agent", "codex", "--agent", "gemini"]],
)
def test_mcp_serve_lists_a_tool_for_each_agent_named_and_no_other(named: list[str], tmp_path: Path):
    with McpClient([*named, "--source", "external", "--cwd", str(tmp_path)], NO_AGENT) as mcp:
        tools = mcp.request("tools/list", {})["tools"]
        assert [tool["name"] for tool in tools] == ["codex", "gemini"]
    assert "serving codex, gemini on stdio" in mcp.stderr()


def test_mcp_serve_names_an_unknown_agent_with_the_flag_that_named_it(tmp_path: Path):
    done = oauthpy("mcp", "serve", "-p", "codex,nosuch", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: unknown agent 'nosuch' for -p; choose from codex"), done.stderr


def test_run_refuses_a_second_agent_naming_the_command(tmp_path: Path):
    done = oauthpy("run", "-p", "codex", "-p", "gemini", "hi", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "oauthpy run: error: argument -p/--provider: `oauthpy run` takes one agent, got codex, gemini" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr


def test_compare_refuses_an_agent_named_twice(tmp_path: Path):
    done = oauthpy("compare", "-p", "codex", "-p", "codex", "the task", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "oauthpy compare: error: argument -p/--provider: codex is named twice" in done.stderr
    assert "Traceback" not in done.stderr


def test_doctor_checks_only_the_agents_named_in_the_registrys_order(tmp_path: Path):
    done = oauthpy("doctor", "-p", "gemini", "-p", "codex", "--json", cwd=tmp_path)
    assert [report["provider"] for report in json.loads(done.stdout)] == ["codex", "gemini"], done.stderr
    refused = oauthpy("doctor", "-p", "codex,nosuch", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "argument -p/--provider: invalid choice: 'nosuch'" in refused.stderr, refused.stderr
