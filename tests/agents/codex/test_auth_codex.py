"""Codex auth sources end to end: the real codex, temp homes, a fake Responses API."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy._agents.codex.testing import codex_config
from oauthpy._errors import InvalidOptionsError
from oauthpy.testing import FakeResponsesServer, new_marker, text
from tests.auth_support import mode_of, snapshot

LOGIN_KEY = "sk-oauthpy-login-key-1111"
PARENT_OPENAI_KEY = "sk-parent-openai-key-2222"
PARENT_CODEX_KEY = "sk-parent-codex-key-3333"


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """An isolated home and an external CODEX_HOME, both outside TMPDIR.

    codex writes helper binaries into its home unless the home lies under TMPDIR, so moving
    TMPDIR elsewhere makes any write by a status probe visible.
    """
    paths = {name: tmp_path / name for name in ("oauthpy", "external", "tmpdir")}
    paths["external"].mkdir()
    paths["tmpdir"].mkdir()
    monkeypatch.setenv("TMPDIR", str(paths["tmpdir"]))
    monkeypatch.setenv("CODEX_HOME", str(paths["external"]))
    monkeypatch.setenv("OAUTHPY_HOME", str(paths["oauthpy"]))
    return paths


def test_status_on_an_empty_isolated_home_is_not_authenticated_and_creates_nothing(homes):
    status = Client("codex", auth_source="oauthpy").auth_status()
    assert status.installed and not status.authenticated
    assert status.mode == "unknown"
    assert status.reason == "not_authenticated"
    assert status.source_requested == status.source_used == "oauthpy"
    assert status.state_dir == str(homes["oauthpy"] / "codex")
    assert status.binary and Path(status.binary).name == "codex"
    reported = subprocess.run([status.binary, "--version"], capture_output=True, text=True, timeout=30)
    assert status.version and reported.stdout.split() == ["codex-cli", status.version]
    assert status.details == {"state_dir_exists": False}  # the rest are typed fields
    assert not homes["oauthpy"].exists()


def test_api_key_login_lands_in_the_isolated_home_and_runs_use_only_that_key(
    homes, monkeypatch: pytest.MonkeyPatch, openai_fake: FakeResponsesServer, workdir: Path, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", PARENT_OPENAI_KEY)
    monkeypatch.setenv("CODEX_API_KEY", PARENT_CODEX_KEY)
    client = Client("codex", auth_source="oauthpy")

    status = client.login(api_key=LOGIN_KEY)
    assert status.authenticated and status.mode == "api-key"
    isolated = homes["oauthpy"] / "codex"
    assert mode_of(homes["oauthpy"]) == 0o700 and mode_of(isolated) == 0o700
    assert 'cli_auth_credentials_store = "file"' in (isolated / "config.toml").read_text()
    assert (isolated / "auth.json").exists()  # codex stored it there, not in the external home
    assert not (homes["external"] / "auth.json").exists()

    with (isolated / "config.toml").open("a") as fh:
        fh.write(codex_config(openai_fake.url, use_login=True))
    before = snapshot(homes["oauthpy"], homes["external"])
    assert client.auth_status().authenticated
    assert snapshot(homes["oauthpy"], homes["external"]) == before

    openai_fake.script(text("isolated hello"))
    result = client.run("hi", cwd=workdir, env=new_marker())
    assert result.text == "isolated hello"
    assert result.auth_source == "oauthpy"
    auths = [r.headers.get("authorization") for r in openai_fake.model_requests()]
    assert auths == [f"Bearer {LOGIN_KEY}"]
    for request in openai_fake.requests:
        assert PARENT_OPENAI_KEY not in str(request.headers) and PARENT_CODEX_KEY not in str(request.headers)

    out = capsys.readouterr()
    shown = [repr(status), str(status.details), repr(result), out.out, out.err, caplog.text]
    assert not any(LOGIN_KEY in s for s in shown)

    assert not client.logout().authenticated


def test_auto_prefers_the_isolated_login_then_the_external_one_then_isolated(homes):
    watched = (homes["oauthpy"], homes["external"])
    before = snapshot(*watched)
    fresh = Client("codex").auth_status()
    assert snapshot(*watched) == before, "auth_status wrote something"
    assert fresh.source_used == "oauthpy" and not fresh.authenticated
    assert fresh.details["checked"] == {"oauthpy": "not_authenticated", "external": "not_authenticated"}

    Client("codex", auth_source="external").login(api_key="sk-external-key-4444")
    assert (homes["external"] / "auth.json").exists()
    before = snapshot(*watched)
    external = Client("codex").auth_status()
    assert snapshot(*watched) == before
    assert external.authenticated and external.source_used == "external"

    Client("codex", auth_source="oauthpy").login(api_key=LOGIN_KEY)
    isolated = Client("codex").auth_status()
    assert isolated.authenticated and isolated.source_used == "oauthpy"
    assert "checked" not in isolated.details  # the isolated login wins without a second probe


def test_auto_resolution_is_cached_for_a_batch_of_runs(homes, monkeypatch: pytest.MonkeyPatch):
    from oauthpy._auth.manager import AuthManager

    client = Client("codex")
    calls: list[str] = []
    real_probe = AuthManager._probe

    async def counting_probe(self, source, overrides, binary):
        calls.append(source)
        return await real_probe(self, source, overrides, binary)

    monkeypatch.setattr(AuthManager, "_probe", counting_probe)
    from oauthpy._loop import run_sync

    assert [run_sync(client._auth.resolve({})) for _ in range(3)] == ["oauthpy"] * 3
    assert calls == ["oauthpy", "external"]


def test_config_with_an_unsupported_credentials_store_fails_before_codex_starts(homes, workdir: Path):
    isolated = homes["oauthpy"] / "codex"
    isolated.mkdir(parents=True)
    (isolated / "config.toml").write_text('cli_auth_credentials_store = "ephemeral"\n')
    with pytest.raises(InvalidOptionsError) as err:
        Client("codex", auth_source="oauthpy").run("hi", cwd=workdir)
    assert "cli_auth_credentials_store" in str(err.value) and "'file'" in str(err.value)


def test_oauthpy_source_rejects_an_explicit_codex_home(tmp_path: Path):
    with pytest.raises(InvalidOptionsError, match="CODEX_HOME"):
        Client("codex", auth_source="oauthpy", env={"CODEX_HOME": str(tmp_path)})


def test_bad_api_keys_are_refused_without_echoing_them(homes):
    client = Client("codex", auth_source="oauthpy")
    for bad in ("", "sk-has space-5555", "sk-new\nline-6666"):
        with pytest.raises(InvalidOptionsError) as err:
            client.login(api_key=bad)
        assert bad.strip() == "" or bad not in str(err.value)
    assert not homes["oauthpy"].exists()
