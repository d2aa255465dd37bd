"""Which codex model provider a run uses, read from the config layers codex reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy._agents.codex.preflight import needs_openai_login

pytestmark = pytest.mark.fast

CUSTOM = '[model_providers.local]\nname = "Local"\nbase_url = "http://127.0.0.1:1/v1"\n'


@pytest.fixture
def home(tmp_path: Path) -> Path:
    d = tmp_path / "codex-home"
    d.mkdir()
    return d


@pytest.fixture
def cwd(tmp_path: Path) -> str:
    d = tmp_path / "project" / "sub"
    d.mkdir(parents=True)
    return str(d)


def test_no_config_is_openai_which_needs_the_login(home, cwd):
    assert needs_openai_login(home, {}, cwd) is True


def test_a_custom_provider_needs_no_login_unless_it_says_so(home, cwd):
    (home / "config.toml").write_text('model_provider = "local"\n' + CUSTOM)
    assert needs_openai_login(home, {}, cwd) is False
    (home / "config.toml").write_text('model_provider = "local"\n' + CUSTOM + "requires_openai_auth = true\n")
    assert needs_openai_login(home, {}, cwd) is True


def test_a_built_in_local_provider_needs_no_login(home, cwd):
    assert needs_openai_login(home, {"config": {"model_provider": "ollama"}}, cwd) is False


def test_profile_then_config_overrides_choose_the_provider(home, cwd):
    (home / "config.toml").write_text('[profiles.fast]\nmodel_provider = "local"\n' + CUSTOM)
    assert needs_openai_login(home, {"profile": "fast"}, cwd) is False
    assert needs_openai_login(home, {}, cwd) is True
    (home / "config.toml").write_text(
        'profile = "fast"\n[profiles.fast]\nmodel_provider = "local"\n' + CUSTOM
    )
    assert needs_openai_login(home, {}, cwd) is False  # the config's own default profile
    assert needs_openai_login(home, {"profile": "fast", "config": {"model_provider": "openai"}}, cwd) is True


def test_dotted_config_keys_define_a_provider(home, cwd):
    config = {"model_provider": "x", "model_providers.x": {"name": "X", "base_url": "http://h/v1"}}
    assert needs_openai_login(home, {"config": config}, cwd) is False


def test_a_project_layer_is_read(home, cwd, tmp_path: Path):
    project = tmp_path / "project" / ".codex"
    project.mkdir()
    (project / "config.toml").write_text('model_provider = "local"\n' + CUSTOM)
    assert needs_openai_login(home, {}, cwd) is False


def test_a_config_that_does_not_parse_leaves_it_to_codex(home, cwd):
    (home / "config.toml").write_text("model_provider = \n")
    assert needs_openai_login(home, {}, cwd) is None
