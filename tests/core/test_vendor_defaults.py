"""A run that names no model and no effort sends what the vendor's CLI alone sends.

Each test runs the bare vendor CLI against the fake first and records its model request, then
the same prompt through oauthpy, and compares the model and the reasoning effort.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy._agents.claude.auth import bundled_cli
from oauthpy._agents.codex.provider import find_binary
from oauthpy.testing import FakeResponsesServer, text
from oauthpy.testing.anthropic import FakeAnthropicServer


def _bare(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        argv, input="hi", env={**os.environ, **env}, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("transport", ["exec", "app-server"])
def test_codex_run_without_model_or_effort_sends_what_bare_codex_exec_sends(
    transport: str, openai_fake: FakeResponsesServer, codex_env: dict[str, str], workdir: Path
):
    openai_fake.script(text("bare"), text("oauthpy"))
    _bare([find_binary(codex_env), "exec", "--json", "--skip-git-repo-check", "-"], codex_env, workdir)
    Client("codex", auth_source="external", transport=transport).run("hi", cwd=workdir, env=codex_env)

    bare, ours = (r.body for r in openai_fake.model_requests())
    assert bare["reasoning"]["effort"] == "medium"  # gpt-5.5's own default in codex 0.163
    assert (ours["model"], ours["reasoning"]) == (bare["model"], bare["reasoning"])


def test_claude_run_without_model_or_effort_sends_what_bare_claude_sends(
    anthropic_fake: FakeAnthropicServer, claude_env: dict[str, str], workdir: Path
):
    anthropic_fake.script(text("bare"), text("oauthpy"))
    binary = claude_env.get("OAUTHPY_CLAUDE_BINARY") or str(bundled_cli())
    _bare([binary, "-p", "--output-format", "json"], claude_env, workdir)
    Client("claude", auth_source="external").run("hi", cwd=workdir, env=claude_env)

    bare, ours = (r.body for r in anthropic_fake.model_requests())
    assert bare["output_config"]["effort"] == "medium"  # Claude Code's default for this account
    assert ours["model"] == bare["model"]
    assert ours["output_config"].get("effort") == bare["output_config"]["effort"]
