"""The features built on the client (``oauthpy mcp serve``, compare, the CLI) use its public
seams (``on_event=``, ``Client.check``), never its private attributes; ``on_event`` is checked
before anything starts; and the one event describer redacts before it escapes and cuts."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, Event, EventKind, InvalidOptionsError
from oauthpy._describe import BRIEF_CHARS, describe
from tests.paths import REPO

pytestmark = pytest.mark.fast

SRC = REPO / "src" / "oauthpy"
#: the code built on the client
BUILT_ON = [
    *sorted((SRC / "_mcp_serve").glob("*.py")),
    *sorted(SRC.glob("_compar*.py")),  # compare, its check, its judge, the comparison
    *sorted((SRC / "cli").glob("*.py")),
]
#: private attributes still reached, and why. ``oauthpy batch`` drives the batch engine itself
#: (a throttle shared with its progress bar, per-line labels): `map`/`amap` are its public form.
ALLOWED = {("cli/batch_run.py", "_batch"), ("cli/batch_run.py", "_abatch")}
KEY = "sk-proj-" + "a1B2c3D4" * 5


def private_uses(path: Path) -> list[str]:
    """``name._attr`` where ``name`` is no module and not ``self``/``cls`` (an object's private
    attribute: a client's, a session's, an argparse parser's...)."""
    tree = ast.parse(path.read_text(), str(path))
    modules = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules |= {a.asname or a.name for a in node.names}
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id not in modules
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_private_attribute_of_a_client_or_session_is_used_where_features_are_built_on_them():
    assert len(BUILT_ON) > 10
    used = {}
    for path in BUILT_ON:
        where = path.relative_to(SRC).as_posix()
        left = [u for u in private_uses(path) if (where, u.split(".")[1]) not in ALLOWED]
        left = [u for u in left if u != "parser._actions"]  # argparse's, not the client's
        if left:
            used[where] = left
    assert used == {}


@pytest.mark.parametrize("value", ["print", 3, object()])
def test_an_on_event_that_is_not_callable_is_refused_before_anything_starts(value: Any, tmp_path: Path):
    client = Client("codex", auth_source="external", env={"PATH": str(tmp_path)})  # no codex there
    with pytest.raises(InvalidOptionsError, match="on_event must be a function taking an Event"):
        client.run("hi", cwd=tmp_path, on_event=value)
    with pytest.raises(InvalidOptionsError, match="on_event"):
        client.stream("hi", cwd=tmp_path, on_event=value)
    with pytest.raises(InvalidOptionsError, match="on_event"):
        asyncio.run(client.arun("hi", cwd=tmp_path, on_event=value))
    with pytest.raises(InvalidOptionsError, match="on_event"):
        client.map(["hi"], cwd=tmp_path, on_event=value)
    with pytest.raises(InvalidOptionsError, match="on_event"):
        client.session(cwd=tmp_path, on_event=value)
    with client.session(cwd=tmp_path) as chat, pytest.raises(InvalidOptionsError, match="on_event"):
        chat.run("hi", on_event=value)


def test_client_check_refuses_what_run_refuses_and_starts_nothing(tmp_path: Path):
    client = Client("codex", auth_source="external", env={"PATH": str(tmp_path)})
    assert client.check("hi", cwd=tmp_path, on_event=print) is None
    with pytest.raises(InvalidOptionsError):
        client.check("hi", cwd=tmp_path / "missing")
    with pytest.raises(TypeError, match=r"Client.check\(\) got an unexpected keyword argument 'cwdd'"):
        client.check("hi", cwdd=tmp_path)


def test_a_brief_line_is_redacted_before_it_is_cut():
    # the key starts just before the cut: cut first, what is left no longer looks like a key
    padding = "x" * (BRIEF_CHARS - len("running: echo  ") - 16)
    event = Event(EventKind.COMMAND, command=f"echo {padding} {KEY}", status="in_progress")
    line = describe(event, brief=True)
    assert line is not None and len(line) <= BRIEF_CHARS
    assert KEY[:16] not in line and "a1B2c3D4" not in line


def test_a_line_is_redacted_before_it_is_escaped():
    # an ESC right before a key: escaped first, "\x1b" puts a letter before it
    event = Event(EventKind.COMMAND, command=f"printf '\x1b{KEY}'", status="in_progress")
    for line in (describe(event), describe(event, brief=True)):
        assert line is not None and "a1B2" not in line and "\\x1b" in line
