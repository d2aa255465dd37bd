"""The command's defaults and its error text (issue 25, item 13): a bare `oauthpy` helps, every
command that can choose a provider chooses it as `run` does, codex HTTP errors read as such."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from oauthpy import Client, CommandExecutionError
from oauthpy.testing import HttpError
from tests.cli.test_cli import OAUTHPY, oauthpy


def test_oauthpy_with_no_arguments_prints_the_help_and_exits_0():
    proc = oauthpy()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: oauthpy") and "examples:" in proc.stdout
    assert proc.stderr == ""


@pytest.fixture
def only_claude(tmp_path: Path) -> dict[str, str]:
    """claude logged in (an API key); codex with an empty home, gemini missing."""
    (tmp_path / "empty-codex").mkdir()
    return {
        "OAUTHPY_HOME": str(tmp_path / "oauthpy-home"),
        "HOME": str(tmp_path / "user"),
        "CODEX_HOME": str(tmp_path / "empty-codex"),
        "OAUTHPY_GEMINI_BINARY": str(tmp_path / "no-gemini"),
        "ANTHROPIC_API_KEY": "sk-ant-defaults-key-1234",
        "OAUTHPY_PROVIDER": "",
        "NO_COLOR": "1",
    }


def test_auth_status_without_provider_takes_the_one_run_would(only_claude: dict[str, str]):
    proc = oauthpy("auth", "status", env=only_claude)
    assert proc.returncode == 0, proc.stderr
    assert "oauthpy: claude, the first provider you are logged in to" in proc.stderr
    assert proc.stdout.startswith("claude: logged in")
    named = oauthpy("auth", "status", env={**only_claude, "OAUTHPY_PROVIDER": "codex"})
    assert named.returncode == 1 and named.stdout.startswith("codex: not logged in"), named.stdout
    assert "oauthpy: codex (from OAUTHPY_PROVIDER)" in named.stderr


def test_chat_without_provider_takes_the_one_run_would(only_claude: dict[str, str], tmp_path: Path):
    proc = subprocess.run(
        [*OAUTHPY, "chat", "--cwd", str(tmp_path)],
        input="/provider\n/exit\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **only_claude},
    )
    assert proc.returncode == 0, proc.stderr
    assert "oauthpy: claude, the first provider you are logged in to" in proc.stderr
    assert proc.stdout.startswith("oauthpy interactive: claude,") and "provider: claude" in proc.stdout


BODY = "The model 'gpt-x' does not exist"
READABLE = f"codex run failed: status 400 Bad Request: {BODY} (fake_error)"


def test_a_codex_http_error_shows_its_status_and_message_on_both_transports(
    openai_fake, codex_env, workdir: Path
):
    for transport in ("app-server", "exec"):
        openai_fake.script(HttpError(400, BODY))
        client = Client("codex", auth_source="external", env=codex_env, transport=transport)
        with pytest.raises(CommandExecutionError) as err:
            client.run("hi", cwd=workdir, timeout=60)
        assert err.value.message.startswith(READABLE), (transport, err.value.message)
        assert '{"error"' not in str(err.value) and err.value.details["status"] == 400

    openai_fake.script(HttpError(400, BODY))
    proc = oauthpy("run", "-p", "codex", "--cwd", str(workdir), "hi", env=codex_env)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {READABLE}"), proc.stderr
    assert '{"error"' not in proc.stderr and "Traceback" not in proc.stderr


def test_codex_http_error_text_keeps_other_messages_as_they_are():
    from oauthpy._agents.codex.exec_parser import http_error_text

    said = "unexpected status 404 Not Found: gone, url: http://127.0.0.1:1/v1/responses"
    assert http_error_text(said) == said
    assert http_error_text('{"detail": "x"}') == '{"detail": "x"}'
    assert http_error_text("{not json") == "{not json"
    assert http_error_text('{"error": {"message": "slow down", "status": 503}}') == (
        "status 503 Service Unavailable: slow down"
    )
