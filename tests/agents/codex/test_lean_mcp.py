"""A lean codex run starts none of the MCP servers the user's ``config.toml`` names, on each
transport. Codex 0.163 has no setting that turns them all off for one run (an empty ``mcp_servers``
table merges into the user's; ``--ignore-user-config`` drops the whole file), so oauthpy turns each
named server off (``mcp_servers.<name>.enabled=false``). A default run starts it and offers codex's
MCP resource tools, which reach it (its own tools codex defers behind ``tool_search``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy.testing import FakeServer, text
from oauthpy.testing.processes import MARKER_VAR
from tests.contract.test_lean import declared_tools
from tests.support import assert_no_leftovers

#: a stdio MCP server that notes it was started (first, so a slow import cannot hide it), then
#: serves one tool
SERVER = """
import sys
from pathlib import Path

Path(sys.argv[1]).write_text("started")
from mcp.server.mcpserver import MCPServer

server = MCPServer("planted")

@server.tool()
def planted_probe() -> str:
    "A tool of the user's own MCP server."
    return "probe"

server.run()
"""


#: the tools codex 0.163 declares for reading any configured MCP server's resources
RESOURCE_TOOLS = ["list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource"]


def _plant_mcp_server(env: dict[str, str], root: Path) -> Path:
    """Add a stdio MCP server to the user's ``config.toml``; return the file it writes when started."""
    script, started = root / "planted_mcp.py", root / "planted-mcp-started"
    script.write_text(SERVER)
    # codex passes a server only the env its config names: the marker lets the leak check see it
    config = Path(env["CODEX_HOME"]) / "config.toml"
    config.write_text(
        config.read_text()
        + f"\n[mcp_servers.planted]\ncommand = {json.dumps(sys.executable)}\n"
        + f"args = {json.dumps([str(script), str(started)])}\n"
        + f"env = {{ {MARKER_VAR} = {json.dumps(env[MARKER_VAR])} }}\n"
    )
    return started


@pytest.mark.parametrize("lean", [True, False], ids=["lean", "default"])
@pytest.mark.parametrize("transport", ["app-server", "exec"])
def test_a_lean_run_starts_none_of_the_users_mcp_servers(
    transport: str, lean: bool, codex_env: dict[str, str], codex_fake: FakeServer, tmp_path: Path
) -> None:
    started = _plant_mcp_server(codex_env, tmp_path)
    codex_fake.script(text("ok"))
    client = Client("codex", auth_source="external", env=codex_env, transport=transport)
    result = client.run("Reply with the word ok.", cwd=tmp_path, lean=lean, timeout=60)
    assert result.text == "ok"
    (request,) = [r for r in codex_fake.requests if r.method == "POST"]
    tools = declared_tools(request.body)
    assert "planted_probe" not in request.body_text
    if lean:
        assert tools == ["apply_patch"]
        assert not started.exists()
    else:  # what the lean run turns off: codex waits for its servers before the first request
        assert set(RESOURCE_TOOLS) <= set(tools)
        assert started.read_text() == "started"
    assert_no_leftovers(codex_env, within_s=5)  # the server carries the marker: it ended with the run


def test_the_servers_named_in_the_users_and_the_projects_config_are_read(tmp_path: Path) -> None:
    from oauthpy._agents.codex.lean import exec_args, mcp_servers, thread_config

    home, project = tmp_path / "home", tmp_path / "project"
    (project / ".codex").mkdir(parents=True)
    home.mkdir()
    (home / "config.toml").write_text('[mcp_servers.docs]\ncommand = "x"\n[mcp_servers."bad name"]\n')
    (project / ".codex" / "config.toml").write_text("[mcp_servers.repo-tools]\ncommand = 'y'\n")
    servers = mcp_servers(str(home), str(project))
    assert servers == ("docs", "repo-tools")  # a name codex would refuse is not passed on
    assert thread_config(servers)["mcp_servers"] == {
        "docs": {"enabled": False},
        "repo-tools": {"enabled": False},
    }
    assert "mcp_servers.repo-tools.enabled=false" in exec_args("/i.md", servers)
    (home / "config.toml").write_text("not toml [")
    assert mcp_servers(str(home), str(tmp_path / "none")) == ()
