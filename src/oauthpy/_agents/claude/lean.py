"""A lean Claude run (docs/lean.md), through the SDK's documented options: ``tools=[]`` (no
built-in tool, and with them the deferred-tools, agent-types and skills reminders),
oauthpy's system prompt, no setting sources (no CLAUDE.md, hooks, plugins or the user's
MCP servers) and only the MCP servers given (``strict_mcp_config``). ``--bare`` would cut
more but works with an API key only (a subscription login is "Not logged in" under it)."""

from __future__ import annotations

from typing import Any

from oauthpy._lean import PROMPT


def options() -> dict[str, Any]:
    """What a lean run sets of ``ClaudeAgentOptions``."""
    return {"system_prompt": PROMPT, "tools": [], "setting_sources": [], "strict_mcp_config": True}
