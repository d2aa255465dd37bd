"""docs/sessions.md's table of session controls is the registry's: each agent's ``controls``
(steer, rewind, compact, context) and whether its transports can carry its questions to the
user (``on_question``). Written between ``<!-- controls -->`` and the next blank line; on a
mismatch the failure shows the table to paste."""

from __future__ import annotations

import pytest

from oauthpy import _registry as registry
from oauthpy._session_controls import CONTROLS
from oauthpy.cli.questions import asking_transports
from tests.paths import REPO

pytestmark = pytest.mark.fast

MARKER = "<!-- controls -->"
COLUMNS = ("steer", "questions", "rewind", "compact", "context")


def questions(name: str) -> str:
    """``yes`` when the agent's default transport carries its questions, ``over T`` when only
    another one does (a run with ``on_question`` goes there), ``-`` when none does."""
    asking = asking_transports(name)
    if registry.get(name).transports[0] in asking:
        return "yes"
    return f"over {asking[0]}" if asking else "-"


def controls_table() -> str:
    lines = ["| agent | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name in registry.names(generic=False, listed_only=True):
        controls = registry.get(name).controls
        marks = [questions(name) if c == "questions" else "yes" if c in controls else "-" for c in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_the_columns_are_every_control_and_the_questions():
    assert set(COLUMNS) == {*CONTROLS, "questions"}


def test_the_docs_table_of_session_controls_is_the_registrys():
    page = (REPO / "docs" / "sessions.md").read_text(encoding="utf-8")
    assert page.count(MARKER) == 1
    written = page.split(MARKER + "\n", 1)[1].split("\n\n", 1)[0]
    table = controls_table()
    assert written == table, f"docs/sessions.md's table under {MARKER} should be:\n{table}"
