"""A lean gemini run over ACP too (a lone run goes on ``stream-json``: the contract suite), and
inside ``with Client``, where a lean run and a default one may not share a warm process."""

from __future__ import annotations

from pathlib import Path

from oauthpy import Client
from oauthpy._lean import PROMPT as LEAN_PROMPT
from oauthpy.testing import FakeServer, text
from tests.contract.test_lean import declared_tools


def test_lean_and_default_runs_of_one_client_keep_their_own_settings_over_acp(
    gemini_env: dict[str, str], gemini_fake: FakeServer, tmp_path: Path
) -> None:
    gemini_fake.script(text("ok"), text("ok"), text("ok"))
    kw = {"cwd": tmp_path, "model": "gemini-2.5-flash", "timeout": 90}
    with Client("gemini", auth_source="external", env=gemini_env, transport="acp") as client:
        assert client.run("Reply with the word ok.", lean=True, **kw).text == "ok"
        assert client.run("Reply with the word ok.", **kw).text == "ok"
        assert client.run("Reply with the word ok.", lean=True, **kw).text == "ok"
    lean, default, lean_again = [r for r in gemini_fake.requests if r.method == "POST"]
    for request in (lean, lean_again):
        assert declared_tools(request.body) == []
        assert LEAN_PROMPT in request.body_text
    assert "run_shell_command" in declared_tools(default.body)
    assert LEAN_PROMPT not in default.body_text
    assert len(lean.body_text) <= 0.2 * len(default.body_text)
