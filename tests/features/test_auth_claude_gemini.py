"""Claude and Gemini auth sources end to end: the real CLIs, temp homes, fake APIs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy._agents.gemini.fake import FakeGeminiServer, write_settings
from oauthpy._errors import AuthRequiredError, InvalidOptionsError
from oauthpy.testing import new_marker, text
from oauthpy.testing.anthropic import FakeAnthropicServer
from tests.auth_support import mode_of, snapshot
from tests.support import assert_no_leftovers, pinned

PARENT_ANTHROPIC_KEY = "sk-ant-parent-key-7777"
PARENT_GEMINI_KEY = "AIzaParentGeminiKey88888888888888888888"
RUN_GEMINI_KEY = "AIzaExplicitGeminiKey9999999999999999999"


def _claude_env_without_auth(claude_env: dict[str, str]) -> dict[str, str]:
    """The fake's env minus the key and the config dir: the source decides those."""
    return {k: v for k, v in claude_env.items() if k not in ("ANTHROPIC_API_KEY", "CLAUDE_CONFIG_DIR")}


def test_claude_external_with_an_env_key_is_api_key_auth(claude_env, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", PARENT_ANTHROPIC_KEY)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", claude_env["CLAUDE_CONFIG_DIR"])
    status = Client("claude", auth_source="external").auth_status()
    assert status.installed and status.authenticated and status.mode == "api-key"
    assert status.details["credential_source"] == "env:ANTHROPIC_API_KEY"
    assert status.version and status.source_used == "external"
    assert PARENT_ANTHROPIC_KEY not in repr(status)


def test_claude_isolated_ignores_the_parents_key(
    claude_env, anthropic_fake: FakeAnthropicServer, monkeypatch: pytest.MonkeyPatch, workdir: Path, caplog
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("ANTHROPIC_API_KEY", PARENT_ANTHROPIC_KEY)
    home = Path(Client("claude").oauthpy_home)
    client = Client("claude", auth_source="oauthpy", env=_claude_env_without_auth(claude_env))

    status = client.auth_status()
    assert status.installed and not status.authenticated
    assert status.reason == "not_authenticated"
    assert not home.exists()

    anthropic_fake.script(text("must not be reached"))
    marker = new_marker()
    with pytest.raises(AuthRequiredError) as err:
        client.run("hi", cwd=workdir, env=marker)
    assert "isolated login state" in str(err.value) and "auth login --provider claude" in str(err.value)
    assert all(PARENT_ANTHROPIC_KEY not in str(r.headers) for r in anthropic_fake.requests)
    assert anthropic_fake.model_requests() == []
    assert_no_leftovers(marker)
    assert mode_of(home) == 0o700 and mode_of(home / "claude") == 0o700

    # The run stopped before the CLI started; once the CLI has state there (its config file,
    # which it completes on its first start), status asks `claude auth status`.
    (home / "claude" / ".claude.json").write_text("{}")
    client.auth_status()
    before = snapshot(home)
    again = client.auth_status()
    assert snapshot(home) == before
    assert not again.authenticated and again.reason == "not_authenticated"
    assert again.details.get("authMethod") == "none"
    assert PARENT_ANTHROPIC_KEY not in caplog.text + str(err.value)


def test_claude_has_no_api_key_login(tmp_path: Path):
    with pytest.raises(InvalidOptionsError, match="ANTHROPIC_API_KEY"):
        Client("claude", auth_source="oauthpy").login(api_key="sk-ant-something-0000")
    with pytest.raises(InvalidOptionsError, match="unknown login option"):
        Client("claude", auth_source="oauthpy").login(provider_options={"nope": 1})


@pytest.mark.xdist_group("gemini")
def test_gemini_isolated_home_is_where_settings_come_from_and_state_goes(
    gemini_fake: FakeGeminiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workdir: Path
):
    real_home = tmp_path / "real-home"
    real_home.mkdir()
    monkeypatch.setenv("HOME", str(real_home))
    monkeypatch.delenv("GEMINI_CLI_HOME", raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", PARENT_GEMINI_KEY)
    tmpdir = tmp_path / "gemini-tmp"
    tmpdir.mkdir()
    env = {
        "GEMINI_API_KEY": RUN_GEMINI_KEY,  # explicit: kept even though the parent's is removed
        "GOOGLE_GEMINI_BASE_URL": gemini_fake.url,
        "TMPDIR": str(tmpdir),
        "GEMINI_CLI_TRUST_WORKSPACE": "true",
        "NO_COLOR": "1",
        "OAUTHPY_GEMINI_BINARY": pinned("gemini"),
    }
    client = Client("gemini", auth_source="oauthpy", env=env)
    isolated = client.oauthpy_home / "gemini"

    # No settings yet: env-only auth with a base URL is not enough for gemini 0.61.
    unselected = client.auth_status()
    assert unselected.reason == "auth_type_not_selected" and "selectedType" in (unselected.hint or "")
    assert "hint" not in unselected.details  # a typed field, not a vendor extra
    write_settings(isolated)
    before = snapshot(client.oauthpy_home, real_home)
    status = client.auth_status()
    assert snapshot(client.oauthpy_home, real_home) == before
    assert status.authenticated and status.mode == "api-key"
    assert status.details["selected_auth_type"] == "gemini-api-key"
    assert status.version == "0.61.0"

    gemini_fake.script(text("isolated gemini"))
    marker = new_marker()
    result = client.run("hi", cwd=workdir, model="gemini-2.5-flash", env=marker)
    assert result.text == "isolated gemini" and result.auth_source == "oauthpy"
    keys = {r.headers.get("x-goog-api-key") for r in gemini_fake.model_requests()}
    assert keys == {RUN_GEMINI_KEY}
    assert list(real_home.iterdir()) == []
    assert (isolated / ".gemini" / "projects.json").exists()  # its state went to the isolated home
    assert_no_leftovers(marker)


def test_gemini_status_without_any_auth_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for var in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_GCA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GEMINI_CLI_HOME", str(tmp_path / "ext"))
    status = Client("gemini", env={"OAUTHPY_GEMINI_BINARY": pinned("gemini")}).auth_status()
    assert not status.authenticated
    assert status.details["checked"] == {"oauthpy": "not_authenticated", "external": "not_authenticated"}
    assert not (tmp_path / "ext").exists() and not Client("gemini").oauthpy_home.exists()


def test_gemini_login_state_is_reported_as_plausible_but_unverified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    ext = tmp_path / "ext"
    (ext / ".gemini").mkdir(parents=True)
    (ext / ".gemini" / "settings.json").write_text(
        '{"security": {"auth": {"selectedType": "oauth-personal"}}}'
    )
    (ext / ".gemini" / "oauth_creds.json").write_text("opaque: never opened by oauthpy")
    (ext / ".gemini" / "oauth_creds.json").chmod(0)  # reading it would fail loudly
    monkeypatch.setenv("GEMINI_CLI_HOME", str(ext))
    status = Client(
        "gemini", auth_source="external", env={"OAUTHPY_GEMINI_BINARY": pinned("gemini")}
    ).auth_status()
    assert status.authenticated and status.mode == "login-state"
    assert status.verified is False and "not verified" in status.details["note"]


def test_gemini_has_no_api_key_login_and_no_logout():
    client = Client("gemini", auth_source="oauthpy", env={"OAUTHPY_GEMINI_BINARY": pinned("gemini")})
    with pytest.raises(InvalidOptionsError, match="GEMINI_API_KEY"):
        client.login(api_key="AIzaSomething")
    with pytest.raises(InvalidOptionsError, match="no logout"):
        client.logout()
