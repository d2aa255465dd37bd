"""A lean OpenCode run (docs/lean.md), through its documented config, merged over the caller's
``OPENCODE_CONFIG_CONTENT``: its default agent (``build``, the one an ACP session runs) with
oauthpy's prompt in place of OpenCode's and every tool off, and no MCP server of the
configs' turned on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from oauthpy._lean import PROMPT

AGENT: dict[str, Any] = {"prompt": PROMPT, "tools": {"*": False}}


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """``OPENCODE_CONFIG_CONTENT`` of a lean run: the caller's, with the lean agent over it."""
    from oauthpy._agents.opencode.settings import _merge, _parse

    content = env.get("OPENCODE_CONFIG_CONTENT") or ""
    config = _parse(content, "OPENCODE_CONFIG_CONTENT") if content.strip() else {}
    lean = {"agent": {"build": AGENT}}
    for name in config.get("mcp") or {}:
        lean.setdefault("mcp", {})[name] = {"enabled": False}
    return {"OPENCODE_CONFIG_CONTENT": json.dumps(_merge(config, lean))}
