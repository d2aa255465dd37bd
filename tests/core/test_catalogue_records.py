"""The session catalogue's shared parts: its records, and the checks made before any process."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from oauthpy import (
    Capabilities,
    Client,
    InvalidOptionsError,
    NotSupportedError,
    SessionInfo,
    SessionNotFoundError,
)
from oauthpy import _registry as registry
from oauthpy._sessions import NoCatalogue, capability_table, newest_first, title_from, when
from oauthpy.cli import main

pytestmark = pytest.mark.fast

UTC = dt.timezone.utc


def test_vendor_times_become_aware_datetimes_and_nothing_is_guessed():
    assert when("2026-11-24T01:02:03Z") == dt.datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC)
    assert when("2026-11-24T01:02:03.5+01:00") == dt.datetime(2026, 11, 24, 0, 2, 3, 500000, tzinfo=UTC)
    assert when("2026-11-24T01:02:03") == dt.datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC)  # naive: UTC
    assert when(1_790_000_000) == when(1_790_000_000_000) == dt.datetime.fromtimestamp(1_790_000_000, UTC)
    for unknown in (None, "", "yesterday", True, [], 1e300):
        assert when(unknown) is None


def test_a_title_from_a_prompt_is_one_short_line():
    assert title_from("  fix\nthe   tests ") == "fix the tests"
    long = title_from("word " * 40)
    assert len(long) == 80 and long.endswith("...")


def test_newest_first_puts_unknown_times_last_and_cuts():
    t = dt.datetime(2026, 1, 1, tzinfo=UTC)
    old = SessionInfo("a", "codex", created_at=t)
    new = SessionInfo("b", "codex", updated_at=t + dt.timedelta(hours=1), created_at=t - dt.timedelta(days=1))
    timeless = SessionInfo("c", "codex")
    assert [s.id for s in newest_first([timeless, old, new], None)] == ["b", "a", "c"]
    assert [s.id for s in newest_first([timeless, old, new], 1)] == ["b"]


def test_the_capability_table_has_a_row_per_provider():
    table = capability_table([Capabilities("codex", sessions=True, fork=True), Capabilities("x")])
    lines = table.splitlines()
    assert lines[0].startswith("| provider | sessions | transcript | fork | delete_session |")
    assert lines[2].startswith("| codex | yes | - | yes | - |") and lines[3].startswith(
        "| x | - | - | - | - |"
    )


def test_a_provider_without_a_catalogue_says_so_for_every_call():
    none = NoCatalogue("someagent", "it keeps no sessions")
    for call in (
        lambda: none.list_sessions({}, cwd=None, limit=None),
        lambda: none.transcript({}, "x"),
        lambda: none.fork({}, "x"),
        lambda: none.delete({}, "x"),
    ):
        with pytest.raises(NotSupportedError, match=r"someagent cannot .*: it keeps no sessions"):
            asyncio.run(call())


@pytest.mark.parametrize("provider", registry.names(generic=False))
def test_bad_input_is_refused_before_any_process_starts(provider: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # a vendor start would fail differently
    client = Client(provider)
    with pytest.raises(SessionNotFoundError, match=f"not a {provider} session id"):
        client.transcript("not an id!")
    with pytest.raises(SessionNotFoundError):
        client.fork("../etc/passwd")
    with pytest.raises(InvalidOptionsError, match="session_id must be a string"):
        client.delete_session(42)  # type: ignore[arg-type]
    for limit in (0, -1, 2.5, True):
        with pytest.raises(InvalidOptionsError, match="limit must be a positive int"):
            client.sessions(limit=limit)  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionsError, match="cwd must be a path"):
        client.sessions(cwd=3)  # type: ignore[arg-type]


def test_the_cli_refuses_an_action_without_its_id(capsys: pytest.CaptureFixture[str]):
    assert main(["sessions", "show", "-p", "codex"]) == 2
    assert "takes a session ID" in capsys.readouterr().err
    assert main(["sessions", "-p", "codex", "--limit", "0"]) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err
    assert main(["sessions", "show", "nope", "-p", "claude"]) == 2
    assert "not a claude session id" in capsys.readouterr().err
