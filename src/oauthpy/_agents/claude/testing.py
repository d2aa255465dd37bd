"""Claude Code against oauthpy's Messages fake (`FakeAnthropicServer`): its environment, and
the switch that makes it a subscription login, and its test provision (`PROVISION`)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oauthpy.testing.anthropic import FAKE_ANTHROPIC_KEY, bash
from oauthpy.testing.provision import HTTP_FAULT_WORDS, Planted, Provision


def fake_env(fake: Any, root: str | os.PathLike[str], *, api_key: str = FAKE_ANTHROPIC_KEY) -> dict[str, str]:
    """The env that sends the real Claude Code CLI to ``fake``, with its state under ``root``.

    Isolated ``CLAUDE_CONFIG_DIR``, ``CLAUDE_CODE_TMPDIR`` and ``HOME``, non-essential traffic
    off, vendor retries off, and host logins blanked so they cannot win over the fake key.
    ``HOME`` matters because Claude's Bash tool first sources the user's shell startup files:
    the host's ``~/.bashrc`` (pyenv, conda, nvm hooks) would otherwise print into tool output.
    """
    base = Path(root)
    config, tmp, home = base / "claude-config", base / "claude-tmp", base / "claude-home"
    for d in (config, tmp, home):
        d.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": fake.url,
        "ANTHROPIC_API_KEY": api_key,
        "ANTHROPIC_AUTH_TOKEN": "",
        "CLAUDE_CODE_OAUTH_TOKEN": "",
        "CLAUDE_CONFIG_DIR": str(config),
        "CLAUDE_CODE_TMPDIR": str(tmp),
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "CLAUDE_CODE_MAX_RETRIES": "0",
    }


#: a made-up Claude subscription token: `subscription_env` puts it in CLAUDE_CODE_OAUTH_TOKEN
FAKE_CLAUDE_OAUTH_TOKEN = "sk-ant-oat01-oauthpy-fake-token-0000"


def subscription_env(token: str = FAKE_CLAUDE_OAUTH_TOKEN) -> dict[str, str]:
    """What turns `FakeAnthropicServer.env` into a subscription login (the way Claude
    Code reports plan limits): the OAuth token variable instead of the API key."""
    return {"ANTHROPIC_API_KEY": "", "CLAUDE_CODE_OAUTH_TOKEN": token}


def _bundled_cli() -> str:
    """The CLI bundled in claude-agent-sdk's wheel: the program the SDK runs."""
    from oauthpy._agents.claude.auth import bundled_cli

    found = bundled_cli()
    assert found is not None, "claude-agent-sdk carries no CLI of its own"
    return str(found)


def _import_sdk() -> None:
    """Its first import takes about 1 s: not a run's time."""
    import claude_agent_sdk  # noqa: F401


def _saved_sessions(env: Mapping[str, str]) -> list[str]:
    return [path.name for path in Path(env["CLAUDE_CONFIG_DIR"], "projects").rglob("*.jsonl")]


#: Claude Code in the test suites: the CLI bundled in the SDK's wheel, driven by the SDK
PROVISION = Provision(
    find_program=_bundled_cli,
    shell_step=bash,
    saved_sessions=_saved_sessions,
    warm_up=_import_sdk,
    login_vars=("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"),
    # its login is a file of its config folder or a variable: oauthpy reads them first
    login_seen_before_start=True,
    # the SDK may fail writing to the dead CLI before it sees the code
    exit_code_seen=False,
    # the SDK's close of a connected CLI waits up to 5 s for it to exit (a CI run saw 5 s)
    graceful_close_s=5.0,
    # the SDK reads claude's stdout itself and its reader dies on such a byte (a transient,
    # classified error; the real claude only ever writes JSON)
    dies_on_bad_bytes=True,
    fault_words=MappingProxyType(
        {
            **HTTP_FAULT_WORDS,
            "500": "500 fake fell over",
            "cut": "connection dropped",
            "sse-error": "overloaded",
        }
    ),
    approving_settings=MappingProxyType(
        {
            "settings-acceptEdits": Planted(
                {".claude/settings.json": json.dumps({"permissions": {"defaultMode": "acceptEdits"}})}
            ),
            "settings-local-allow": Planted(
                {".claude/settings.local.json": json.dumps({"permissions": {"allow": ["Bash", "Write"]}})}
            ),
        }
    ),
    install_words="pip install claude-agent-sdk",
    # it answers without being able to write its state: full_disk_words stays None
)
