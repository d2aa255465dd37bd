"""The not-logged-in hints say what works: whole sentences on the command line, qwen's key
variables (it has no login to run), ``copilot login``, offline mode; never a login that refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oauthpy import _registry as registry
from oauthpy._agents.copilot.profile import CopilotAcp
from oauthpy._agents.qwen.profile import QwenAcp
from oauthpy._auth.manager import AuthManager
from oauthpy._errors import InvalidOptionsError
from oauthpy.cli.words import cli_words

pytestmark = pytest.mark.fast

_OFFERED_LOGIN = re.compile(r"auth login --provider (\w+)|Client\('(\w+)'[^)]*\)\.login\(\)")


def manager(provider: str, tmp_path: Path) -> AuthManager:
    return AuthManager(provider, "oauthpy", tmp_path, {})


def logs_in(provider: str, tmp_path: Path) -> bool:
    """Whether ``oauthpy auth login --provider <provider>`` has a login to run (no refusal)."""
    try:
        manager(provider, tmp_path).backend.login_command("", api_key=None, device_code=False, options={})
    except InvalidOptionsError:
        return False
    return True


def isolated_hint(provider: str, agent_hint: str | None, tmp_path: Path) -> str:
    hint = cli_words(manager(provider, tmp_path).isolated_login_hint(agent_hint))
    assert hint is not None
    return hint


@pytest.mark.parametrize("provider", registry.names(generic=False))
def test_the_isolated_state_hint_offers_only_a_login_that_runs_in_whole_words(provider: str, tmp_path: Path):
    own = QwenAcp.login_hint if provider == "qwen" else None
    hint = isolated_hint(provider, own, tmp_path)
    assert "with;" not in hint and ";;" not in hint and "with or" not in hint
    for offered in _OFFERED_LOGIN.finditer(hint):
        assert logs_in(offered[1] or offered[2], tmp_path), hint
    assert "OAUTHPY_OFFLINE=1" in hint


def test_codex_s_isolated_hint_reads_as_a_sentence_on_the_command_line(tmp_path: Path):
    assert isolated_hint("codex", None, tmp_path) == (
        "log in there with `oauthpy auth login --provider codex`; or use --source external for "
        "your normal vendor login; to try oauthpy with no account, OAUTHPY_OFFLINE=1"
    )


def test_qwen_s_hint_names_its_key_variables_and_offline_mode_not_a_login(tmp_path: Path):
    assert not logs_in("qwen", tmp_path)  # `oauthpy auth login --provider qwen` refuses
    hint = isolated_hint("qwen", QwenAcp.login_hint, tmp_path)
    assert "OPENAI_API_KEY" in hint and "OPENAI_BASE_URL" in hint and "OPENAI_MODEL" in hint
    assert "auth login" not in hint and ".login()" not in hint
    assert hint.count("OAUTHPY_OFFLINE=1") == 1


def test_copilot_s_hints_name_copilot_login_a_token_and_offline_mode(tmp_path: Path):
    assert logs_in("copilot", tmp_path)
    assert "`copilot login`" in CopilotAcp.login_hint and "COPILOT_GITHUB_TOKEN" in CopilotAcp.login_hint
    assert "OAUTHPY_OFFLINE=1" in CopilotAcp.login_hint
    hint = isolated_hint("copilot", CopilotAcp.login_hint, tmp_path)
    assert hint.startswith("log in there with `oauthpy auth login --provider copilot`;")
