"""Codex with no login of oauthpy's: a custom provider of its own config, or CODEX_API_KEY for
``codex exec``, is a login too (every agent's run with no login at all:
tests/contract/test_auth_preflight.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oauthpy import AuthRequiredError, Client
from oauthpy._agents.codex.testing import codex_config
from oauthpy.testing import FakeServer, new_marker, text
from oauthpy.testing.responses import KEY_VAR
from tests.support import provision, start_fake


@pytest.fixture(autouse=True)
def _no_inherited_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in provision("codex").login_vars:
        monkeypatch.delenv(var, raising=False)


def no_login_run(fake: FakeServer, root: Path) -> tuple[dict[str, str], dict[str, Any]]:
    no_login = provision("codex").no_login
    assert no_login is not None
    return no_login(fake, root)


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
        env, kw = no_login_run(fake, tmp_path)
        client = Client("codex", auth_source="oauthpy", transport="exec", env=env)
        key = "sk-codex-api-key-5678"
        result = client.run("hi", cwd=workdir, env={"CODEX_API_KEY": key, **new_marker()}, timeout=60, **kw)
        assert result.text == "key from env"
        assert [r.headers.get("authorization") for r in fake.model_requests()] == [f"Bearer {key}"]


def test_codex_app_server_says_that_codex_api_key_is_for_exec_only(tmp_path: Path, workdir: Path):
    with start_fake("codex") as fake:
        env, kw = no_login_run(fake, tmp_path)
        client = Client("codex", auth_source="oauthpy", transport="app-server", env=env)
        with pytest.raises(AuthRequiredError, match="CODEX_API_KEY is read by `codex exec` only"):
            client.run("hi", cwd=workdir, env={"CODEX_API_KEY": "sk-codex-api-key-5678"}, timeout=60, **kw)
        assert fake.model_requests() == []
