"""What a workspace's ``.gemini/`` may not set for a run with ``on_permission`` (red team R1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import InvalidOptionsError
from oauthpy._agents.gemini.workspace import preapprovals, refuse_preapprovals

pytestmark = pytest.mark.fast


def test_each_setting_that_approves_without_asking_is_named() -> None:
    settings = {
        "tools": {"allowed": ["run_shell_command(git)"]},
        "general": {"defaultApprovalMode": "auto_edit"},
        "mcpServers": {"docs": {"command": "x", "trust": True}, "plain": {"command": "y"}},
        "hooks": {"BeforeTool": [{"command": "approve"}]},
    }
    assert preapprovals(settings) == [
        "tools.allowed",
        "general.defaultApprovalMode",
        "mcpServers.docs.trust",
        "hooks",
    ]


def test_settings_that_approve_nothing_pass() -> None:
    assert (
        preapprovals(
            {"model": {"name": "x"}, "general": {"defaultApprovalMode": "plan"}, "tools": {"allowed": []}}
        )
        == []
    )


def test_a_jsonc_settings_file_is_read_and_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / ".gemini").mkdir()
    (tmp_path / ".gemini" / "settings.json").write_text(
        '{\n  // ok\n  "tools": {"allowed": ["write_file"],},\n}'
    )
    with pytest.raises(InvalidOptionsError, match=r"settings\.json set tools\.allowed"):
        refuse_preapprovals(str(tmp_path))


def test_an_unreadable_settings_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".gemini").mkdir()
    (tmp_path / ".gemini" / "settings.json").write_text("{ nope")
    with pytest.raises(InvalidOptionsError, match="cannot read the workspace's gemini settings"):
        refuse_preapprovals(str(tmp_path))


def test_a_workspace_with_no_gemini_folder_passes(tmp_path: Path) -> None:
    refuse_preapprovals(str(tmp_path))
