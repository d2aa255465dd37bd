"""A lean qwen run's private settings file: made safely, or the run is refused (never a run that
quietly keeps the user's skills and MCP servers)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from oauthpy import InvalidOptionsError
from oauthpy._agents.qwen.lean import SETTINGS_VAR, environment

pytestmark = pytest.mark.fast


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), **extra}


def test_the_settings_keep_the_users_system_settings_under_the_lean_ones(tmp_path: Path):
    system = tmp_path / "system.json"
    system.write_text(json.dumps({"ui": {"theme": "dark"}, "mcp": {"allowed": ["mine"]}}))
    made = Path(environment(_env(tmp_path, **{SETTINGS_VAR: str(system)}))[SETTINGS_VAR])
    settings = json.loads(made.read_text())
    assert settings["ui"] == {"theme": "dark"} and settings["mcp"]["allowed"] == []
    assert "bundled" in settings["skills"]["disabledLevels"]
    assert stat.S_IMODE(made.parent.stat().st_mode) & 0o077 == 0


def test_a_cache_that_cannot_be_written_refuses_the_run(tmp_path: Path):
    (tmp_path / "cache").write_text("a file where the folder should be")
    with pytest.raises(InvalidOptionsError, match="cannot be written") as info:
        environment(_env(tmp_path))
    assert "lean=True" in (info.value.hint or "")


def test_a_folder_open_to_others_refuses_the_run(tmp_path: Path):
    folder = tmp_path / "cache" / "oauthpy" / "qwen"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    with pytest.raises(InvalidOptionsError, match="not a private folder"):
        environment(_env(tmp_path))


def test_unreadable_system_settings_refuse_the_run(tmp_path: Path):
    system = tmp_path / "system.json"
    system.write_text("{not json")
    with pytest.raises(InvalidOptionsError, match="cannot be read"):
        environment(_env(tmp_path, **{SETTINGS_VAR: str(system)}))
    system.write_text("[1, 2]")
    with pytest.raises(InvalidOptionsError, match="not a JSON object"):
        environment(_env(tmp_path, **{SETTINGS_VAR: str(system)}))
