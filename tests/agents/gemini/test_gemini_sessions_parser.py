"""Gemini session records (real @google/gemini-cli 0.61.0 chat files, tests/recordings/gemini-sessions/)
read into `SessionInfo` and transcripts by `oauthpy._agents.gemini.session_records`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from oauthpy import EventKind, NotSupportedError, SessionInfo
from oauthpy._agents.gemini.session_records import (
    ChatRecord,
    delete_answer,
    imported_from,
    parse_record,
    pick,
    project_hash,
    session_info,
    transcript,
)
from oauthpy._agents.gemini.sessions import GeminiCatalogue
from oauthpy._sessions import when
from tests.paths import RECORDINGS

pytestmark = pytest.mark.fast

RECORDED = RECORDINGS / "gemini-sessions"
HOME = RECORDED / "home"
IDS = json.loads((RECORDED / "ids.json").read_text())
WORK, OTHER = f"{IDS['root']}/work", f"{IDS['root']}/other"
HEADLESS = [
    ("user", "Say something first"),
    ("message", "The first answer."),
    ("user", "Now run echo and write notes.txt"),
    ("message", "Running it."),
    ("command", "echo hello-from-tool"),
    ("file_change", f"add {WORK}/notes.txt"),
    ("message", "Done: echoed and wrote notes.txt."),
]


def chat_files(project: str) -> dict[str, Path]:
    return {p.name: p for p in (HOME / ".gemini" / "tmp" / project / "chats").iterdir()}


def record_of(session_id: str, folder: Path | None = None) -> tuple[Path, ChatRecord]:
    paths = (folder or HOME).rglob(f"session-*-{session_id[:8]}.json*")
    found = pick((str(p), parse_record(p.read_text())) for p in paths)  # type: ignore[misc]
    path, record = found[session_id]
    return Path(path), record


def shape(events: list) -> list[tuple[str, str]]:
    return [(e.kind.value, e.text) for e in events]


def test_a_resumed_headless_session_reads_as_prompts_replies_command_and_file_change_in_order():
    _, record = record_of(IDS["stream_json_two_turns"])
    events = transcript(record)
    assert shape(events) == HEADLESS
    command = next(e for e in events if e.kind is EventKind.COMMAND)
    assert (command.command, command.status, command.output, command.tool_name) == (
        "echo hello-from-tool",
        "completed",
        "hello-from-tool",
        "run_shell_command",
    )
    assert command.raw["args"] == {"command": "echo hello-from-tool"}  # the vendor's record
    write = next(e for e in events if e.kind is EventKind.FILE_CHANGE)
    assert [(c.path, c.kind) for c in write.changes] == [(f"{WORK}/notes.txt", "add")]
    assert all(e.status == "completed" for e in events)
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    # each event's time is its record's (a resumed run rewrites the earlier ones with its own)
    for event in (events[0], command):
        assert event.timestamp == when(event.raw["timestamp"]).timestamp()  # type: ignore[union-attr]


def test_an_acp_session_reads_like_a_headless_one_and_its_startup_session_is_not_a_session():
    _, record = record_of(IDS["acp_two_turns"])
    assert shape(transcript(record)) == [
        ("user", "ACP prompt one"),
        ("message", "ACP answer one."),
        ("user", "ACP prompt two"),
        ("message", "ACP answer two."),
    ]
    startup = parse_record(chat_files("work")["session-2026-11-24T01-50-c7b410a8.jsonl"].read_text())
    assert startup is not None and not startup.resumable and transcript(startup) == []


def test_listed_info_has_the_first_prompt_as_title_the_first_start_and_the_last_update():
    _, record = record_of(IDS["stream_json_two_turns"])
    info = session_info(record, WORK)
    assert info == SessionInfo(
        id=IDS["stream_json_two_turns"],
        provider="gemini",
        title="Say something first",
        cwd=WORK,
        # the resumed run wrote a second header (startTime 01:50:14): creation is the first one
        created_at=dt.datetime(2026, 11, 24, 1, 50, 4, 590000, tzinfo=dt.timezone.utc),
        updated_at=dt.datetime(2026, 11, 24, 1, 50, 14, 754000, tzinfo=dt.timezone.utc),
        turns=2,
    )


def test_a_summary_gemini_stored_is_the_title():
    _, record = record_of("dcd0d863-8c05-42b8-a673-6952bf25e998", RECORDED / "split")
    assert record.summary and session_info(record, None).title == record.summary
    assert session_info(record, None).turns == 2


def test_of_a_session_split_over_two_files_the_one_with_the_conversation_is_read():
    path, record = record_of("113d9659-1322-4449-9450-db25ce11bf48", RECORDED / "split")
    assert path.name == "session-2026-11-24T01-44-113d9659.jsonl"
    assert [t for k, t in shape(transcript(record)) if k == "user"] == [
        "first prompt here",
        "second prompt: run echo",
    ]
    stray = parse_record((RECORDED / "split" / "session-2026-11-24T01-46-113d9659.jsonl").read_text())
    assert stray is not None and stray.session_id == record.session_id and not stray.resumable


def test_the_clis_import_is_recognized_and_holds_the_parents_conversation():
    parent_path, parent = record_of(IDS["stream_json_two_turns"])
    fork = parse_record(chat_files("work")["session-1795485042525-9130f4ce.jsonl"].read_text())
    assert fork is not None and fork.session_id != parent.session_id
    source = imported_from(fork)
    assert source is not None and Path(source).name == parent_path.name
    assert imported_from(parent) is None
    assert shape(transcript(fork)) == shape(transcript(parent))  # its import note is not said


def test_a_rewind_drops_the_message_and_everything_after_it():
    path, record = record_of(IDS["stream_json_two_turns"])
    second = next(
        m for m in record.messages if m.get("content") == [{"text": "Now run echo and write notes.txt"}]
    )
    rewound = parse_record(path.read_text() + json.dumps({"$rewindTo": second["id"]}) + "\n")
    assert rewound is not None and shape(transcript(rewound)) == HEADLESS[:2]


def test_the_older_whole_json_format_reads_the_same():
    _, record = record_of(IDS["acp_two_turns"])
    legacy = {
        "sessionId": record.session_id,
        "projectHash": record.project_hash,
        "startTime": record.created,
        "lastUpdated": record.last_updated,
        "messages": record.messages,
    }
    again = parse_record(json.dumps(legacy, indent=2))
    assert again is not None and shape(transcript(again)) == shape(transcript(record))
    assert session_info(again, None) == session_info(record, None)


def test_not_a_session_record_is_none():
    assert parse_record("") is None
    assert parse_record("not json\n[1, 2]\n") is None
    assert parse_record('{"messages": []}') is None


def test_the_project_hash_is_the_sha256_of_the_folder():
    for project in ("work", "other"):
        root = (HOME / ".gemini" / "tmp" / project / ".project_root").read_text().strip()
        for path in chat_files(project).values():
            record = parse_record(path.read_text())
            assert record is not None and record.project_hash == project_hash(root)


def test_the_delete_answers_of_the_cli():
    assert delete_answer((RECORDED / "delete-deleted.stdout").read_text(), "") == (
        True,
        "Deleted session 3: acp first (Just now)",
    )
    deleted, words = delete_answer("", (RECORDED / "delete-unknown.stderr").read_text())
    assert not deleted and words.startswith('Invalid session identifier "00000000-')
    assert delete_answer("", "") == (False, "gemini did not say it deleted the session")


def list_recorded(home: Path, **kw: object) -> list[SessionInfo]:
    catalogue = GeminiCatalogue(None)  # type: ignore[arg-type]  # listing starts no process
    return asyncio.run(catalogue.list_sessions({"GEMINI_CLI_HOME": str(home)}, **kw))  # type: ignore[arg-type]


def test_the_catalogue_lists_every_folders_sessions_newest_first_and_filters_by_folder():
    fork = "9130f4ce-129e-4f77-896c-35969ddd2f0e"
    everything = list_recorded(HOME, cwd=None, limit=None)
    assert [s.id for s in everything] == [
        fork,
        IDS["acp_two_turns"],
        IDS["other_folder"],
        IDS["stream_json_two_turns"],
    ]
    assert {s.id: s.cwd for s in everything}[IDS["other_folder"]] == OTHER
    assert [s.id for s in list_recorded(HOME, cwd=OTHER, limit=None)] == [IDS["other_folder"]]
    assert [s.id for s in list_recorded(HOME, cwd=WORK, limit=2)] == [fork, IDS["acp_two_turns"]]
    assert list_recorded(HOME / "nothing-here", cwd=None, limit=None) == []


def test_without_project_root_files_the_folder_comes_from_projects_json(tmp_path: Path):
    shutil.copytree(HOME, tmp_path / "home")
    for marker in (tmp_path / "home").rglob(".project_root"):
        marker.unlink()
    listed = list_recorded(tmp_path / "home", cwd=OTHER, limit=None)
    assert [(s.id, s.cwd) for s in listed] == [(IDS["other_folder"], OTHER)]
    (tmp_path / "home" / ".gemini" / "projects.json").unlink()
    # nothing says which folder: the records' projectHash still does
    assert [(s.id, s.cwd) for s in list_recorded(tmp_path / "home", cwd=OTHER, limit=None)] == [
        (IDS["other_folder"], None)
    ]


def test_fork_and_delete_refuse_when_the_sessions_folder_is_gone(tmp_path: Path):
    """Gemini forks and deletes only from a session's own folder: with it gone, oauthpy says so
    before starting anything (the binary here does not exist)."""
    shutil.copytree(HOME, tmp_path / "home")
    (tmp_path / "home" / ".gemini" / "tmp" / "other" / ".project_root").write_text(str(tmp_path / "gone"))
    env = {"GEMINI_CLI_HOME": str(tmp_path / "home"), "OAUTHPY_GEMINI_BINARY": str(tmp_path / "no-gemini")}
    catalogue = GeminiCatalogue(None)  # type: ignore[arg-type]
    for call in (catalogue.fork, catalogue.delete):
        with pytest.raises(NotSupportedError, match="gone, which no longer exists"):
            asyncio.run(call(env, IDS["other_folder"]))
    for marker in (tmp_path / "home").rglob(".project_root"):
        marker.unlink()
    (tmp_path / "home" / ".gemini" / "projects.json").unlink()
    with pytest.raises(NotSupportedError, match="do not say which folder"):
        asyncio.run(catalogue.fork(env, IDS["other_folder"]))
    assert len(asyncio.run(catalogue.transcript(env, IDS["other_folder"]))) == 2  # reading still works
