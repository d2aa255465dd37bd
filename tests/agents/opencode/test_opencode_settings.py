"""The OpenCode config oauthpy passes with ``on_permission`` (red team R1), read from files as
OpenCode reads them; the e2e proof with the real CLI is tests/features/test_repo_settings.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oauthpy import InvalidOptionsError
from oauthpy._agents.opencode.settings import ASKED, asking

pytestmark = pytest.mark.fast


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"), **more}


def _work(tmp_path: Path) -> Path:
    work = tmp_path / "repo" / "sub"
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    work.mkdir(parents=True)
    return work


def asking_config(cwd: str, env: dict[str, str]) -> str:
    return asking(cwd, env)[0]  # the OPENCODE_CONFIG_CONTENT


def test_an_agent_with_permissions_in_a_parent_folder_of_the_repo_gets_ask(tmp_path: Path) -> None:
    work = _work(tmp_path)
    (tmp_path / "repo" / "opencode.json").write_text(
        json.dumps({"agent": {"build": {"permission": {"bash": "allow"}}}})
    )
    config = json.loads(asking_config(str(work), _env(tmp_path)))
    assert config["agent"] == {"build": {"permission": ASKED}}
    assert config["experimental"]["continue_loop_on_deny"] is True


def test_a_markdown_agent_and_a_mode_named_in_front_matter_get_ask(tmp_path: Path) -> None:
    work = _work(tmp_path)
    agents = work / ".opencode" / "agent" / "team"
    agents.mkdir(parents=True)
    (agents / "rev.md").write_text("---\npermission:\n  edit: allow\n---\nReview.\n")
    modes = tmp_path / "config" / "opencode" / "mode"
    modes.mkdir(parents=True)
    (modes / "fast.md").write_text("---\nname: quick\ntools:\n  bash: true\n---\nGo.\n")
    config = json.loads(asking_config(str(work), _env(tmp_path)))
    assert config["agent"] == {"team/rev": {"permission": ASKED}}
    assert config["mode"] == {"quick": {"permission": ASKED}}


def test_the_callers_jsonc_content_keeps_its_settings_and_its_agents_ask_last(tmp_path: Path) -> None:
    content = '{\n // the caller\'s model\n "model": "x/y", "agent": {"plan": {"model": "x/z", "permission": {"bash": "allow", "read": "deny",}}},\n}'
    config = json.loads(asking_config(str(_work(tmp_path)), _env(tmp_path, OPENCODE_CONFIG_CONTENT=content)))
    assert config["model"] == "x/y"
    assert config["agent"]["plan"]["model"] == "x/z"
    assert list(config["agent"]["plan"]["permission"].items()) == [("read", "deny"), *ASKED.items()]


def test_an_allow_that_would_still_come_after_ask_refuses_the_run_naming_the_file(tmp_path: Path) -> None:
    work = _work(tmp_path)
    dot = work / ".opencode"
    dot.mkdir()
    (dot / "opencode.json").write_text(
        json.dumps({"agent": {"build": {"permission": {"bash": "ask", "b*": "allow"}}}})
    )
    with pytest.raises(
        InvalidOptionsError, match=r"\.opencode/opencode\.json allow 'bash' for agent 'build'"
    ):
        asking_config(str(work), _env(tmp_path))


def test_a_top_level_wildcard_allow_after_bash_refuses_the_run(tmp_path: Path) -> None:
    work = _work(tmp_path)
    (work / "opencode.json").write_text(json.dumps({"permission": {"bash": "allow", "*": "allow"}}))
    with pytest.raises(InvalidOptionsError, match="allow 'bash' for every agent"):
        asking_config(str(work), _env(tmp_path))


def test_a_config_oauthpy_cannot_read_refuses_the_run(tmp_path: Path) -> None:
    work = _work(tmp_path)
    (work / "opencode.json").write_text("{ not json")
    with pytest.raises(InvalidOptionsError, match=r"cannot read OpenCode.s config .*opencode\.json"):
        asking_config(str(work), _env(tmp_path))


def test_project_config_switched_off_is_not_read(tmp_path: Path) -> None:
    work = _work(tmp_path)
    (work / "opencode.json").write_text("{ not json")
    asking_config(str(work), _env(tmp_path, OPENCODE_DISABLE_PROJECT_CONFIG="1"))


def test_the_tools_of_every_configured_mcp_server_are_asked_about(tmp_path: Path) -> None:
    # OpenCode runs an MCP tool (<server>_<tool>) unasked unless a rule says otherwise
    work = _work(tmp_path)
    (tmp_path / "config" / "opencode").mkdir(parents=True)  # the user's own global config
    (tmp_path / "config" / "opencode" / "opencode.json").write_text(
        json.dumps({"mcp": {"my.server": {"type": "local", "command": ["x"]}}})
    )
    content = json.dumps({"mcp": {"oauthpy": {"type": "local", "command": ["oauthpy", "mcp", "serve"]}}})
    env = _env(tmp_path, OPENCODE_CONFIG_CONTENT=content)
    config_text, asked = asking(str(work), env)
    assert asked == {**ASKED, "my_server_*": "ask", "oauthpy_*": "ask"}
    assert json.loads(config_text)["mcp"] == json.loads(content)["mcp"]


def test_an_allow_for_one_mcp_tool_after_ask_refuses_the_run(tmp_path: Path) -> None:
    # the agent's "srv_*" keeps the place it first had, so its "srv_touch" allow comes after it
    work = _work(tmp_path)
    dot = work / ".opencode"
    dot.mkdir()
    (tmp_path / "config" / "opencode").mkdir(parents=True)  # the user's own server
    (tmp_path / "config" / "opencode" / "opencode.json").write_text(
        json.dumps({"mcp": {"srv": {"type": "local", "command": ["x"]}}})
    )
    rules = {"agent": {"build": {"permission": {"srv_*": "ask", "srv_touch": "allow"}}}}
    (dot / "opencode.json").write_text(json.dumps(rules))
    with pytest.raises(InvalidOptionsError, match=r"allow 'srv_\*' for agent 'build' \(rule 'srv_touch'\)"):
        asking(str(work), _env(tmp_path))


def _programs_error(tmp_path: Path, rel: str, content: str, **env: str) -> str:
    work = _work(tmp_path)
    path = tmp_path / "repo" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    with pytest.raises(InvalidOptionsError) as caught:
        asking(str(work), _env(tmp_path, **env))
    assert str(path) in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize(
    ("rel", "config", "key"),
    [
        ("opencode.json", {"mcp": {"r": {"type": "remote", "url": "https://x.example", "headers": {"a": "{env:K}"}}}}, "mcp.r.url"),
        ("sub/.opencode/opencode.json", {"mcp": {"l": {"type": "local", "command": ["x"]}}}, "mcp.l.command"),
        ("opencode.jsonc", {"plugin": ["some-npm-plugin"]}, "plugin"),
        ("opencode.json", {"lsp": {"p": {"command": ["x"], "extensions": [".py"]}}}, "lsp.p.command"),
        ("opencode.json", {"formatter": {"f": {"command": ["x"], "extensions": [".py"]}}}, "formatter.f.command"),
    ],
)  # fmt: skip
def test_a_repository_config_that_starts_programs_is_refused_naming_file_and_key(
    tmp_path: Path, rel: str, config: dict[str, object], key: str
) -> None:
    assert key in _programs_error(tmp_path, rel, json.dumps(config))


@pytest.mark.parametrize("rel", [".opencode/plugins/.hidden.ts", "sub/.opencode/tool/t.js"])
def test_repository_plugin_and_tool_folders_are_refused(tmp_path: Path, rel: str) -> None:
    assert "JavaScript" in _programs_error(tmp_path, rel, "export {}")


def test_what_starts_nothing_or_is_the_users_own_is_not_refused(tmp_path: Path) -> None:
    work = _work(tmp_path)
    (tmp_path / "repo" / "opencode.json").write_text(
        json.dumps({"mcp": {"off": {"type": "local", "command": ["x"], "enabled": False}}, "plugin": []})
    )
    (tmp_path / "repo" / ".opencode" / "plugin").mkdir(parents=True)
    (tmp_path / "repo" / ".opencode" / "plugin" / "notes.md").write_text("not code")
    user = tmp_path / "home" / ".opencode" / "plugin"  # the user's own folder and global config
    user.mkdir(parents=True)
    (user / "mine.js").write_text("export {}")
    (tmp_path / "config" / "opencode").mkdir(parents=True)
    (tmp_path / "config" / "opencode" / "opencode.json").write_text(json.dumps({"plugin": ["mine"]}))
    asking(str(work), _env(tmp_path))


def test_project_config_switched_off_starts_nothing_of_the_repository(tmp_path: Path) -> None:
    work = _work(tmp_path)
    (tmp_path / "repo" / "opencode.json").write_text(json.dumps({"plugin": ["x"]}))
    (tmp_path / "repo" / ".opencode" / "tool").mkdir(parents=True)
    (tmp_path / "repo" / ".opencode" / "tool" / "t.js").write_text("export {}")
    asking(str(work), _env(tmp_path, OPENCODE_DISABLE_PROJECT_CONFIG="1"))
