"""The copy of the user's gemini system settings that oauthpy's gemini runs read."""

from __future__ import annotations

import json
import os
from pathlib import Path

from oauthpy.providers.gemini_settings import DEFAULTS_VAR, SETTINGS_VAR, run_settings_env


def test_the_user_s_system_settings_are_kept_with_session_cleanup_turned_off(tmp_path: Path):
    system = tmp_path / "etc" / "settings.json"
    system.parent.mkdir()
    system.write_text(json.dumps({"general": {"vimMode": True, "sessionRetention": {"enabled": True}}}))
    env = {"HOME": str(tmp_path / "home"), SETTINGS_VAR: str(system)}
    extra = run_settings_env(env)
    copy = json.loads(Path(extra[SETTINGS_VAR]).read_text())
    assert copy == {"general": {"vimMode": True, "sessionRetention": {"enabled": False}}}
    # gemini looks for system defaults beside system settings: still the user's
    assert extra[DEFAULTS_VAR] == str(system.parent / "system-defaults.json")
    folder = Path(extra[SETTINGS_VAR]).parent
    assert folder == tmp_path / "home" / ".cache" / "oauthpy" / "gemini"
    assert folder.stat().st_mode & 0o777 == 0o700
    # the same settings, the same file: a warm agent's process key does not change
    assert run_settings_env(env) == extra
    assert json.loads(system.read_text())["general"]["sessionRetention"]["enabled"] is True


def test_nothing_is_overridden_when_it_cannot_be_done_safely(tmp_path: Path):
    broken = tmp_path / "settings.json"
    broken.write_text("{not json")
    assert run_settings_env({"HOME": str(tmp_path), SETTINGS_VAR: str(broken)}) == {}
    shared = tmp_path / "shared"
    (shared / "oauthpy" / "gemini").mkdir(parents=True)
    os.chmod(shared / "oauthpy" / "gemini", 0o777)  # writable by others: it could be planted
    assert run_settings_env({"XDG_CACHE_HOME": str(shared), SETTINGS_VAR: str(tmp_path / "none")}) == {}
