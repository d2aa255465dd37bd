"""Types that narrow, checked by the installed mypy on code a user would write: ``RunResult``
is generic in its structured output, event views make a kind's fields non-optional, and
``AuthStatus.mode``/``reason`` are Literals. Each check also runs on code with a wrong type,
which mypy must refuse."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import get_args

import pytest
from mypy import api

from oauthpy import AuthMode, AuthReason, AuthStatus, Event, EventKind, RunResult, Usage
from oauthpy._names import AUTH_MODES, AUTH_SOURCES, AuthSource
from tests.paths import REPO

HEADER = """\
from typing import Any

from pydantic import BaseModel
from typing_extensions import assert_type

from oauthpy import AuthMode, AuthReason, AuthStatus, Client, CommandView, Event, OauthPyError, RunResult, Usage


class Label(BaseModel):
    name: str


client = Client("codex")
"""

RIGHT = """\
def runs() -> None:
    labelled = client.run("hi", output_schema=Label, cwd=".", timeout=5)
    assert_type(labelled, RunResult[Label])
    assert_type(labelled.output, Label)
    assert_type(client.run("hi"), RunResult[Any])
    assert_type(client.run("hi", output_schema={"type": "object"}), RunResult[Any])
    assert_type(client.run("hi", output_schema=None), RunResult[Any])
    with client.session(cwd=".") as session:
        assert_type(session.run("hi", output_schema=Label).output, Label)
        assert_type(session.run("hi"), RunResult[Any])
    for item in client.map(["a", "b"], output_schema=Label, concurrency=2):
        assert_type(item, RunResult[Label] | OauthPyError)
        if isinstance(item, RunResult):
            assert_type(item.output, Label)


async def aruns() -> None:
    assert_type((await client.arun("hi", output_schema=Label)).output, Label)
    assert_type(await client.arun("hi"), RunResult[Any])
    async with client.asession() as session:
        assert_type((await session.arun("hi", output_schema=Label)).output, Label)
    async for _, item in client.amap(["a"], output_schema=Label):
        assert_type(item, RunResult[Label] | OauthPyError)


def events(event: Event, result: RunResult) -> None:
    assert_type(result, RunResult[Any])
    assert_type(event.command, str | None)  # Event's fields stay as they were
    command = event.as_command()
    if command is not None:
        assert_type(command, CommandView)
        assert_type(command.command, str)
        assert_type(command.exit_code, int | None)
    tool = event.as_tool()
    if tool is not None:
        assert_type(tool.tool_name, str)
    done = event.as_done()
    if done is not None:
        assert_type(done.usage, Usage)


def status(s: AuthStatus) -> None:
    assert_type(s.mode, AuthMode)
    assert_type(s.reason, AuthReason | None)
    if s.reason == "binary_missing" or s.mode == "api-key":
        pass
"""

#: each is wrong, and mypy must say so on that line
WRONG = {
    "the output is the model given, not another type": (
        "number: int = client.run('hi', output_schema=Label).output",
        "Incompatible types in assignment",
    ),
    "a model's output has only the model's fields": (
        "client.run('hi', output_schema=Label).output.nmae",
        'has no attribute "nmae"',
    ),
    "a typed command is a str": (
        "def f(e: Event) -> None:\n    c = e.as_command()\n    assert c is not None\n    n: int = c.command",
        "Incompatible types in assignment",
    ),
    "a view can be None": (
        "def f(e: Event) -> str:\n    return e.as_command().command",
        'Item "None" of "CommandView | None" has no attribute "command"',
    ),
    "a mode that does not exist": (
        "def f(s: AuthStatus) -> bool:\n    return s.mode == 'apikey'",
        "Non-overlapping equality check",
    ),
    "a reason that does not exist": (
        "def f(s: AuthStatus) -> bool:\n    return s.reason == 'not_logged_in'",
        "Non-overlapping equality check",
    ),
    "a misspelt option still fails with overloads": (
        "client.run('hi', output_schema=Label, modle='x')",
        'No overload variant of "run" of "Client" matches argument types',
    ),
}

#: one worker runs these: the mypy run behind them costs about 10 s of CPU per worker
pytestmark = [pytest.mark.fast, pytest.mark.xdist_group("mypy")]


#: mypy's cache for these runs, kept between test runs (as the gate's `.mypy_cache` is): a cold
#: run checks oauthpy, pydantic and the standard library's stubs, about 10 CPU-s; a warm one
#: reads them back and checks only what changed. The snippets get a folder of their own there,
#: so that their paths stay the same from run to run
CACHE = REPO / ".mypy_cache" / "tests-types-narrow"


@pytest.fixture(scope="module")
def checked() -> dict[str, str]:
    """What mypy says about each snippet (one file each, one mypy run for all)."""
    root = CACHE / "snippets"
    root.mkdir(parents=True, exist_ok=True)
    files = {"right": RIGHT, **{f"wrong_{i}": body for i, (body, _) in enumerate(WRONG.values())}}
    for stale in root.glob("*.py"):
        stale.unlink()
    for name, body in files.items():
        (root / f"{name}.py").write_text(HEADER + "\n" + textwrap.dedent(body))
    out, err, _ = api.run(
        [
            "--strict",
            "--strict-equality",
            "--config-file",
            "",
            "--cache-dir",
            str(CACHE / "cache"),
            "--python-version",
            "3.10",
            *(str(root / f"{name}.py") for name in files),
        ]
    )
    said = {name: "" for name in files}
    for line in (out + err).splitlines():
        name = Path(line.split(":", 1)[0]).stem
        if name in said:
            said[name] += line + "\n"
    return said


def test_run_results_events_and_auth_statuses_narrow_for_mypy(checked: dict[str, str]) -> None:
    assert checked["right"] == ""


@pytest.mark.parametrize("case", list(WRONG))
def test_a_wrong_type_is_refused_by_mypy(case: str, checked: dict[str, str]) -> None:
    said = checked[f"wrong_{list(WRONG).index(case)}"]
    assert "error:" in said and WRONG[case][1] in said, said


def test_the_views_carry_the_event_and_are_none_for_other_kinds() -> None:
    event = Event(EventKind.COMMAND, text="ls", command="ls", exit_code=0, output="a\n")
    view = event.as_command()
    assert view is not None and (view.command, view.exit_code, view.output) == ("ls", 0, "a\n")
    assert view.event is event and view.status is None
    assert event.as_tool() is None and event.as_done() is None
    assert Event(EventKind.DONE, text="x").as_done() is not None
    # made as the type is written, also on Python < 3.12 (a frozen slotted dataclass refuses it)
    made = RunResult[int]("codex", "exec", "x", (), 0.0, ".", Usage(), output=3)
    assert made.output == 3 and made == RunResult("codex", "exec", "x", (), 0.0, ".", Usage(), output=3)


def test_the_auth_literals_are_the_values_oauthpy_reports() -> None:
    assert set(get_args(AuthMode)) == set(AUTH_MODES)
    assert AuthStatus("codex", installed=False, authenticated=False).mode in get_args(AuthMode)
    assert "binary_missing" in get_args(AuthReason)
    assert get_args(AuthSource) == AUTH_SOURCES  # the CLI's choices, written out for its start-up
