"""An MCP server from the user's own agent config acts like any tool: with ``on_permission``,
each call of its tools reaches the callback, whatever the server is named (``oauthpy`` too:
the name of a run's own tools' server, under which docs once registered ``oauthpy mcp serve``).
Copilot, claude and OpenCode, which had ways around the callback, have their tests beside
their other ones (test_copilot.py, test_claude.py, test_opencode.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, PermissionRequest
from oauthpy.testing import call_tool, text
from tests.support import assert_no_leftovers, open_rig, provision, user_mcp_server

BOUND_S = 90

#: where each agent's user settings name its MCP servers (the fake's settings file)
SETTINGS = {"gemini": ("GEMINI_CLI_HOME", ".gemini/settings.json"), "qwen": ("QWEN_HOME", "settings.json")}


@pytest.mark.parametrize(
    "provider",
    [
        pytest.param(p, marks=[pytest.mark.xdist_group(p)] if provision(p).one_at_a_time else [])
        for p in SETTINGS
    ],
)
@pytest.mark.parametrize("server_name", ["user", "oauthpy"])
def test_a_tool_of_the_users_own_mcp_server_reaches_on_permission(
    provider: str, server_name: str, tmp_path: Path
) -> None:
    with open_rig(provider, tmp_path) as rig:
        var, name = SETTINGS[provider]
        settings = Path(rig.env[var], name)
        config = json.loads(settings.read_text())
        config["mcpServers"] = {server_name: user_mcp_server(rig.root, rig.work)}
        settings.write_text(json.dumps(config))
        asked: list[PermissionRequest] = []

        def refuse(request: PermissionRequest) -> bool:
            asked.append(request)
            return False

        rig.fake.script(call_tool("touch", {"name": "unasked.txt"}), text("done"))
        client = Client(provider, auth_source="external", env=rig.env)
        result = client.run("go", cwd=rig.work, on_permission=refuse, timeout=BOUND_S)
        assert not (rig.work / "unasked.txt").exists()
        assert [r.kind for r in asked] == ["tool"] and asked[0].tool_name.endswith("touch")
        assert [e.status for e in result.events if e.kind is EventKind.TOOL][-1] == "declined"
        assert_no_leftovers(rig.env)
