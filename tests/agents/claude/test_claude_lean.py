"""A lean claude run inside ``with Client``: lean and default runs never share a warm CLI (its
tools and system prompt are fixed when it starts), and CLAUDE.md stays out of a lean one."""

from __future__ import annotations

from pathlib import Path

from oauthpy import Client
from oauthpy._lean import PROMPT as LEAN_PROMPT
from oauthpy.testing import FakeServer, text
from tests.contract.test_lean import declared_tools


def test_lean_and_default_runs_of_one_client_keep_their_own_settings(
    claude_env: dict[str, str], claude_fake: FakeServer, tmp_path: Path
) -> None:
    (tmp_path / "CLAUDE.md").write_text("PLANTED-PROJECT-INSTRUCTIONS")
    claude_fake.script(text("ok"), text("ok"), text("ok"))
    kw = {"cwd": tmp_path, "timeout": 90}
    with Client("claude", auth_source="external", env=claude_env) as client:
        assert client.run("Reply with the word ok.", lean=True, **kw).text == "ok"
        assert client.run("Reply with the word ok.", **kw).text == "ok"
        assert client.run("Reply with the word ok.", lean=True, **kw).text == "ok"
    lean, default, lean_again = [r for r in claude_fake.requests if r.method == "POST"]
    for request in (lean, lean_again):
        assert declared_tools(request.body) == []
        assert LEAN_PROMPT in request.body_text
        assert "PLANTED-PROJECT-INSTRUCTIONS" not in request.body_text
    assert "Bash" in declared_tools(default.body)
    assert LEAN_PROMPT not in default.body_text
