"""A repository's own agent settings cannot start programs in a run with ``on_permission``
(red team T3): a repository is data, not code.

Each case plants, in the run's folder (or the repository root above it), settings that the real
CLI reads at start and that would start a program (an MCP server, a tool discovery command) or
import JavaScript (OpenCode plugins and tools). The program would create a marker file. With a
deny-everything callback the run is refused before the agent starts, the error names the file
and the key, and the marker never appears. Without ``on_permission`` they are the user's choice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Decision, InvalidOptionsError
from oauthpy.testing import text
from tests.support import assert_no_leftovers, open_rig, provision

#: what the planted program does: make this file (relative to the test's tmp_path)
MARK = "started-by-the-repository"


def _touch(mark: Path) -> list[str]:
    return ["sh", "-c", f"touch '{mark}'"]


def _opencode_mcp(mark: Path) -> str:
    """An ``opencode.json`` whose local MCP server ``x`` makes ``mark``."""
    return json.dumps({"mcp": {"x": {"type": "local", "command": _touch(mark)}}})


def _js(mark: Path) -> str:
    return f'import fs from "node:fs";\nfs.writeFileSync({json.dumps(str(mark))}, "");\nexport const P = async () => ({{}});\n'


def _cases(mark: Path) -> dict[str, tuple[str, dict[str, str], str]]:
    """case id -> (agent, files relative to the run's folder, the key the error must name)"""
    server = {"x": {"command": "sh", "args": ["-c", f"touch '{mark}'"]}}
    return {
        "gemini-mcp-server": ("gemini", {".gemini/settings.json": json.dumps({"mcpServers": server})}, "mcpServers.x.command"),
        "gemini-discovery-command": ("gemini", {".gemini/settings.json": json.dumps({"tools": {"discoveryCommand": f"touch '{mark}'"}})}, "tools.discoveryCommand"),
        "qwen-mcp-server": ("qwen", {".qwen/settings.json": json.dumps({"mcpServers": server})}, "mcpServers.x.command"),
        "qwen-discovery-command": ("qwen", {".qwen/settings.json": json.dumps({"tools": {"discoveryCommand": f"touch '{mark}'"}})}, "tools.discoveryCommand"),
        "opencode-project-mcp": ("opencode", {"opencode.json": _opencode_mcp(mark)}, "mcp.x.command"),
        "opencode-dot-opencode-mcp": ("opencode", {".opencode/opencode.jsonc": "// the repository's\n" + _opencode_mcp(mark)}, "mcp.x.command"),
        "opencode-plugin-entry": ("opencode", {"opencode.json": json.dumps({"plugin": ["./lib/evil.js"]}), "lib/evil.js": _js(mark)}, "plugin"),
        "opencode-plugin-folder": ("opencode", {".opencode/plugin/p.js": _js(mark)}, ".opencode/plugin/p.js"),
        "opencode-tool-folder": ("opencode", {".opencode/tools/t.js": _js(mark)}, ".opencode/tools/t.js"),
    }  # fmt: skip


def _params() -> list[Any]:
    out = []
    for case, (provider, _files, _key) in _cases(Path(MARK)).items():
        marks = [pytest.mark.xdist_group(provider)] if provision(provider).one_at_a_time else []
        out.append(pytest.param(case, marks=marks, id=case))
    return out


def _plant(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


@pytest.mark.parametrize("case", _params())
def test_repository_settings_that_start_programs_are_refused_before_the_agent_starts(
    case: str, tmp_path: Path
) -> None:
    mark = tmp_path / MARK
    provider, files, key = _cases(mark)[case]
    with open_rig(provider, tmp_path) as rig:
        _plant(rig.work, files)
        rig.fake.script(text("I did nothing."))

        with pytest.raises(InvalidOptionsError) as caught:
            rig.run("hello", on_permission=lambda request: Decision.DENY)
        message = str(caught.value)
        assert str(rig.work / next(iter(files))) in message and key in message, message
        assert not rig.fake.model_requests()
        assert not mark.exists()
        assert_no_leftovers(rig.env)


@pytest.mark.xdist_group("opencode")
def test_opencode_config_at_the_repository_root_above_the_run_folder_is_refused(tmp_path: Path) -> None:
    """OpenCode reads the config of every folder up to the git worktree's root: so does the check."""
    mark = tmp_path / MARK
    with open_rig("opencode", tmp_path) as rig:
        (rig.work / ".git").mkdir()
        _plant(rig.work, {"opencode.json": _opencode_mcp(mark)})
        (rig.work / "sub").mkdir()
        rig.fake.script(text("I did nothing."))

        with pytest.raises(InvalidOptionsError, match=r"opencode\.json.*mcp\.x\.command"):
            rig.client().run(
                "hello", cwd=rig.work / "sub", model=rig.model, timeout=60, on_permission=lambda r: False
            )
        assert not mark.exists()
        assert_no_leftovers(rig.env)


@pytest.mark.xdist_group("opencode")
def test_without_on_permission_a_repository_mcp_server_is_the_users_choice(tmp_path: Path) -> None:
    """No callback, no refusal: the repository's server starts as OpenCode always starts it."""
    mark = tmp_path / MARK
    with open_rig("opencode", tmp_path) as rig:
        _plant(rig.work, {"opencode.json": _opencode_mcp(mark)})
        rig.fake.script(text("done"))

        assert rig.run("hello").text == "done"
        assert mark.exists()
        assert_no_leftovers(rig.env)
