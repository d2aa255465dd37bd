"""The gemini and Qwen Code workspace settings that start a program, or connect out, when the
agent starts (red team T3); the e2e proof with the real CLIs is
tests/features/test_repo_settings_programs.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oauthpy import InvalidOptionsError
from oauthpy._agents.gemini import workspace as gemini
from oauthpy._agents.qwen import workspace as qwen

pytestmark = pytest.mark.fast

CASES: list[tuple[dict[str, Any], str]] = [
    ({"mcpServers": {"s": {"command": "x"}}}, "mcpServers.s.command"),
    ({"mcpServers": {"r": {"httpUrl": "https://x.example", "headers": {"a": "$KEY"}}}}, "mcpServers.r.httpUrl"),
    ({"mcpServers": {"r": {"url": "https://x.example/sse"}}}, "mcpServers.r.url"),
    ({"mcp": {"serverCommand": "x --serve"}}, "mcp.serverCommand"),
    ({"tools": {"discoveryCommand": "x"}}, "tools.discoveryCommand"),
    ({"tools": {"callCommand": "x"}}, "tools.callCommand"),
    ({"tools": {"sandbox": "docker"}}, "tools.sandbox"),
]  # fmt: skip


@pytest.mark.parametrize(("settings", "key"), CASES)
@pytest.mark.parametrize(("agent", "folder"), [(gemini, ".gemini"), (qwen, ".qwen")])
def test_a_workspace_setting_that_starts_a_program_is_refused_naming_file_and_key(
    tmp_path: Path, agent: Any, folder: str, settings: dict[str, Any], key: str
) -> None:
    path = tmp_path / folder / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps(settings))
    with pytest.raises(InvalidOptionsError) as caught:
        agent.refuse_preapprovals(str(tmp_path))
    assert str(path) in str(caught.value) and key in str(caught.value)


def test_qwen_sandbox_image_of_the_workspace_is_refused() -> None:
    assert qwen.programs({"tools": {"sandboxImage": "evil/image"}}) == ["tools.sandboxImage"]


@pytest.mark.parametrize("agent", [gemini, qwen])
def test_settings_that_start_nothing_are_kept(agent: Any) -> None:
    kept = {
        "mcpServers": {"s": {"description": "no way to start"}},
        "tools": {"sandbox": False},
        "mcp": {"allowed": ["s"]},
    }
    assert agent.programs(kept) == []
