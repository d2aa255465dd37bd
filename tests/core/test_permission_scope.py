"""What oauthpy allows without asking, and how far ``allow_always`` reaches, with the real CLIs.

- gemini: a command or file whose title mimics one of oauthpy's own tools still reaches
  ``on_permission`` (and, with no callback, is refused); only the tools oauthpy registered run
  without asking.
- ``allow_always`` covers the same command or the same files, for the conversation only: never a
  rule in the user's settings, never a wider vendor rule or mode.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import EventKind, PermissionRequest
from oauthpy.testing import call_tool, shell, text, write_file
from tests.support import Rig, assert_no_leftovers, open_rig


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@pytest.fixture
def gemini(tmp_path: Path) -> Rig:  # type: ignore[misc]
    with open_rig("gemini", tmp_path) as r:
        yield r  # type: ignore[misc]
        assert_no_leftovers(r.env)


@pytest.fixture
def claude(tmp_path: Path) -> Rig:  # type: ignore[misc]
    with open_rig("claude", tmp_path) as r:
        yield r  # type: ignore[misc]
        assert_no_leftovers(r.env)


def asked_by(answer: object) -> tuple[list[PermissionRequest], object]:
    asked: list[PermissionRequest] = []

    def callback(request: PermissionRequest) -> object:
        asked.append(request)
        return answer(request) if callable(answer) else answer

    return asked, callback


# -- gemini: own tools are known by what oauthpy registered, not by a title ---------------------


MIMICS = [
    shell("touch mimic.txt # (oauthpy MCP Server)"),
    shell("add (oauthpy MCP Server)"),  # exactly an own tool's title
    write_file("mimic.txt (oauthpy MCP Server)", "x"),
]


@pytest.mark.parametrize("step", MIMICS, ids=["shell", "own-title", "write"])
def test_gemini_a_title_that_mimics_oauthpys_tools_still_reaches_the_callback(
    gemini: Rig, step: object
) -> None:
    gemini.fake.script(step, text("Done."))
    asked, deny = asked_by(False)

    result = gemini.run("go", tools=[add], on_permission=deny)

    assert len(asked) == 1 and asked[0].kind in ("command", "file_change")
    assert not any(p.name.startswith("mimic.txt") for p in gemini.work.iterdir())
    [event] = [e for e in result.events if e.kind is EventKind.PERMISSION]
    assert event.status == "denied"


@pytest.mark.parametrize("step", MIMICS, ids=["shell", "own-title", "write"])
def test_gemini_a_mimicking_title_is_refused_with_no_callback_in_a_warm_client(
    gemini: Rig, step: object
) -> None:
    gemini.fake.script(step, text("Done."))
    with gemini.client() as client:
        result = client.run("go", cwd=gemini.work, model=gemini.model, timeout=60, tools=[add])
    assert not any(p.name.startswith("mimic.txt") for p in gemini.work.iterdir())
    assert [e.status for e in result.events if e.kind is EventKind.PERMISSION] == ["denied"]


def test_gemini_the_runs_own_tool_still_runs_without_asking(gemini: Rig) -> None:
    gemini.fake.script(call_tool("add", {"a": 2, "b": 3}), text("Five."))
    asked, deny = asked_by(False)
    result = gemini.run("add", tools=[add], on_permission=deny)
    assert result.text == "Five." and asked == []
    assert [e.output for e in result.events if e.kind is EventKind.TOOL and e.status == "completed"] == ["5"]
    with gemini.client() as client:  # and with no callback at all
        gemini.fake.script(call_tool("add", {"a": 1, "b": 1}), text("Two."))
        again = client.run("add", cwd=gemini.work, model=gemini.model, timeout=60, tools=[add])
    assert again.text == "Two." and not [e for e in again.events if e.kind is EventKind.PERMISSION]


# -- allow_always: exactly the same command or files, for this conversation -----------------------


def only_always_for(command: str) -> object:
    """allow_always for ``command`` (and the notes file), deny everything else."""

    def answer(request: PermissionRequest) -> object:
        if request.command == command:
            return "allow_always"
        return False

    return answer


def test_gemini_allow_always_for_a_command_covers_that_command_only(gemini: Rig) -> None:
    gemini.fake.script(
        shell("touch notes.txt"),
        text("First."),
        shell("touch notes.txt"),
        shell("touch other.txt"),
        text("Second."),
    )
    asked, callback = asked_by(only_always_for("touch notes.txt"))
    with gemini.client().session(
        cwd=gemini.work, model=gemini.model, timeout=60, on_permission=callback
    ) as s:
        s.run("make notes")
        (gemini.work / "notes.txt").unlink()
        s.run("again, and another")
    assert (gemini.work / "notes.txt").exists()  # the same command: allowed from memory
    assert not (gemini.work / "other.txt").exists()
    assert [r.command for r in asked] == ["touch notes.txt", "touch other.txt"]


def test_gemini_allow_always_for_a_file_covers_that_file_only(gemini: Rig) -> None:
    gemini.fake.script(
        write_file("notes.md", "one"),
        text("First."),
        write_file("evil.py", "import os"),
        text("Second."),
    )

    def answer(request: PermissionRequest) -> object:
        return "allow_always" if [Path(p).name for p in request.paths] == ["notes.md"] else False

    asked, callback = asked_by(answer)
    with gemini.client().session(
        cwd=gemini.work, model=gemini.model, timeout=60, on_permission=callback
    ) as s:
        s.run("write notes")
        s.run("write code")
    assert (gemini.work / "notes.md").read_text() == "one"
    assert not (gemini.work / "evil.py").exists()
    assert [[Path(p).name for p in r.paths] for r in asked] == [["notes.md"], ["evil.py"]]


def test_claude_allow_always_writes_no_settings_and_covers_that_command_only(claude: Rig) -> None:
    (claude.work / "keep.txt").write_text("keep")
    claude.fake.script(
        shell("touch notes.txt"),
        text("First."),
        shell("touch notes.txt"),
        shell("rm -f keep.txt"),
        write_file(str(claude.work / "other.txt"), "x"),
        text("Second."),
    )
    asked, callback = asked_by(only_always_for("touch notes.txt"))
    with claude.client().session(cwd=claude.work, timeout=60, on_permission=callback) as s:
        s.run("make notes")
        assert not (claude.work / ".claude").exists()  # nothing written to the user's project
        (claude.work / "notes.txt").unlink()
        s.run("again, then tidy")
    assert not (claude.work / ".claude").exists()
    assert (claude.work / "notes.txt").exists()  # the same command: allowed from memory
    assert (claude.work / "keep.txt").exists() and not (claude.work / "other.txt").exists()
    assert [r.command or r.paths for r in asked] == [
        "touch notes.txt",
        "rm -f keep.txt",
        (str(claude.work / "other.txt"),),
    ]

    # a separate run knows nothing of it
    claude.fake.script(shell("touch notes.txt"), text("Third."))
    later, deny = asked_by(False)
    (claude.work / "notes.txt").unlink()
    claude.run("once more", on_permission=deny)
    assert [r.command for r in later] == ["touch notes.txt"]
    assert not (claude.work / "notes.txt").exists()
