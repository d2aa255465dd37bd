"""A run whose auth source has no login fails at once with the fix, before any model request.

Each provider and transport runs its real CLI with an empty isolated home
(``auth_source="oauthpy"``) and no API key, pointed at its fake so that a request would show.
Without the check, codex sent its model request with no credentials (and, with the real
endpoint offline, retried "waiting for network" for minutes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError, Client
from oauthpy._agents.codex.testing import codex_config
from oauthpy.testing import FakeServer, new_marker, text
from oauthpy.testing.responses import DEFAULT_MODEL, KEY_VAR
from tests.support import assert_no_leftovers, pinned, start_fake

CASES = [
    ("codex", "exec"),
    ("codex", "app-server"),
    ("claude", "sdk"),
    pytest.param("gemini", "stream-json", marks=pytest.mark.xdist_group("gemini")),
    pytest.param("gemini", "acp", marks=pytest.mark.xdist_group("gemini")),
]
#: every variable that could carry a credential into a vendor CLI
CREDENTIAL_VARS = (
    "OPENAI_API_KEY",
    "CODEX_API_KEY",
    "CODEX_ACCESS_TOKEN",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_GCA",
    "GOOGLE_APPLICATION_CREDENTIALS",
)
#: codex settings that keep it quiet and off the network (no login, no key among them)
CODEX_QUIET = {
    "analytics": {"enabled": False},
    "features": {"plugins": False, "unbounded_connection_retries": False},
}


@pytest.fixture(autouse=True)
def _no_inherited_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in CREDENTIAL_VARS:
        monkeypatch.delenv(var, raising=False)


def no_login_run(provider: str, fake: FakeServer, root: Path) -> tuple[dict[str, str], dict]:
    """The env and run options that point ``provider``'s CLI at ``fake`` with no credential."""
    home = root / "user-home"
    home.mkdir(exist_ok=True)
    if provider == "codex":
        # codex's own OpenAI provider, sent to the fake: it needs the login that is not there
        config = {"openai_base_url": f"{fake.url}/v1", **CODEX_QUIET}
        return {"HOME": str(home)}, {"model": DEFAULT_MODEL, "provider_options": {"config": config}}
    env = {k: v for k, v in fake.env(root / "vendor").items() if k not in CREDENTIAL_VARS}
    env = {**env, "HOME": str(home)}
    if provider == "claude":
        env.pop("CLAUDE_CONFIG_DIR")
        return env, {}
    env.pop("GEMINI_CLI_HOME")
    # A base URL alone is gemini's "gateway" auth, which needs no login (ACP runs with it): a
    # gemini with no login talks to Google, so the fake can only prove that nothing was sent.
    env.pop("GOOGLE_GEMINI_BASE_URL")
    env["OAUTHPY_GEMINI_BINARY"] = pinned("gemini")
    return env, {"model": "gemini-2.5-flash"}


@pytest.mark.parametrize(("provider", "transport"), CASES)
def test_a_run_with_no_login_raises_auth_required_with_the_fix_and_sends_nothing(
    provider: str, transport: str, tmp_path: Path, workdir: Path
):
    with start_fake(provider) as fake:
        fake.script(text("must not be reached"))
        env, kw = no_login_run(provider, fake, tmp_path)
        marker = new_marker()
        client = Client(provider, auth_source="oauthpy", transport=transport, env=env)
        with pytest.raises(AuthRequiredError) as err:
            client.run("hi", cwd=workdir, env=marker, timeout=60, **kw)
        assert f"oauthpy auth login --provider {provider}" in str(err.value)
        assert fake.model_requests() == []
        assert_no_leftovers(marker)


@pytest.mark.parametrize(("provider", "transport"), CASES[2:])
def test_claude_and_gemini_with_no_login_fail_before_their_cli_starts(
    provider: str, transport: str, tripwire: tuple[dict[str, str], Path], workdir: Path
):
    """Their CLIs find out by themselves, but only after a start-up of seconds."""
    env, fired = tripwire
    client = Client(provider, auth_source="oauthpy", transport=transport, env=env)
    with pytest.raises(AuthRequiredError) as err:
        client.run("hi", cwd=workdir, timeout=60)
    assert f"oauthpy auth login --provider {provider}" in str(err.value)
    assert not fired.exists(), "the vendor CLI was started"


@pytest.mark.xdist_group("gemini")
@pytest.mark.parametrize("transport", ["stream-json", "acp"])
def test_gemini_with_a_google_login_selected_but_none_cached_raises_and_sends_nothing(
    transport: str, gemini_fake: FakeServer, tmp_path: Path, workdir: Path
):
    env, kw = no_login_run("gemini", gemini_fake, tmp_path)
    env["GOOGLE_GEMINI_BASE_URL"] = gemini_fake.url  # the selected login type wins over it
    client = Client("gemini", auth_source="oauthpy", transport=transport, env=env)
    settings = client.oauthpy_home / "gemini" / ".gemini" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"security": {"auth": {"selectedType": "oauth-personal"}}}))
    gemini_fake.script(text("must not be reached"))
    marker = new_marker()
    with pytest.raises(AuthRequiredError, match="oauthpy auth login --provider gemini"):
        client.run("hi", cwd=workdir, env=marker, timeout=60, **kw)
    assert gemini_fake.requests == []
    assert_no_leftovers(marker)


@pytest.mark.parametrize("transport", ["exec", "app-server"])
def test_codex_with_a_custom_provider_in_the_isolated_home_needs_no_login(
    transport: str, tmp_path: Path, workdir: Path
):
    with start_fake("codex") as fake:
        fake.script(text("custom provider"))
        client = Client("codex", auth_source="oauthpy", transport=transport)
        isolated = client.oauthpy_home / "codex"
        isolated.mkdir(parents=True)
        (isolated / "config.toml").write_text(codex_config(fake.url))
        home = tmp_path / "user-home"
        home.mkdir()
        env = {"HOME": str(home), KEY_VAR: "sk-custom-provider-key-1234", **new_marker()}
        assert client.run("hi", cwd=workdir, env=env, timeout=60).text == "custom provider"
        assert len(fake.model_requests()) == 1


def test_codex_exec_with_codex_api_key_needs_no_login(tmp_path: Path, workdir: Path):
    with start_fake("codex") as fake:
        fake.script(text("key from env"))
        env, kw = no_login_run("codex", fake, tmp_path)
        client = Client("codex", auth_source="oauthpy", transport="exec", env=env)
        key = "sk-codex-api-key-5678"
        result = client.run("hi", cwd=workdir, env={"CODEX_API_KEY": key, **new_marker()}, timeout=60, **kw)
        assert result.text == "key from env"
        assert [r.headers.get("authorization") for r in fake.model_requests()] == [f"Bearer {key}"]


def test_codex_app_server_says_that_codex_api_key_is_for_exec_only(tmp_path: Path, workdir: Path):
    with start_fake("codex") as fake:
        env, kw = no_login_run("codex", fake, tmp_path)
        client = Client("codex", auth_source="oauthpy", transport="app-server", env=env)
        with pytest.raises(AuthRequiredError, match="CODEX_API_KEY is read by `codex exec` only"):
            client.run("hi", cwd=workdir, env={"CODEX_API_KEY": "sk-codex-api-key-5678"}, timeout=60, **kw)
        assert fake.model_requests() == []
