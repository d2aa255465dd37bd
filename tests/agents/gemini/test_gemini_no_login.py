"""Gemini with a Google login selected in its settings but none cached: refused before anything is
sent (every agent's run with no login: tests/contract/test_auth_preflight.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError, Client
from oauthpy.testing import FakeServer, new_marker, text
from tests.support import assert_no_leftovers, binary_var, pinned, provision


@pytest.fixture(autouse=True)
def _no_inherited_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in provision("gemini").login_vars:
        monkeypatch.delenv(var, raising=False)


@pytest.mark.xdist_group("gemini")
@pytest.mark.parametrize("transport", ["stream-json", "acp"])
def test_gemini_with_a_google_login_selected_but_none_cached_raises_and_sends_nothing(
    transport: str, gemini_fake: FakeServer, tmp_path: Path, workdir: Path
):
    no_login = provision("gemini").no_login
    assert no_login is not None
    env, kw = no_login(gemini_fake, tmp_path)
    env[binary_var("gemini")] = pinned("gemini")
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
