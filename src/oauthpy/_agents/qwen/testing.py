"""Qwen Code against oauthpy's Responses fake (the one codex uses): its settings and environment,
and its test provision (`PROVISION`)."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oauthpy.testing.provision import Planted, Provision

#: what keeps a run to its own model requests (each side request would take a scripted step)
QUIET_SETTINGS: dict[str, Any] = {
    "security": {"auth": {"selectedType": "openai-responses"}},
    "privacy": {"usageStatisticsEnabled": False},
    "general": {"enableAutoUpdate": False},
    "memory": {"enableManagedAutoMemory": False, "enableManagedAutoDream": False},
    "ui": {"enableFollowupSuggestions": False},
    # MCP tools (the run's Python tools) in the first request, not behind its tool_search; a
    # run without on_permission in "yolo", not its "auto" (a classifier request to the model
    # before each action); with on_permission oauthpy sets "default" on each session itself
    "tools": {"toolSearch": {"enabled": False}, "approvalMode": "yolo"},
    # no retries of its own against the fake: a scripted failure is seen at once
    "model": {"generationConfig": {"maxRetries": 0, "modalities": {"image": True}}},
}


def fake_env(fake: Any, root: Path) -> dict[str, str]:
    """The environment that sends a real ``qwen --acp`` to ``fake`` (a `FakeResponsesServer`),
    its state under ``root``: no memory extraction, no next-prompt suggestions, no titles."""
    from oauthpy.testing.responses import FAKE_OPENAI_KEY

    # its own retries (7 attempts, 1.5-30 s apart) stop at this header: a scripted failure is
    # seen at once
    fake.error_headers["x-should-retry"] = "false"
    root = Path(root)
    home, qwen_home, tmp = root / "home", root / "qwen", root / "tmp"
    for folder in (home, qwen_home, tmp):
        folder.mkdir(parents=True, exist_ok=True)
    (qwen_home / "settings.json").write_text(json.dumps(QUIET_SETTINGS))
    from oauthpy.testing.node_cache import shared_compile_cache

    return {
        **shared_compile_cache(),  # its own is under TMPDIR, new for every root
        "HOME": str(home),
        "QWEN_HOME": str(qwen_home),
        "TMPDIR": str(tmp),
        "OPENAI_API_KEY": FAKE_OPENAI_KEY,
        "OPENAI_BASE_URL": f"{fake.url}/v1",
        "OPENAI_MODEL": "fake-model",
    }


PROVISION = Provision(
    lean_share=0.4,
    pinned_var="OAUTHPY_TEST_QWEN_BINARY",
    pinned_paths=("tools/qwen/node_modules/.bin/qwen",),
    approving_settings=MappingProxyType(
        {
            "workspace-settings": Planted(
                {
                    ".qwen/settings.json": json.dumps(
                        {"tools": {"approvalMode": "yolo"}, "permissions": {"allow": ["Bash"]}}
                    )
                }
            )
        }
    ),
    # a key is its only login (its OAuth login ended)
    login_vars=("OPENAI_API_KEY",),
    no_login_words="set OPENAI_API_KEY",
    # its words for a session it does not know, as its ACP agent answers session/load
    unknown_session_words="Resource not found",
    # a refused command ends its turn: the model is not told
    refusal_ends_turn=True,
    # a 429 in its own words ("Rate limit exceeded. Try again later.")
    error_body_statuses=(400, 401, 500),
    # its ACP answers every 429 "Rate limit exceeded" but a quota that says when it resets
    quota_needs_reset=True,
    # its mode updates; a command's event shows "Shell: <command>"
    other_events=True,
    command_text_is_command=False,
    # a cut stream is asked for again (up to 4 more requests), an unreachable API for ~90 s
    retries_broken_connections=True,
    # its session/load replays a prompt without its images
    transcript_keeps_images=False,
    # it writes its extension store before it answers initialize, and exits when it cannot
    full_disk_words="ENOSPC: no space left on device",
    full_disk_exits=True,
)
