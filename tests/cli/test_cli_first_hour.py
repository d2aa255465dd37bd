"""What a newcomer meets in the first hour on the command line (issue: red team round 4 and
the first hour): errors in the command line's words, a misspelt flag's likely meaning, an empty
prompt refused before anything starts, an unusable OAUTHPY_HOME said plainly, and the way to try
it all with no account in --help and in the not-logged-in hint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy._agents.gemini.parser import _TRUST_HINT
from oauthpy.cli.words import cli_words
from oauthpy.testing import live_processes_with_env


def oauthpy(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oauthpy", *args],
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_acp_without_its_command_is_said_with_the_flag_not_python(tmp_path: Path) -> None:
    done = oauthpy("run", "-p", "acp", "hi", env={"OAUTHPY_HOME": str(tmp_path)})
    assert done.returncode == 2
    assert (
        "error: -p acp needs --command CMD" in done.stderr
        and 'hint: e.g. --command "my-agent --acp"' in done.stderr
    )
    assert "Client(" not in done.stderr and "command=" not in done.stderr


def test_the_not_logged_in_hint_speaks_cli_and_names_the_offline_mode(tmp_path: Path) -> None:
    done = oauthpy("run", "-p", "codex", "--source", "oauthpy", "hi", env={"OAUTHPY_HOME": str(tmp_path)})
    assert done.returncode == 2 and "is not logged in" in done.stderr
    assert "--source external" in done.stderr and "OAUTHPY_OFFLINE=1" in done.stderr
    assert "Client(" not in done.stderr and "auth_source=" not in done.stderr


def test_the_api_key_hint_says_the_shell_s_environment_not_env_equals(tmp_path: Path) -> None:
    # the command passes its environment to the agent: a key is set there, not "in env="
    empty = {"OAUTHPY_HOME": str(tmp_path), "ANTHROPIC_API_KEY": "", "GEMINI_API_KEY": ""}
    for agent, key in (("claude", "ANTHROPIC_API_KEY"), ("gemini", "GEMINI_API_KEY")):
        done = oauthpy("run", "-p", agent, "--source", "oauthpy", "hi", env=empty)
        assert done.returncode == 2 and "is not logged in" in done.stderr
        assert f"set {key} in the environment" in done.stderr and "env=" not in done.stderr


@pytest.mark.parametrize(
    ("hint", "said"),
    [
        (
            _TRUST_HINT,
            "trust the folder in the Gemini CLI (run `gemini` there once), set "
            "GEMINI_CLI_TRUST_WORKSPACE=true in the environment",
        ),
        (
            "remove permissions.defaultMode from your Claude Code user settings "
            "(~/.claude/settings.json), or pass provider_options={'permission_mode': ...}",
            "remove permissions.defaultMode from your Claude Code user settings (~/.claude/settings.json)",
        ),
    ],
    ids=["gemini-trust", "claude-mode"],
)
def test_a_fix_that_needs_provider_options_is_left_out_on_the_command_line(hint: str, said: str) -> None:
    # the command line has no flag for an agent's own options: only the fixes it can make
    assert cli_words(hint) == said


def test_a_misspelt_flag_gets_the_subcommands_usage_and_a_likely_meaning() -> None:
    done = oauthpy("run", "-p", "codex", "--sorce", "external", "hi")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: oauthpy run ")
    assert "did you mean: --sorce -> --source?" in done.stderr
    nested = oauthpy("auth", "login", "-p", "acp", "--metod", "x")
    assert nested.stderr.startswith("usage: oauthpy auth login ") and "--metod -> --method" in nested.stderr


def test_an_empty_prompt_fails_at_once_with_a_hint_before_any_fake_or_agent_starts(tmp_path: Path) -> None:
    marker = {"OAUTHPY_TEST_MARK": f"empty-{os.getpid()}"}
    for args, stdin in ((("run", "-p", "codex", "  "), ""), (("run", "-p", "codex"), "\n \n")):
        done = oauthpy(
            *args, stdin=stdin, env={"OAUTHPY_OFFLINE": "1", "OAUTHPY_HOME": str(tmp_path), **marker}
        )
        assert done.returncode == 2
        assert done.stderr.startswith("error: prompt is empty\nhint: "), (
            done.stderr
        )  # no offline note: no fake started
    assert not (tmp_path / "offline").exists()
    assert live_processes_with_env(*next(iter(marker.items()))) == []


def test_an_oauthpy_home_that_is_a_file_is_an_error_and_a_hint_not_a_traceback(tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("")
    done = oauthpy("run", "-p", "codex", "hi", env={"OAUTHPY_HOME": str(home)})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: oauthpy cannot keep its state in {home}")
    assert "hint: point OAUTHPY_HOME" in done.stderr
    offline = oauthpy("run", "-p", "codex", "hi", env={"OAUTHPY_HOME": str(home), "OAUTHPY_OFFLINE": "1"})
    assert offline.returncode == 2 and "Traceback" not in offline.stderr and "OAUTHPY_HOME" in offline.stderr


def test_help_says_how_to_try_without_an_account_and_names_every_agent() -> None:
    done = oauthpy("--help")
    assert "OAUTHPY_OFFLINE=1" in done.stdout
    for agent in ("codex", "claude", "gemini", "copilot", "opencode"):
        assert agent in done.stdout.split("positional arguments")[0]
