"""What an agent writes is shown with its control characters escaped: `visible`, and every line
built on it (a permission summary, a compare question, a ``run --stream`` line, MCP progress,
the sign-in consent)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oauthpy import Event, EventKind, PermissionRequest
from oauthpy._describe import describe
from oauthpy._describe import describe as describe_event
from oauthpy._escape import visible
from oauthpy.cli.compare_cmd import question

pytestmark = pytest.mark.fast

HIDDEN = "rm -rf x #\r\x1b[2Kcodex: running: ls"
SHOWN = "rm -rf x #\\r\\x1b[2Kcodex: running: ls"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (HIDDEN, SHOWN),
        ("a\nb", "a\\nb"),
        ("tab\tstays", "tab\tstays"),
        ("nul\x00 bell\x07 del\x7f", "nul\\x00 bell\\x07 del\\x7f"),
        ("c1 \x9b2J nel\x85", "c1 \\x9b2J nel\\x85"),
        ("bidi \u202eexe.txt", "bidi \\u202eexe.txt"),
        ("line\u2028sep", "line\\u2028sep"),
        ("plain 'quoted' \\r ünïcode", "plain 'quoted' \\r ünïcode"),
    ],
)
def test_visible_escapes_c0_but_tab_del_c1_and_line_tricks(raw: str, shown: str):
    assert visible(raw) == shown


def test_visible_keeps_newlines_of_prose_when_asked_and_escapes_the_rest():
    assert visible("one\ntwo\r\x1b[1A", keep_newlines=True) == "one\ntwo\\r\\x1b[1A"


@given(st.text())
def test_visible_leaves_nothing_a_terminal_acts_on_and_is_stable(text: str):
    shown = visible(text)
    assert all(c == "\t" or (c >= " " and not "\x7f" <= c <= "\x9f") for c in shown)
    assert "\u202e" not in shown and "\u2028" not in shown
    assert visible(shown) == shown


def test_a_permission_summary_shows_the_command_file_and_tool_escaped():
    assert PermissionRequest("codex", "command", command=HIDDEN).summary() == f"run {SHOWN}"
    changed = PermissionRequest("codex", "file_change", paths=("a\rb.txt", "c.txt"))
    assert changed.summary() == "change a\\rb.txt, c.txt"
    assert PermissionRequest("claude", "tool", tool_name="x\x1b[2Ky").summary() == "use x\\x1b[2Ky"
    # the command itself is unchanged: it is what runs, and what a policy compares
    assert PermissionRequest("codex", "command", command=HIDDEN).command == HIDDEN


def test_the_compare_question_puts_the_escaped_command_on_a_line_of_its_own():
    asked = question(PermissionRequest("codex", "command", command=HIDDEN, cwd="/repo"))
    assert asked == f"\ncodex wants to run this command in /repo:\n    `{SHOWN}`\nAllow? [y/N] "
    other = question(PermissionRequest("gemini", "file_change", paths=("x\ry",)))
    assert other == "\ngemini wants to change x\\ry\nAllow? [y/N] "


def test_the_compare_question_is_redacted():
    key = "sk-proj-" + "a1B2" * 10
    asked = question(PermissionRequest("codex", "command", command=f"curl -H 'Bearer {key}' x"))
    assert key not in asked


def test_stream_lines_and_mcp_progress_show_the_command_escaped():
    event = Event(EventKind.COMMAND, command=HIDDEN, status="in_progress")
    assert describe(event) == f"[command] $ {SHOWN}"
    assert describe_event(event, brief=True) == f"running: {SHOWN}"  # MCP and compare progress
    reasoning = describe(Event(EventKind.REASONING, text="first\nsecond\r\x1b[2K"))
    assert reasoning == "[reasoning] first\nsecond\\r\\x1b[2K"


def test_the_sign_in_consent_shows_the_command_escaped_on_a_line_of_its_own(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from oauthpy._auth import signin

    monkeypatch.setattr(signin, "_on_a_terminal", lambda: True)
    signin._consent_to(["sh", "-c", "true #\r\x1b[2K"], "sh", "acp", yes=True)
    said = capsys.readouterr().err
    assert said == "acp's sign-in runs this command:\n    `sh -c 'true #\\r\\x1b[2K'`\n"
