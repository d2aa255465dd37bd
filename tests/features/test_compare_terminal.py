"""``oauthpy compare`` without ``--yes`` asks on the terminal, through the real codex against its
fake, in a pseudo-terminal: the question appears, ``y`` allows, ``n`` refuses; and what the model
put in its command (a carriage return, an ESC sequence) is shown escaped, never acted on by the
terminal."""

from __future__ import annotations

import os
from pathlib import Path

import pexpect

from oauthpy.testing import text
from oauthpy.testing.processes import MARKER_VAR
from tests.git_repos import make_repo
from tests.support import COMPARE, Rig, assert_no_leftovers, open_rig, shell_step

#: a command that, shown raw, erases its own line and draws a harmless-looking one instead
HIDDEN = "echo made-it #\r\x1b[2Kcodex: running: ls"
SHOWN = "echo made-it #\\r\\x1b[2Kcodex: running: ls"


def compare_on_a_terminal(rig: Rig, repo: Path, answer: str) -> tuple[str, int]:
    """``oauthpy compare -p codex`` in a pty, answering ``answer`` to its one question: what the
    screen got before the question, the whole screen, and the exit status."""
    child = pexpect.spawn(
        COMPARE[0],
        [*COMPARE[1:], "-p", "codex", "look"],
        cwd=str(repo),
        env={**os.environ, **rig.env, "TERM": "xterm", "NO_COLOR": "1"},
        encoding="utf-8",
        timeout=120,
    )
    try:
        child.expect(r"Allow\? \[y/N\] ")
        screen = (child.before or "") + (child.after or "")  # type: ignore[operator]
        child.sendline(answer)
        child.expect(pexpect.EOF)
        screen += child.before or ""
    finally:
        child.close(force=True)
    assert_no_leftovers({MARKER_VAR: rig.env[MARKER_VAR]}, within_s=5.0)
    return screen, child.exitstatus if child.exitstatus is not None else -1


def test_compare_asks_on_the_terminal_and_y_runs_the_command(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")
        rig.fake.script(shell_step("codex", "echo made-it"), text("ran it"))
        screen, status = compare_on_a_terminal(rig, repo, "y")
        assert "codex wants to run this command in " in screen
        assert "    `echo made-it`\r\nAllow? [y/N] " in screen  # the command on a line of its own
        assert status == 0
        bodies = rig.model_bodies()
        assert len(bodies) == 2 and "made-it" in bodies[1].replace("echo made-it", "")  # its output


def test_compare_asks_on_the_terminal_and_n_refuses_the_command(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")
        rig.fake.script(shell_step("codex", "echo made-it"), text("did not run it"))
        screen, status = compare_on_a_terminal(rig, repo, "n")
        assert "Allow? [y/N] " in screen and status == 0
        bodies = rig.model_bodies()
        assert len(bodies) == 2 and "made-it" not in bodies[1].replace("echo made-it", "")


def test_compare_shows_a_command_s_control_characters_escaped_in_the_question_and_progress(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")
        rig.fake.script(shell_step("codex", HIDDEN), text("ran it"))
        screen, status = compare_on_a_terminal(rig, repo, "y")
        assert status == 0
        assert f"    `{SHOWN}`\r\nAllow? [y/N] " in screen  # the question, escaped
        assert f"codex: running: {SHOWN}" in screen  # the progress line, escaped
        assert "\x1b" not in screen  # no escape sequence of the model's reached the terminal
