"""A broken ``OAUTHPY_AGENTS`` entry is an ``error:`` line and exit 2 from every command, never a
traceback (the parser's choices come from the registry, so it fails before any command runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [
    ["run", "-p", "codex", "hi"],
    ["auth", "status"],
    ["sessions", "-p", "codex"],
    ["compare", "-p", "codex", "task"],
    ["batch", "-p", "codex", "items.jsonl"],
    ["doctor"],
]


def oauthpy(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oauthpy.cli", *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_missing_module_in_oauthpy_agents_is_an_error_line_with_exit_2(args: list[str], tmp_path: Path):
    done = oauthpy(args, {"OAUTHPY_AGENTS": "no_such_module_here:SPEC"}, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: OAUTHPY_AGENTS names 'no_such_module_here:SPEC'"), done.stderr
    assert "Traceback" not in done.stderr


def test_an_entry_whose_import_raises_is_an_error_line_too(tmp_path: Path):
    (tmp_path / "broken_agent.py").write_text("raise RuntimeError('half-written plugin')\n")
    env = {"OAUTHPY_AGENTS": "broken_agent:SPEC", "PYTHONPATH": str(tmp_path)}
    done = oauthpy(["run", "-p", "codex", "hi"], env, tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "which does not load: half-written plugin" in done.stderr


def test_help_names_every_agent_of_the_registry(tmp_path: Path):
    from oauthpy import _registry as registry

    done = oauthpy(["--help"], {"COLUMNS": "400"}, tmp_path)
    assert done.returncode == 0, done.stderr
    named = done.stdout.split("logged in to (", 1)[1].split(")", 1)[0].split(", ")
    assert named == [*registry.names(generic=False), "any ACP agent"]
