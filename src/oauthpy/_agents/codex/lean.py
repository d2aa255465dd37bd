"""A lean codex run (docs/lean.md), through settings codex 0.163 accepts under
``--strict-config``: oauthpy's prompt for codex's 21.6 KB base instructions, no skills,
permissions or environment text, no AGENTS.md (``project_doc_max_bytes=0``), and every tool off that a setting turns off (``apply_patch``
has none). The same settings go per thread over app-server (``thread/start``) and as ``-c`` /
``--disable`` flags to ``codex exec``.

MCP servers: codex 0.163 has no setting that turns them all off for one run (an empty
``mcp_servers`` table merges into the user's; ``--ignore-user-config`` drops the user's provider and
model too), so each server named in ``config.toml`` (CODEX_HOME's, and the project's
``.codex/config.toml``) gets ``mcp_servers.<name>.enabled=false``: it is not started and its
resource tools are not offered."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from oauthpy._lean import PROMPT

#: the features whose tools a lean run drops (shell, goals, images, tool search)
FEATURES = ("shell_tool", "unified_exec", "view_image", "goals", "multi_agent")


#: the names codex accepts for an MCP server (a bare TOML key: safe in a ``-c`` path)
_SERVER_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")


def mcp_servers(codex_home: str, cwd: str) -> tuple[str, ...]:
    """The MCP servers the user's and the project's ``config.toml`` name (only their names are
    read; an unreadable file names none: codex itself then says what is wrong with it)."""
    from oauthpy._agents.codex.toml_file import parsed_toml

    names: set[str] = set()
    for path in (Path(codex_home, "config.toml"), Path(cwd, ".codex", "config.toml")):
        try:
            tables = parsed_toml(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        servers = (tables or {}).get("mcp_servers")
        if isinstance(servers, dict):
            names.update(name for name in servers if _SERVER_NAME.fullmatch(name))
    return tuple(sorted(names))


def thread_config(servers: tuple[str, ...] = ()) -> dict[str, Any]:
    """``thread/start``'s ``config`` for a lean thread, ``servers`` (`mcp_servers`) turned off."""
    config: dict[str, Any] = {
        "include_permissions_instructions": False,
        "include_environment_context": False,
        "project_doc_max_bytes": 0,  # no AGENTS.md
        "skills": {"include_instructions": False},
        "web_search": "disabled",
        "tools": {"experimental_request_user_input": {"enabled": False}},
        "features": dict.fromkeys(FEATURES, False),
    }
    if servers:
        config["mcp_servers"] = {name: {"enabled": False} for name in servers}
    return config


def thread_params(servers: tuple[str, ...] = ()) -> dict[str, Any]:
    """What a lean run adds to ``thread/start``."""
    return {"baseInstructions": PROMPT, "config": thread_config(servers)}


def exec_args(instructions_file: str, servers: tuple[str, ...] = ()) -> list[str]:
    """The ``codex exec`` flags of a lean run; ``instructions_file`` holds `PROMPT`."""
    args = ["-c", f"model_instructions_file={_toml(instructions_file)}"]
    for key, value in _flat(thread_config(servers)):
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
