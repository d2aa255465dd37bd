"""The codex catalogue's translation on answers recorded from the real codex 0.163 app-server
against the fake (tests/recordings/codex-sessions/README.md), and its requests checked against
the JSON schema the pinned binary prints for its own protocol."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from oauthpy import EventKind
from oauthpy._agents.codex.provider import find_binary
from oauthpy._agents.codex.session_items import (
    PAGE,
    SOURCES,
    archive_instead,
    list_params,
    page_of,
    session_info,
    transcript,
    turns_params,
    unknown_thread,
)
from oauthpy._options import merged_env
from oauthpy._sessions import TITLE_CHARS
from tests import paths

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "codex-sessions"


def recorded(name: str) -> Any:
    return json.loads((RECORDINGS / f"{name}.json").read_text())


def recorded_turns() -> list[dict[str, Any]]:
    page, cursor = page_of(recorded("turns")["result"])
    assert cursor is None
    return page


def test_a_thread_list_page_becomes_session_infos_with_codex_times_and_the_first_prompt_as_title():
    page, cursor = page_of(recorded("list")["result"])
    assert cursor is None
    infos = [session_info(t) for t in page]
    assert [(i.title, i.cwd) for i in infos if i] == [
        ("prompt in the sub dir", "/tmp/rec/work/sub"),
        ("first prompt one", "/tmp/rec/work"),
    ]
    for info, thread in zip(infos, page, strict=True):
        assert info is not None and info.id == thread["id"] and info.provider == "codex"
        assert info.turns is None  # thread/list reports no count
        assert info.created_at == dt.datetime.fromtimestamp(thread["createdAt"], dt.timezone.utc)
        assert info.updated_at == dt.datetime.fromtimestamp(thread["updatedAt"], dt.timezone.utc)


def test_the_vendors_name_is_the_title_else_the_preview_shortened_and_a_thread_without_id_is_skipped():
    thread = page_of(recorded("list")["result"])[0][0]
    assert session_info({**thread, "name": "  My refactor  "}).title == "My refactor"  # type: ignore[union-attr]
    long = session_info({**thread, "preview": "word " * 100})
    assert long is not None and len(long.title) == TITLE_CHARS and long.title.endswith("...")
    missing = session_info({**thread, "preview": "", "createdAt": None, "cwd": None})
    assert missing is not None and (missing.title, missing.created_at, missing.cwd) == ("", None, None)
    assert session_info({**thread, "id": None}) is None


def test_a_transcript_is_prompts_replies_command_file_change_and_a_failed_turns_error_in_order():
    events = transcript("t", recorded_turns())
    assert [(e.kind, e.text) for e in events] == [
        (EventKind.USER, "first prompt one"),
        (EventKind.MESSAGE, "Running it."),
        (EventKind.COMMAND, "echo hello-from-shell"),
        (EventKind.MESSAGE, "first reply alpha"),
        (EventKind.USER, "second prompt: write notes"),
        (EventKind.FILE_CHANGE, "add /tmp/rec/work/notes.txt"),
        (EventKind.MESSAGE, "created notes"),
        (EventKind.USER, "third prompt fails"),
        (EventKind.ERROR, events[-1].text),
    ]
    assert all(e.status == "completed" for e in events[:-1])
    command, change, error = events[2], events[5], events[-1]
    assert (command.exit_code, command.output, command.tool_name) == (0, "hello-from-shell\n", "shell")
    assert [c.path for c in change.changes] == ["/tmp/rec/work/notes.txt"]
    assert error.is_error and error.status == "failed" and "high demand" in error.text
    # each event keeps codex's item, and the prompts and replies their item ids
    assert events[0].raw["type"] == "userMessage" and events[0].item_id == events[0].raw["id"]
    assert events[1].raw["type"] == "agentMessage" and events[1].item_id == events[1].raw["id"]


def test_transcript_times_are_the_turns_own():
    turns = recorded_turns()
    events = transcript("t", turns)
    first = turns[0]
    assert events[0].timestamp == first["startedAt"]
    assert {e.timestamp for e in events[1:4]} == {first["completedAt"]}


def test_a_user_message_joins_its_text_inputs_and_shows_an_image_by_name_once_it_is_gone():
    turn = {
        "items": [
            {
                "type": "userMessage",
                "id": "u",
                "content": [
                    {"type": "text", "text": "look at this"},
                    {"type": "localImage", "path": "/x.png"},
                    {"type": "text", "text": "and this"},
                ],
            },
            "not an item",
            {"type": "contextCompaction", "id": "c"},
        ],
        "status": "completed",
    }
    events = transcript("t", [turn])
    assert [(e.kind, e.text) for e in events] == [
        (EventKind.USER, "look at this\n[x.png]\nand this"),
        (EventKind.OTHER, "contextCompaction"),
    ]


def test_codexs_words_for_an_unknown_thread_and_for_a_thread_only_archiving_can_drop():
    for name in ("turns_unknown", "fork_unknown", "delete_unknown"):
        assert unknown_thread(recorded(name)["error"]["message"])
    forked = recorded("delete_forked")["error"]["message"]
    assert not unknown_thread(forked) and archive_instead(forked)
    assert archive_instead("Invalid request: unknown variant `thread/delete`, expected one of ...")
    assert not archive_instead(recorded("delete_unknown")["error"]["message"])


def test_page_of_tolerates_odd_answers():
    assert page_of(None) == ([], None)
    assert page_of({"data": [1, {"id": "a"}], "nextCursor": ""}) == ([{"id": "a"}], None)
    assert page_of({"data": [], "nextCursor": "c"}) == ([], "c")


def test_list_params_ask_for_every_source_and_model_provider_newest_first():
    params = list_params(None, None, None)
    assert params["sourceKinds"] == list(SOURCES) and "exec" in SOURCES
    assert params["modelProviders"] == [] and params["limit"] == PAGE
    assert (params["sortKey"], params["sortDirection"]) == ("updated_at", "desc")
    assert "cwd" not in params and "cursor" not in params
    cut = list_params("/w", 3, "next")
    assert (cut["cwd"], cut["limit"], cut["cursor"]) == ("/w", 3, "next")
    assert list_params(None, 10 * PAGE, None)["limit"] == PAGE


# -- the requests, against the pinned binary's own schema -------------------------------------


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("codex-schema")
    subprocess.run(
        [find_binary(merged_env({})), "app-server", "generate-json-schema", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


def validate(schemas: Path, name: str, params: Any) -> None:
    jsonschema.validate(params, json.loads((schemas / "v2" / name).read_text()))


def test_every_catalogue_request_validates_against_the_pinned_schema(schemas: Path):
    validate(schemas, "ThreadListParams.json", list_params(None, None, None))
    validate(schemas, "ThreadListParams.json", list_params("/w", 5, "cursor"))
    validate(schemas, "ThreadTurnsListParams.json", turns_params("t", None))
    validate(schemas, "ThreadTurnsListParams.json", turns_params("t", "cursor"))
    validate(schemas, "ThreadForkParams.json", {"threadId": "t", "excludeTurns": True})
    validate(schemas, "ThreadDeleteParams.json", {"threadId": "t"})
    validate(schemas, "ThreadArchiveParams.json", {"threadId": "t"})
    # a value the schema does not know is caught (the check is not vacuous)
    with pytest.raises(jsonschema.ValidationError):
        validate(schemas, "ThreadListParams.json", {**list_params(None, None, None), "sortKey": "newest"})
