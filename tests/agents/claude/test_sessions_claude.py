"""Claude's session catalogue (Client.sessions/transcript/fork/delete_session) on sessions the
real bundled claude CLI made against the fake, read through claude-agent-sdk's own session
functions in a bounded child process (oauthpy._agents.claude.sessions)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import Client, ProtocolError, SessionNotFoundError, TimeoutExceededError
from oauthpy.testing import live_processes_with_env, text
from oauthpy.testing.anthropic import bash
from oauthpy.testing.processes import MARKER_VAR
from tests.support import Rig, assert_no_leftovers, conversation, open_rig

#: well formed, and in no claude state
UNKNOWN_ID = "b270a8cc-0f9b-4e0d-940c-8caa805d6c57"


@pytest.fixture
def claude(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("claude", tmp_path) as rig:
        yield rig


def test_two_sessions_are_listed_newest_first_with_ids_titles_and_cwd(claude: Rig, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    claude.fake.script(text("one"), text("two"), text("three"))
    client = claude.client()
    first = client.run("alpha first prompt", cwd=claude.work).session_id
    second = client.run("beta second prompt\nwith a second line", cwd=claude.work).session_id
    other = client.run("gamma in another folder", cwd=elsewhere).session_id

    everything = client.sessions()
    assert [s.id for s in everything] == [other, second, first]
    here = client.sessions(cwd=claude.work)
    assert [(s.id, s.title, s.provider) for s in here] == [
        (second, "beta second prompt with a second line", "claude"),
        (first, "alpha first prompt", "claude"),
    ]
    assert {s.cwd for s in here} == {str(claude.work.resolve())}
    for info in here:
        assert info.created_at is not None and info.created_at.tzinfo is not None
        assert info.updated_at is not None and info.updated_at >= info.created_at
        assert abs(info.updated_at - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
    assert [s.id for s in client.sessions(cwd=claude.work, limit=1)] == [second]
    assert [s.id for s in client.sessions(cwd=str(elsewhere))] == [other]
    assert client.sessions(cwd=tmp_path) == []  # a parent folder is not where they started
    assert_no_leftovers(claude.env)


def test_transcript_has_both_turns_in_order_with_the_command(claude: Rig):
    claude.fake.script(
        bash("echo hello-from-bash", say="I will run it."),
        text("first answer alpha"),
        text("second answer beta"),
    )
    client = claude.client()
    with client.session(cwd=claude.work) as chat:
        sid = chat.run("first question one").session_id
        chat.run("second question two")

    events = client.transcript(sid)
    assert [(e.kind.value, e.text, e.status) for e in events] == [
        ("user", "first question one", "completed"),
        ("message", "I will run it.", "completed"),
        ("command", "echo hello-from-bash", "completed"),
        ("message", "first answer alpha", "completed"),
        ("user", "second question two", "completed"),
        ("message", "second answer beta", "completed"),
    ]
    command = events[2].as_command()
    assert command is not None and (command.command, command.output) == (
        "echo hello-from-bash",
        "hello-from-bash",
    )
    assert all(isinstance(e.raw, dict) and e.raw.get("session_id") == sid for e in events)
    assert_no_leftovers(claude.env)


def test_a_damaged_session_file_is_listed_and_its_transcript_is_a_typed_error(claude: Rig):
    # red team R7: a deeply nested line made transcript() a ProtocolError carrying a traceback
    claude.fake.script(text("one"), text("two"))
    client = claude.client()
    kept = client.run("keep me", cwd=claude.work, timeout=60).session_id
    damaged = client.run("damage me", cwd=claude.work, timeout=60).session_id
    [path] = Path(claude.env["CLAUDE_CONFIG_DIR"]).rglob(f"{damaged}.jsonl")
    with path.open("a") as fh:
        fh.write("[" * 100_000 + "]" * 100_000 + "\n")
    assert {kept, damaged} <= {s.id for s in client.sessions(cwd=claude.work)}
    with pytest.raises(ProtocolError) as caught:
        client.transcript(damaged)
    assert "damaged" in str(caught.value) and "Traceback" not in str(caught.value)
    assert conversation(client.transcript(kept))[0] == ("user", "keep me")
    assert_no_leftovers(claude.env)


def test_a_fork_diverges_without_touching_its_parent(claude: Rig):
    claude.fake.script(text("parent answer"), text("fork answer"))
    client = claude.client()
    parent = client.run("parent prompt", cwd=claude.work).session_id
    before = conversation(client.transcript(parent))

    fork = client.fork(parent)
    assert fork != parent
    assert conversation(client.transcript(fork)) == before
    assert {s.id for s in client.sessions(cwd=claude.work)} == {parent, fork}

    with client.session(cwd=claude.work, resume=fork) as chat:
        turn = chat.run("a turn on the fork")
    assert turn.session_id == fork and turn.text == "fork answer"
    # the model got the parent's conversation with the fork's turn
    last = claude.model_bodies()[-1]
    assert "parent prompt" in last and "parent answer" in last and "a turn on the fork" in last
    assert conversation(client.transcript(fork)) == [
        *before,
        ("user", "a turn on the fork"),
        ("message", "fork answer"),
    ]
    assert (
        conversation(client.transcript(parent))
        == before
        == [("user", "parent prompt"), ("message", "parent answer")]
    )
    assert_no_leftovers(claude.env)


def test_delete_removes_the_session_from_the_listing(claude: Rig):
    claude.fake.script(text("kept"), text("gone"))
    client = claude.client()
    kept = client.run("keep me", cwd=claude.work).session_id
    gone = client.run("delete me", cwd=claude.work).session_id
    assert {s.id for s in client.sessions()} == {kept, gone}

    client.delete_session(gone)
    assert [s.id for s in client.sessions()] == [kept]
    with pytest.raises(SessionNotFoundError):
        client.transcript(gone)
    with pytest.raises(SessionNotFoundError):
        client.delete_session(gone)
    assert conversation(client.transcript(kept)) == [("user", "keep me"), ("message", "kept")]
    assert_no_leftovers(claude.env)


def test_an_unknown_id_is_session_not_found_quickly(claude: Rig):
    client = claude.client()
    for call in (client.transcript, client.fork, client.delete_session):
        started = time.monotonic()
        with pytest.raises(SessionNotFoundError) as err:
            call(UNKNOWN_ID)
        assert time.monotonic() - started < 15  # one short child process, never the 60 s bound
        assert err.value.session_id == UNKNOWN_ID and "not found" in str(err.value)
    claude.fake.script(text("a real one"))
    client.run("now there is a session", cwd=claude.work)
    with pytest.raises(SessionNotFoundError):
        client.transcript(UNKNOWN_ID)
    assert len(claude.model_bodies()) == 1  # reading asks no model
    assert_no_leftovers(claude.env)


def test_each_state_lists_only_its_own_sessions(claude: Rig, tmp_path: Path):
    claude.fake.script(text("in the user's state"), text("in the rig's state"))
    # the user's own sessions: Claude Code's default state, ~/.claude of their HOME
    users = Client("claude", auth_source="external", env={**claude.env, "CLAUDE_CONFIG_DIR": None})
    theirs = users.run("the user's session", cwd=claude.work).session_id
    mine = claude.client().run("the rig's session", cwd=claude.work).session_id
    assert [s.id for s in users.sessions()] == [theirs]
    assert [s.id for s in claude.client().sessions()] == [mine]

    # an isolated client (its own CLAUDE_CONFIG_DIR under oauthpy's home) sees neither
    isolated_env = {k: v for k, v in claude.env.items() if k != "CLAUDE_CONFIG_DIR"}
    isolated = Client("claude", auth_source="oauthpy", env=isolated_env)
    assert isolated.sessions() == []
    with pytest.raises(SessionNotFoundError):
        isolated.transcript(theirs)
    other_dir = tmp_path / "another-config"
    other_dir.mkdir()
    another = Client(
        "claude", auth_source="external", env={**claude.env, "CLAUDE_CONFIG_DIR": str(other_dir)}
    )
    assert another.sessions() == []
    with pytest.raises(SessionNotFoundError):
        another.fork(mine)
    assert [s.id for s in claude.client().sessions()] == [mine]
    assert_no_leftovers(claude.env)


def test_capabilities_say_the_catalogue_can_do_everything(claude: Rig):
    caps = claude.client().capabilities()
    assert (caps.provider, caps.sessions, caps.transcript, caps.fork, caps.delete_session) == (
        "claude",
        True,
        True,
        True,
        True,
    )


def _stuck_session_file(rig: Rig) -> None:
    """A session file that blocks whoever opens it (a FIFO with no writer): the SDK's listing
    then never finishes, as on a hung network file system."""
    projects = Path(rig.env["CLAUDE_CONFIG_DIR"]) / "projects" / "stuck"
    projects.mkdir(parents=True)
    os.mkfifo(projects / f"{UNKNOWN_ID}.jsonl")


def test_a_stuck_listing_is_bounded_and_leaves_no_process(claude: Rig, monkeypatch: pytest.MonkeyPatch):
    _stuck_session_file(claude)
    monkeypatch.setattr("oauthpy._agents.claude.sessions.CATALOGUE_WAIT_S", 1.5)
    started = time.monotonic()
    with pytest.raises(TimeoutExceededError, match=r"did not answer within 1\.5 s"):
        claude.client().sessions()
    assert time.monotonic() - started < 15
    assert_no_leftovers(claude.env, within_s=2)


def test_a_cancelled_listing_leaves_no_process(claude: Rig):
    _stuck_session_file(claude)
    marker = claude.env[MARKER_VAR]

    async def cancel_while_reading() -> None:
        listing = asyncio.ensure_future(claude.client().asessions())
        deadline = time.monotonic() + 20
        while not live_processes_with_env(MARKER_VAR, marker):  # the SDK's child has started
            assert time.monotonic() < deadline and not listing.done()
            await asyncio.sleep(0.02)
        listing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(listing, 15)

    asyncio.run(cancel_while_reading())
    assert_no_leftovers(claude.env, within_s=2)
