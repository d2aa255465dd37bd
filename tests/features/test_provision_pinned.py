"""`Provision.pinned_program`: a path whenever the agent has a pinned program, never None (a
caller writes it into a variable as it is)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy.testing.provision import Provision

pytestmark = pytest.mark.fast

VAR = "OAUTHPY_TEST_SAMPLE_BINARY"


def test_an_agent_without_a_pinned_program_has_none(tmp_path: Path) -> None:
    assert Provision().pinned_program(tmp_path) is None


def test_the_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "/opt/sample")
    assert Provision(pinned_var=VAR, pinned_paths=("a/*/b",)).pinned_program(tmp_path) == "/opt/sample"


def test_the_first_path_that_exists_wins_else_the_last_is_where_it_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VAR, raising=False)
    provision = Provision(pinned_var=VAR, pinned_paths=("native/*/sample", "bin/sample"))
    assert provision.pinned_program(tmp_path) == str(tmp_path / "bin/sample")
    (tmp_path / "native" / "x64").mkdir(parents=True)
    (tmp_path / "native" / "x64" / "sample").write_text("")
    assert provision.pinned_program(tmp_path) == str(tmp_path / "native/x64/sample")


def test_a_variable_with_no_paths_unset_names_the_variable_not_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VAR, raising=False)
    found = Provision(pinned_var=VAR).pinned_program(tmp_path)
    assert found == f"${VAR}" and not Path(found).exists()
