"""The copy of the user's gemini system settings that oauthpy's gemini runs read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from oauthpy._agents.gemini import settings as gemini_settings
from oauthpy._agents.gemini.settings import DEFAULTS_VAR, SETTINGS_VAR, run_settings_env, secure

pytestmark = pytest.mark.fast


@pytest.fixture
def trusted_tmp(monkeypatch: pytest.MonkeyPatch) -> None:
    """tmp_path is below /tmp, which gemini never trusts: pretend it would, for these tests."""
    monkeypatch.setattr(gemini_settings, "secure", lambda path: True)


def test_gemini_would_ignore_a_settings_file_below_a_directory_others_can_write(tmp_path: Path):
    assert oct(Path("/tmp").stat().st_mode & 0o777) == "0o777"
    assert not secure(tmp_path / "oauthpy" / "gemini")  # /tmp is above it
    assert secure(Path("/usr/lib/not-there"))  # root-owned, 0755 all the way up


def test_a_copy_goes_beside_the_run_s_gemini_state_when_that_is_secure(tmp_path: Path, trusted_tmp):
    env = {"GEMINI_CLI_HOME": str(tmp_path / "state"), "HOME": str(tmp_path / "home")}
    extra = run_settings_env({**env, SETTINGS_VAR: str(tmp_path / "no-system-settings.json")})
    assert Path(extra[SETTINGS_VAR]).parent == tmp_path / "state" / ".gemini" / "oauthpy"
    assert not (tmp_path / "home").exists()


def test_under_tmp_nothing_is_written_and_nothing_overridden(tmp_path: Path):
    env = {"GEMINI_CLI_HOME": str(tmp_path / "state"), "HOME": str(tmp_path / "home")}
    assert run_settings_env({**env, SETTINGS_VAR: str(tmp_path / "none.json")}) == {}
    assert list(tmp_path.iterdir()) == []


def test_the_user_s_system_settings_are_kept_with_session_cleanup_turned_off(tmp_path: Path, trusted_tmp):
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


def test_nothing_is_overridden_when_it_cannot_be_done_safely(tmp_path: Path, trusted_tmp):
    broken = tmp_path / "settings.json"
    broken.write_text("{not json")
    assert run_settings_env({"HOME": str(tmp_path), SETTINGS_VAR: str(broken)}) == {}
    shared = tmp_path / "shared"
    (shared / "oauthpy" / "gemini").mkdir(parents=True)
    os.chmod(shared / "oauthpy" / "gemini", 0o777)  # writable by others: it could be planted
    # (the real check refuses it above as well; this is the ownership-and-mode check after it)
    assert run_settings_env({"XDG_CACHE_HOME": str(shared), SETTINGS_VAR: str(tmp_path / "none")}) == {}
