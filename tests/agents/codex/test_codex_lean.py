"""A lean codex run on each transport: oauthpy's prompt for codex's base instructions, no
AGENTS.md, only ``apply_patch`` declared (no setting of codex 0.163 removes it)."""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy._lean import PROMPT as LEAN_PROMPT
from oauthpy.testing import FakeServer, text
from tests.contract.test_lean import declared_tools


def _lean_files() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "oauthpy-lean-*")))


@pytest.mark.parametrize("transport", ["app-server", "exec"])
def test_a_lean_run_sends_oauthpys_prompt_and_no_project_instructions(
    transport: str, codex_env: dict[str, str], codex_fake: FakeServer, tmp_path: Path
) -> None:
    (tmp_path / "AGENTS.md").write_text("PLANTED-PROJECT-INSTRUCTIONS")
    before = _lean_files()
    codex_fake.script(text("ok"))
    client = Client("codex", auth_source="external", env=codex_env, transport=transport)
    result = client.run("Reply with the word ok.", cwd=tmp_path, lean=True, timeout=60)
    assert result.text == "ok"
    (request,) = [r for r in codex_fake.requests if r.method == "POST"]
    assert declared_tools(request.body) == ["apply_patch"]
    assert LEAN_PROMPT in request.body_text
    assert "PLANTED-PROJECT-INSTRUCTIONS" not in request.body_text
    assert _lean_files() == before  # the exec run's instructions file went with its process


def test_a_lean_session_keeps_lean_for_every_turn(codex_env: dict[str, str], codex_fake: FakeServer) -> None:
    codex_fake.script(text("one"), text("two"))
    with Client("codex", auth_source="external", env=codex_env).session(lean=True, timeout=60) as session:
        assert session.run("first").text == "one"
        assert session.run("second").text == "two"
    requests = [r for r in codex_fake.requests if r.method == "POST"]
    assert len(requests) == 2
    for request in requests:
        assert declared_tools(request.body) == ["apply_patch"]


def test_a_lean_client_makes_its_map_lean_and_a_run_may_say_otherwise(
    codex_env: dict[str, str], codex_fake: FakeServer, tmp_path: Path
) -> None:
    codex_fake.script(*(text("ok") for _ in range(4)))
    client = Client("codex", auth_source="external", env=codex_env, lean=True)
    results = client.map(["a", "b", "c"], cwd=tmp_path, timeout=60)
    assert [r.text for r in results] == ["ok", "ok", "ok"]  # type: ignore[union-attr]
    assert client.run("d", cwd=tmp_path, lean=False, timeout=60).text == "ok"
    requests = [r for r in codex_fake.requests if r.method == "POST"]
    assert [declared_tools(r.body) == ["apply_patch"] for r in requests] == [True, True, True, False]


def test_client_lean_must_be_a_bool(codex_env: dict[str, str]) -> None:
    from oauthpy import InvalidOptionsError

    with pytest.raises(InvalidOptionsError, match="lean must be True or False"):
        Client("codex", auth_source="external", env=codex_env, lean="yes")  # type: ignore[arg-type]
