"""A lean codex run (docs/lean.md), through settings codex 0.163 accepts under
``--strict-config``: oauthpy's prompt for codex's 21.6 KB base instructions, no skills,
permissions or environment text, no AGENTS.md (``project_doc_max_bytes=0``), and every tool off that a setting turns off (``apply_patch``
has none). The same settings go per thread over app-server (``thread/start``) and as ``-c`` /
``--disable`` flags to ``codex exec``."""

from __future__ import annotations

import json
from typing import Any

from oauthpy._lean import PROMPT

#: the features whose tools a lean run drops (shell, goals, images, tool search)
FEATURES = ("shell_tool", "unified_exec", "view_image", "goals", "multi_agent")


def thread_config() -> dict[str, Any]:
    """``thread/start``'s ``config`` for a lean thread."""
    return {
        "include_permissions_instructions": False,
        "include_environment_context": False,
        "project_doc_max_bytes": 0,  # no AGENTS.md
        "skills": {"include_instructions": False},
        "web_search": "disabled",
        "tools": {"experimental_request_user_input": {"enabled": False}},
        "features": dict.fromkeys(FEATURES, False),
    }


def thread_params() -> dict[str, Any]:
    """What a lean run adds to ``thread/start``."""
    return {"baseInstructions": PROMPT, "config": thread_config()}


def exec_args(instructions_file: str) -> list[str]:
    """The ``codex exec`` flags of a lean run; ``instructions_file`` holds `PROMPT`."""
    args = ["-c", f"model_instructions_file={_toml(instructions_file)}"]
    for key, value in _flat(thread_config()):
        if key.startswith("features."):
            args += ["--disable", key.removeprefix("features.")]
        else:
            args += ["-c", f"{key}={_toml(value)}"]
    return args


def _flat(config: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in config.items():
        if isinstance(value, dict):
            out += _flat(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def _toml(value: object) -> str:
    """A TOML value of the settings above (booleans, numbers, strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # a JSON number or string is a TOML one
