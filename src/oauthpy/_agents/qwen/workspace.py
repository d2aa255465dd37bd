"""What a workspace's own ``.qwen/`` may not set for a run with ``on_permission`` (the red
team's R1, for Qwen Code as for gemini, whose settings it inherits): in a folder it trusts it
merges ``<cwd>/.qwen/settings.json``, where rules and modes can approve before anyone is asked.
Such a workspace is refused before anything starts, naming the file and the setting.

The same file can start programs when qwen starts, before any prompt and so before anyone is
asked (red team T3): an MCP server (``mcpServers.<name>.command``; a remote one connects out,
with headers the settings may fill from the environment), ``mcp.serverCommand``, the tool
discovery and call commands, the sandbox and its container image. Those are refused the same
way (Qwen Code 0.24 loads extensions from the user's folder only). The user's own settings stay
theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._fields import as_dict
from oauthpy._jsonc import loads_jsonc

_HINT = "remove that setting from the workspace, or run without on_permission"


def refuse_preapprovals(cwd: str) -> None:
    path = Path(cwd) / ".qwen" / "settings.json"
    if not path.is_file():
        return
    try:
        settings = loads_jsonc(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        raise InvalidOptionsError(
            f"cannot read the workspace's Qwen Code settings {path}: with on_permission, oauthpy "
            "must see what they allow before qwen starts",
            hint="fix the file's JSON, or run without on_permission",
        ) from None
    found = preapprovals(settings)
    if found:
        raise InvalidOptionsError(
            f"the workspace's Qwen Code settings {path} set {', '.join(found)}, which approve tool "
            "calls without asking: on_permission would not see them",
            hint=_HINT,
        )
    started = programs(settings)
    if started:
        raise InvalidOptionsError(
            f"the workspace's Qwen Code settings {path} set {', '.join(started)}, which start a "
            "program or connect out when qwen starts, before on_permission is asked",
            hint=_HINT,
        )


def preapprovals(settings: Any) -> list[str]:
    """The settings (dotted names) that approve a tool call without asking."""
    if not isinstance(settings, dict):
        return []
    found = []
    tools = as_dict(settings.get("tools"))
    if tools.get("allowed"):
        found.append("tools.allowed")
    if tools.get("approvalMode") not in (None, "default", "plan"):
        found.append("tools.approvalMode")
    if as_dict(settings.get("permissions")).get("allow"):
        found.append("permissions.allow")
    for name, server in as_dict(settings.get("mcpServers")).items():
        if as_dict(server).get("trust"):
            found.append(f"mcpServers.{name}.trust")
    if settings.get("hooks"):
        found.append("hooks")
    return found


def programs(settings: Any) -> list[str]:
    """The settings (dotted names) that start a program, or connect to a server, at start."""
    if not isinstance(settings, dict):
        return []
    found = [
        f"mcpServers.{name}.{key}"
        for name, server in as_dict(settings.get("mcpServers")).items()
        for key in ("command", "url", "httpUrl", "tcp")
        if as_dict(server).get(key)
    ]
    if as_dict(settings.get("mcp")).get("serverCommand"):
        found.append("mcp.serverCommand")
    tools = as_dict(settings.get("tools"))
    keys = ("discoveryCommand", "callCommand", "sandbox", "sandboxImage")
    found += [f"tools.{key}" for key in keys if tools.get(key)]
    return found
