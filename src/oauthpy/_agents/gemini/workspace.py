"""What a workspace's own ``.gemini/`` may not do to a run with ``on_permission`` (red team R1).

In a folder it trusts, the Gemini CLI (0.61) merges ``<cwd>/.gemini/settings.json`` into its
settings at every new session, and loads ``<cwd>/.gemini/policies/`` (new policies are accepted
without asking outside a terminal). Either can approve a tool call before the callback is asked:
``tools.allowed``, ``general.defaultApprovalMode: auto_edit``, an MCP server with ``trust``,
hooks, or a policy rule. Gemini would not read them in a folder it does not trust, but then it
also drops the run's own tools (MCP) and the project's GEMINI.md: so a run with ``on_permission``
in such a workspace is refused before anything starts, naming the file and the setting.

The same file can start programs when gemini starts, before any prompt and so before anyone is
asked (red team T3): an MCP server (``mcpServers.<name>.command``; a remote one connects out,
with headers the settings may fill from the environment), ``mcp.serverCommand``, the tool
discovery and call commands, the legacy sandbox (gemini started again under a container
command). Those are refused the same way. The user's own settings (``~/.gemini``) stay theirs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._fields import as_dict
from oauthpy._jsonc import loads_jsonc

_HINT = "remove that setting from the workspace, or run without on_permission"


def refuse_preapprovals(cwd: str) -> None:
    """Raise `InvalidOptionsError` when ``cwd``'s ``.gemini/`` could approve a tool call."""
    folder = Path(cwd) / ".gemini"
    policies = folder / "policies"
    files = sorted(p for p in policies.rglob("*") if p.is_file()) if policies.is_dir() else []
    if files:
        raise InvalidOptionsError(
            f"the workspace's gemini policies ({', '.join(map(str, files))}) can allow tool calls "
            "without asking: on_permission would not see them",
            hint=_HINT,
        )
    path = folder / "settings.json"
    if not path.is_file():
        return
    try:
        settings = loads_jsonc(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        raise InvalidOptionsError(
            f"cannot read the workspace's gemini settings {path}: with on_permission, oauthpy must "
            "see what they allow before gemini starts",
            hint="fix the file's JSON, or run without on_permission",
        ) from None
    found = preapprovals(settings)
    if found:
        raise InvalidOptionsError(
            f"the workspace's gemini settings {path} set {', '.join(found)}, which approve tool "
            "calls without asking: on_permission would not see them",
            hint=_HINT,
        )
    started = programs(settings)
    if started:
        raise InvalidOptionsError(
            f"the workspace's gemini settings {path} set {', '.join(started)}, which start a "
            "program or connect out when gemini starts, before on_permission is asked",
            hint=_HINT,
        )


def preapprovals(settings: Any) -> list[str]:
    """The settings (dotted names) of a settings object that approve without asking."""
    if not isinstance(settings, dict):
        return []
    found = []
    tools = as_dict(settings.get("tools"))
    if tools.get("allowed"):
        found.append("tools.allowed")
    mode = as_dict(settings.get("general")).get("defaultApprovalMode")
    if mode not in (None, "default", "plan"):
        found.append("general.defaultApprovalMode")
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
        for key in _SERVER_KEYS
        if as_dict(server).get(key)
    ]
    if as_dict(settings.get("mcp")).get("serverCommand"):
        found.append("mcp.serverCommand")
    tools = as_dict(settings.get("tools"))
    found += [f"tools.{key}" for key in ("discoveryCommand", "callCommand", "sandbox") if tools.get(key)]
    return found


#: what makes an MCP server entry start a program (command) or connect out (the rest)
_SERVER_KEYS = ("command", "url", "httpUrl", "tcp")
