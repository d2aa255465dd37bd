"""The codex session catalogue (`Client.sessions`, `transcript`, `fork`, `delete_session`) with
the real pinned codex against the fake: what oauthpy's runs saved, read back through codex's
own app-server."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, SessionNotFoundError
from oauthpy._agents.codex import session_items as codex_items
from oauthpy.testing import shell, text
from oauthpy.testing.processes import live_processes_with_env
from tests.support import MARKER_VAR, Rig, assert_no_leftovers, binary_var, open_rig

UNKNOWN_ID = "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"


@pytest.fixture
def rig(tmp_path: Path):
    with open_rig("codex", tmp_path) as r:
        yield r
        assert_no_leftovers(r.env)


def two_sessions(rig: Rig) -> tuple[str, str]:
    """A two-turn session (a command in its first turn) in the work dir, then a one-shot run in
    work/sub: their ids."""
    sub = rig.work / "sub"
    sub.mkdir()
    rig.fake.script(
        shell("echo hello-from-shell", say="Running it."),
        text("first reply alpha"),
        text("second reply beta"),
        text("other dir reply"),
    )
    with rig.client().session(cwd=rig.work, timeout=60) as chat:
        chat.run("first prompt one")
        chat.run("second prompt two")
    other = rig.client().run("prompt in the sub dir", cwd=sub, timeout=60)
    assert chat.session_id and other.session_id
    return chat.session_id, other.session_id


def said(events: list) -> list[tuple[str, str]]:
    return [(e.kind.value, e.text) for e in events]


def test_sessions_are_listed_newest_first_with_titles_cwd_and_times_and_cut_by_cwd_and_limit(rig: Rig):
    first, second = two_sessions(rig)
    client = rig.client()
    listed = client.sessions()
    assert [s.id for s in listed] == [second, first]
    assert [s.title for s in listed] == ["prompt in the sub dir", "first prompt one"]
    assert [s.cwd for s in listed] == [str(rig.work / "sub"), str(rig.work)]
    assert all(s.provider == "codex" and s.turns is None for s in listed)
    now = dt.datetime.now(dt.timezone.utc)
    for s in listed:
        assert s.created_at and s.updated_at and s.created_at.tzinfo is not None
        assert now - dt.timedelta(minutes=5) < s.created_at <= s.updated_at <= now
    assert [s.id for s in client.sessions(cwd=rig.work / "sub")] == [second]
    assert [s.id for s in client.sessions(cwd=rig.work)] == [first]
    assert [s.id for s in client.sessions(limit=1)] == [second]
    assert client.sessions(cwd=rig.root) == []


def test_runs_of_the_exec_transport_and_of_another_model_provider_are_listed_too(rig: Rig):
    # codex's own defaults list neither: `codex exec` threads, nor those of any model provider
    # but the one configured now
    rig.fake.script(text("from exec"))
    exec_run = Client("codex", auth_source="external", env=rig.env, transport="exec").run(
        "an exec prompt", cwd=rig.work, timeout=60
    )
    config = Path(rig.env["CODEX_HOME"], "config.toml")
    config.write_text(
        config.read_text().replace('model_provider = "oauthpy-fake"', 'model_provider = "openai"', 1)
    )
    assert [(s.id, s.title) for s in rig.client().sessions()] == [(exec_run.session_id, "an exec prompt")]


def test_a_transcript_has_both_turns_prompts_replies_and_command_in_order(rig: Rig):
    first, _ = two_sessions(rig)
    events = rig.client().transcript(first)
    assert said(events) == [
        ("user", "first prompt one"),
        ("message", "Running it."),
        ("command", "echo hello-from-shell"),
        ("message", "first reply alpha"),
        ("user", "second prompt two"),
        ("message", "second reply beta"),
    ]
    assert all(e.status == "completed" for e in events)
    command = events[2]
    assert command.exit_code == 0 and command.output == "hello-from-shell\n"
    assert events[0].raw["type"] == "userMessage"  # the vendor's item is kept
    # times are the turns' own (codex's whole seconds), not the time of reading
    assert all(e.timestamp == int(e.timestamp) for e in events)
    assert events[0].timestamp <= events[-1].timestamp <= time.time()


def test_paged_answers_are_read_to_the_end(rig: Rig, monkeypatch: pytest.MonkeyPatch):
    first, second = two_sessions(rig)
    monkeypatch.setattr(codex_items, "PAGE", 1)
    client = rig.client()
    assert [s.id for s in client.sessions()] == [second, first]
    assert [e.text for e in client.transcript(first) if e.kind is EventKind.USER] == [
        "first prompt one",
        "second prompt two",
    ]


def test_a_fork_starts_with_its_parent_and_diverges_without_touching_it(rig: Rig):
    first, _ = two_sessions(rig)
    client = rig.client()
    parent = said(client.transcript(first))
    fork = client.fork(first)
    assert fork != first
    assert said(client.transcript(fork)) == parent
    rig.fake.script(text("fork reply gamma"))
    with client.session(cwd=rig.work, resume=fork, timeout=60) as chat:
        assert chat.run("a prompt on the fork").text == "fork reply gamma"
    # the model saw the parent's conversation on the fork
    assert "first prompt one" in rig.model_bodies()[-1]
    assert said(client.transcript(fork)) == [
        *parent,
        ("user", "a prompt on the fork"),
        ("message", "fork reply gamma"),
    ]
    assert said(client.transcript(first)) == parent
    assert fork in {s.id for s in client.sessions()}  # listed once it has a turn of its own


def test_delete_removes_a_session_and_a_forked_from_one_is_archived(rig: Rig):
    first, second = two_sessions(rig)
    client = rig.client()
    client.delete_session(second)
    assert [s.id for s in client.sessions()] == [first]
    with pytest.raises(SessionNotFoundError):
        client.transcript(second)
    # codex refuses to delete a thread a fork still reads: it is archived, the fork lives on
    fork = client.fork(first)
    client.delete_session(first)
    assert first not in {s.id for s in client.sessions()}
    assert said(client.transcript(fork))[0] == ("user", "first prompt one")


def test_an_unknown_id_is_session_not_found_quickly(rig: Rig):
    two_sessions(rig)
    client = rig.client()
    for call in (client.transcript, client.fork, client.delete_session):
        started = time.monotonic()
        with pytest.raises(SessionNotFoundError) as err:
            call(UNKNOWN_ID)
        assert time.monotonic() - started < 20
        assert err.value.session_id == UNKNOWN_ID and "codex:" in str(err.value)


def test_listing_reading_and_forking_need_no_model_api(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        first, _ = two_sessions(rig)
    # the fake is gone: nothing answers at the configured model URL
    client = rig.client()
    assert len(client.sessions()) == 2
    assert said(client.transcript(first))[0] == ("user", "first prompt one")
    assert client.fork(first) != first
    assert_no_leftovers(rig.env)


def test_another_state_sees_none_of_these_sessions(rig: Rig, tmp_path: Path):
    two_sessions(rig)
    assert len(rig.client().sessions()) == 2
    # an isolated client: the same environment, but codex's state is oauthpy's own
    mine = {k: v for k, v in rig.env.items() if k != "CODEX_HOME"}
    isolated = Client("codex", auth_source="oauthpy", env=mine)
    assert isolated.sessions() == []
    with open_rig("codex", tmp_path / "other") as other:
        assert other.client().sessions() == []
        with pytest.raises(SessionNotFoundError):
            other.client().transcript(rig.client().sessions()[0].id)
    assert_no_leftovers(rig.env)


def test_a_cancelled_call_leaves_no_process(rig: Rig):
    # an agent that never answers its handshake: the call is surely still waiting when cancelled
    silent = rig.root / "codex-silent"
    silent.write_text("#!/bin/sh\nexec sleep 300\n")
    silent.chmod(0o755)
    client = Client("codex", auth_source="external", env={**rig.env, binary_var("codex"): str(silent)})

    async def main() -> bool:
        listing = asyncio.ensure_future(client.asessions())
        give_up = time.monotonic() + 30
        while not live_processes_with_env(MARKER_VAR, rig.env[MARKER_VAR]):
            assert time.monotonic() < give_up and not listing.done()
            await asyncio.sleep(0.01)
        cancelled = listing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listing
        return cancelled

    assert asyncio.run(main())
    assert_no_leftovers(rig.env)


def test_a_call_cancelled_while_its_app_server_is_up_stops_it(rig: Rig):
    from oauthpy._agents.codex.provider import CodexProvider
    from oauthpy._agents.codex.sessions import _server
    from oauthpy._options import merged_env

    async def main() -> list[int]:
        up = asyncio.Event()
        seen: list[int] = []

        async def call() -> None:
            async with _server(CodexProvider(), merged_env(rig.env)) as server:
                await server.ask("thread/list", codex_items.list_params(None, None, None))
                seen.extend(live_processes_with_env(MARKER_VAR, rig.env[MARKER_VAR]))
                up.set()
                await asyncio.Event().wait()  # until cancelled

        task = asyncio.ensure_future(call())
        await asyncio.wait_for(up.wait(), 60)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return seen

    assert asyncio.run(main())  # the app-server was running when the call was cancelled
    assert_no_leftovers(rig.env)
