"""The gemini session catalogue (`GeminiCatalogue`) with the real pinned Gemini CLI against its fake.

Listing and transcripts read gemini's own session records (no process); fork runs the CLI's
import (``--session-file``) and delete ``--delete-session``. The sessions are made once for the
module (each gemini start costs about 2-3 s): a two-turn headless session with a shell command
in the work folder, and a two-turn ACP session in another folder.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, ProtocolError, SessionNotFoundError
from oauthpy._agents.gemini.fake import shell_call
from oauthpy.testing import Reply, text
from tests.support import Rig, assert_no_leftovers, open_rig

# gemini's tests never overlap (two Node start-ups at once starve this 2-core machine)
pytestmark = pytest.mark.xdist_group("gemini")

UNKNOWN = "3f2c1d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f"
HEADLESS = [
    ("user", "first prompt alpha"),
    ("message", "reply one alpha"),
    ("user", "second prompt: run echo"),
    ("message", "Running it."),
    ("command", "echo hello-from-tool"),
    ("message", "reply two beta"),
]
ACP = [
    ("user", "acp prompt one"),
    ("message", "acp reply one"),
    ("user", "acp prompt two"),
    ("message", "acp reply two"),
]


@dataclass
class Made:
    rig: Rig
    #: two turns, headless (stream-json, then ``--resume``), in ``rig.work``
    headless: str
    #: two turns on one ``gemini --acp``, in ``other``
    acp: str
    other: Path

    def client(self) -> Client:
        return self.rig.client()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    root = tmp_path_factory.mktemp("gemini-sessions")
    with pytest.MonkeyPatch.context() as mp, open_rig("gemini", root) as rig:
        mp.setenv("OAUTHPY_HOME", str(root / "oauthpy-home"))
        rig.fake.script(
            text("reply one alpha"),
            Reply(text="Running it.", tool_calls=shell_call("echo hello-from-tool").tool_calls),
            text("reply two beta"),
            text("acp reply one"),
            text("acp reply two"),
        )
        headless = Client("gemini", auth_source="external", env=rig.env, transport="stream-json")
        first = headless.run("first prompt alpha", cwd=rig.work, model=rig.model, timeout=60)
        with headless.session(cwd=rig.work, model=rig.model, resume=first.session_id) as chat:
            chat.run("second prompt: run echo", provider_options={"yolo": True}, timeout=60)
        other = root / "other"
        other.mkdir()
        with Client("gemini", auth_source="external", env=rig.env, transport="acp").session(
            cwd=other, model=rig.model
        ) as chat:
            chat.run("acp prompt one", timeout=60)
            acp = chat.run("acp prompt two", timeout=60).session_id
        assert first.session_id and acp and first.session_id != acp
        yield Made(rig, first.session_id, acp, other)
        assert_no_leftovers(rig.env)


def _conversation(client: Client, session_id: str) -> list[tuple[str, str]]:
    return [(e.kind.value, e.text) for e in client.transcript(session_id)]


def test_both_sessions_are_listed_newest_first_with_titles_folders_times_and_turns(made: Made):
    listed = made.client().sessions()
    assert [s.id for s in listed] == [made.acp, made.headless]
    acp, headless = listed
    assert (acp.title, acp.cwd, acp.turns, acp.provider) == ("acp prompt one", str(made.other), 2, "gemini")
    assert (headless.title, headless.cwd, headless.turns) == ("first prompt alpha", str(made.rig.work), 2)
    for info in listed:
        assert info.created_at and info.updated_at and info.created_at.tzinfo is not None
        assert info.created_at <= info.updated_at
    # the headless session was resumed: its creation is its first turn's, before the ACP one
    assert headless.created_at < acp.created_at  # type: ignore[operator]
    assert [s.id for s in made.client().sessions(cwd=made.rig.work)] == [made.headless]
    assert [s.id for s in made.client().sessions(cwd=made.other)] == [made.acp]
    assert [s.id for s in made.client().sessions(limit=1)] == [made.acp]
    nowhere = made.rig.root / "nowhere"
    nowhere.mkdir(exist_ok=True)
    assert made.client().sessions(cwd=nowhere) == []
    assert_no_leftovers(made.rig.env)


def test_a_transcript_has_prompts_replies_and_the_command_in_order(made: Made):
    events = made.client().transcript(made.headless)
    assert [(e.kind.value, e.text) for e in events] == HEADLESS
    command = next(e for e in events if e.kind is EventKind.COMMAND)
    assert (command.command, command.status, command.output) == (
        "echo hello-from-tool",
        "completed",
        "hello-from-tool",
    )
    assert all(e.status == "completed" for e in events)
    stamps = [e.timestamp for e in events]
    assert stamps == sorted(stamps)
    assert _conversation(made.client(), made.acp) == ACP
    assert_no_leftovers(made.rig.env)


def test_an_unknown_id_is_session_not_found_at_once_for_every_call(made: Made):
    client = made.client()
    for call in (client.transcript, client.fork, client.delete_session):
        started = time.monotonic()
        with pytest.raises(SessionNotFoundError) as err:
            call(UNKNOWN)
        assert err.value.session_id == UNKNOWN
        assert time.monotonic() - started < 1.0, call  # found out from the records: no gemini start
    assert_no_leftovers(made.rig.env)


def test_another_state_sees_none_of_the_sessions(made: Made, tmp_path: Path):
    elsewhere = Client(
        "gemini", auth_source="external", env={**made.rig.env, "GEMINI_CLI_HOME": str(tmp_path)}
    )
    assert elsewhere.sessions() == []
    # auth_source="oauthpy" puts GEMINI_CLI_HOME in oauthpy's home (and refuses one in env=)
    env = {k: v for k, v in made.rig.env.items() if k != "GEMINI_CLI_HOME"}
    isolated = Client("gemini", auth_source="oauthpy", oauthpy_home=tmp_path / "home", env=env)
    assert isolated.sessions() == []
    with pytest.raises(SessionNotFoundError):
        isolated.transcript(made.headless)


def test_a_fork_resumes_and_diverges_from_its_parent_and_delete_removes_it(made: Made):
    client = made.client()
    forked = client.fork(made.headless)
    assert_no_leftovers(made.rig.env)
    assert forked != made.headless and _conversation(client, forked) == HEADLESS
    listed = {s.id: s for s in client.sessions(cwd=made.rig.work)}
    assert set(listed) == {made.headless, forked} and listed[forked].title == "first prompt alpha"
    made.rig.fake.script(text("reply on the fork"))
    with client.session(cwd=made.rig.work, model=made.rig.model, resume=forked) as chat:
        assert chat.run("prompt on the fork", timeout=60).text == "reply on the fork"
    assert _conversation(client, forked) == [
        *HEADLESS,
        ("user", "prompt on the fork"),
        ("message", "reply on the fork"),
    ]
    assert _conversation(client, made.headless) == HEADLESS
    client.delete_session(forked)
    assert_no_leftovers(made.rig.env)
    assert [s.id for s in client.sessions()] == [made.acp, made.headless]
    with pytest.raises(SessionNotFoundError):
        client.transcript(forked)


def test_a_damaged_session_file_leaves_the_listing_whole_and_its_transcript_is_a_typed_error(made: Made):
    # red team R7: one deeply nested line made sessions() (every session) raise RecursionError
    [original] = [
        p for p in Path(made.rig.env["GEMINI_CLI_HOME"]).rglob("*.jsonl") if made.acp in p.read_text()
    ]
    damaged_id = "0badf11e-0000-4000-8000-000000000000"
    copy = original.with_name(f"session-2026-11-25T00-00-{damaged_id[:8]}.jsonl")
    copy.write_text(original.read_text().replace(made.acp, damaged_id) + "[" * 100_000 + "]" * 100_000 + "\n")
    try:
        listed = {s.id for s in made.client().sessions()}
        assert {made.acp, made.headless} <= listed and damaged_id not in listed
        with pytest.raises(ProtocolError, match="is damaged") as caught:
            made.client().transcript(damaged_id)
        assert "Traceback" not in str(caught.value) and "RecursionError" not in str(caught.value)
        assert _conversation(made.client(), made.acp)[-1] == ("message", "acp reply two")
    finally:
        copy.unlink()
