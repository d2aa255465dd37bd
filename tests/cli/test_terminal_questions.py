"""The agent's questions on the terminal (`oauthpy.cli.questions`): the asker against a fake
terminal (a pseudo-terminal pair), reading a number, a label, free text, several, or a decline;
then `oauthpy run` with the real Claude Code asking (fake model): on a terminal, and with none
(declined); and with the real codex on a terminal (its default transport, which asks, not the
answer-only `codex exec`)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from oauthpy import Question, QuestionOption
from oauthpy._describe import describe
from oauthpy._questions import DECLINED, question_event, read_answer
from oauthpy.cli.questions import TerminalLines, on_terminal, read_typed, terminal_asker
from oauthpy.testing import ask_user_question, request_user_input, text
from tests.support import Rig, assert_no_leftovers, open_rig

fast = pytest.mark.fast

LANGUAGE = Question(
    "Which language should the script use?",
    (QuestionOption("Python", "the standard library only"), QuestionOption("Go"), QuestionOption("Rust")),
    header="Language",
)
SEVERAL = Question(
    "Which checks?", (QuestionOption("lint"), QuestionOption("types"), QuestionOption("tests")), multiple=True
)
OPEN = Question("What should the file be called?")


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """A fake terminal: the person types on ``main``, the asker reads ``side``."""
    main, side = os.openpty()
    yield main, side
    os.close(main)
    os.close(side)


def answer(question: Question, typed: str, terminal: tuple[int, int]) -> tuple[object, str]:
    """What the asker returns when the person types ``typed``, and what it showed."""
    main, side = terminal
    shown = io.StringIO()
    ask = terminal_asker(lambda: None, shown, fd=side)
    os.write(main, typed.encode())
    return asyncio.run(asyncio.wait_for(ask(question), 30)), shown.getvalue()


@fast
@pytest.mark.parametrize(
    ("question", "typed", "expected"),
    [
        (LANGUAGE, "2\n", "Go"),
        (LANGUAGE, "  rust \n", "Rust"),
        (LANGUAGE, "Python please, no deps\n", "Python please, no deps"),
        (SEVERAL, "1, 3\n", ["lint", "tests"]),
        (SEVERAL, "types,LINT\n", ["types", "lint"]),
        (OPEN, "build.sh\n", "build.sh"),
        (OPEN, "42\n", "42"),
        (LANGUAGE, "\n", None),
        (SEVERAL, "   \n", None),
    ],
    ids=[
        "number",
        "label",
        "own-words",
        "several-numbers",
        "several-labels",
        "free",
        "free-digits",
        "empty-declines",
        "blank-declines",
    ],
)
def test_the_asker_reads_a_number_a_label_words_or_a_decline(
    question: Question, typed: str, expected: object, terminal: tuple[int, int]
):
    got, _ = answer(question, typed, terminal)
    assert got == expected
    assert read_answer(question, got) == (
        None if expected is None else tuple(expected if isinstance(expected, list) else [expected])
    )  # what the library makes of it: an answer it accepts


@fast
def test_the_question_shows_its_numbered_options_and_a_wrong_number_is_asked_again(
    terminal: tuple[int, int],
):
    got, shown = answer(LANGUAGE, "7\n1\n", terminal)
    assert got == "Python"
    assert "? Language: Which language should the script use?" in shown
    assert "  1. Python - the standard library only\n  2. Go\n  3. Rust" in shown
    assert "there is no option 7: choose 1 to 3" in shown
    assert shown.count("empty: decline") == 2


@fast
def test_end_of_input_declines():
    read, write = os.pipe()
    os.close(write)  # nothing more will come
    try:
        got = asyncio.run(asyncio.wait_for(terminal_asker(lambda: None, io.StringIO(), fd=read)(OPEN), 30))
    finally:
        os.close(read)
    assert got is None


@fast
def test_what_the_agent_wrote_is_shown_redacted_and_escaped(terminal: tuple[int, int]):
    key = "sk-" + "a1B2c3D4" * 6
    tricky = Question(f"Use key {key}?\x1b[2J", (QuestionOption("yes\rno"),))
    _, shown = answer(tricky, "\n", terminal)
    assert key not in shown and "\x1b" not in shown and "\r" not in shown
    assert "\\x1b[2J" in shown and "yes\\rno" in shown


@fast
def test_a_chat_turns_lines_go_to_the_waiting_question_and_the_rest_to_on_line(
    terminal: tuple[int, int],
):
    main, side = terminal
    others: list[str] = []
    got_other = asyncio.Event()

    async def scenario() -> object:
        loop = asyncio.get_running_loop()

        def typed(line: str) -> None:
            others.append(line)
            loop.call_soon_threadsafe(got_other.set)

        with TerminalLines(side, typed) as lines:
            os.write(main, b"before any question\n")
            await asyncio.wait_for(got_other.wait(), 30)
            ask = terminal_asker(lambda: lines, io.StringIO())
            asking = asyncio.ensure_future(ask(LANGUAGE))
            while not lines._waiting:  # the question waits for the next line
                await asyncio.sleep(0)
            os.write(main, b"3\n")
            return await asyncio.wait_for(asking, 30)

    assert asyncio.run(scenario()) == "Rust"
    assert others == ["before any question"]


@fast
def test_no_terminal_means_no_asker_and_the_question_event_says_declined():
    assert not on_terminal(io.StringIO("2\n"))
    with open(os.devnull) as devnull:
        assert not on_terminal(devnull)
    assert read_answer(LANGUAGE, None) is None  # no callback: declined, as with an empty answer
    line = describe(question_event(LANGUAGE, None))
    assert line == "[question] Which language should the script use? (declined)"
    assert describe(question_event(SEVERAL, ("lint", "tests"))) == (
        "[question] Which checks? (answered: lint, tests)"
    )


@fast
def test_read_typed_refuses_a_number_naming_no_option():
    from oauthpy.cli.questions import NoSuchOption

    with pytest.raises(NoSuchOption):
        read_typed(SEVERAL, "1, 9")
    assert read_typed(SEVERAL, "1, go fast") == "1, go fast"  # not all options: their words


QUESTION = "Which language should the script use?"


@pytest.fixture
def claude(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("claude", tmp_path) as rig:
        rig.fake.script(ask_user_question(QUESTION, ["Python", "Go"], header="Language"), text("Done."))
        yield rig
    assert_no_leftovers(rig.env)


def tool_result(rig: Rig) -> str:
    last = rig.fake.model_requests()[-1].body["messages"][-1]
    [block] = [b for b in last["content"] if b.get("type") == "tool_result"]
    content = block["content"]
    return content if isinstance(content, str) else "".join(c.get("text", "") for c in content)


def run_argv(rig: Rig) -> list[str]:
    return [
        "-m",
        "oauthpy.cli",
        "run",
        "-p",
        "claude",
        "--source",
        "external",
        "--cwd",
        str(rig.work),
        "write me a script",
    ]


def answer_go_on_a_terminal(argv: list[str], env: dict[str, str]) -> None:
    """`oauthpy <argv>` on a terminal: the language question is asked with its options, Go
    (typed as its number) is the answer, and the command ends with the agent's "Done." and 0."""
    shown: Any = {**os.environ, **env, "NO_COLOR": "1", "TERM": "xterm"}
    child = pexpect.spawn(sys.executable, argv, env=shown, encoding="utf-8", timeout=90)
    try:
        child.expect_exact("? Language: Which language should the script use?")
        child.expect_exact("2. Go - Go.")
        child.expect_exact("(empty: decline) > ")
        child.sendline("2")
        child.expect_exact("Done.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_oauthpy_run_asks_on_the_terminal_and_the_answer_reaches_the_agent(claude: Rig):
    answer_go_on_a_terminal(run_argv(claude), claude.env)
    assert f'"{QUESTION}"="Go"' in tool_result(claude)


def test_oauthpy_run_with_no_terminal_declines_and_says_what_was_asked(claude: Rig):
    done = subprocess.run(
        [sys.executable, *run_argv(claude)],
        env={**os.environ, **claude.env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Done."
    assert f"[question] {QUESTION} (declined)" in done.stderr
    assert tool_result(claude) == DECLINED


def test_oauthpy_chat_asks_during_a_turn_and_the_typed_line_is_the_answer(claude: Rig):
    env: Any = {**os.environ, **claude.env, "NO_COLOR": "1", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    argv = ["-m", "oauthpy.cli", "chat", "-p", "claude", "--source", "external", "--cwd", str(claude.work)]
    child = pexpect.spawn(sys.executable, argv, env=env, encoding="utf-8", timeout=90, dimensions=(40, 200))
    try:
        child.expect_exact("claude>")
        child.sendline("write me a script")
        child.expect_exact("? Language: Which language should the script use?")
        child.expect_exact("(empty: decline) > ")
        child.sendline("go")  # a label, in any case: not a steer, not a turn
        child.expect_exact(f"[question] {QUESTION} (answered: Go)")
        child.expect_exact("Done.")
        child.expect_exact("claude>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert f'"{QUESTION}"="Go"' in tool_result(claude)
    assert len(claude.fake.model_requests()) == 2  # the answer started no turn of its own


def test_oauthpy_run_of_codex_on_a_terminal_asks_the_models_question(openai_fake, codex_env, workdir: Path):
    openai_fake.script(request_user_input(QUESTION, ["Python", "Go"], header="Language"), text("Done."))
    argv = [
        "-m",
        "oauthpy.cli",
        "run",
        "-p",
        "codex",
        "--source",
        "external",
        "--cwd",
        str(workdir),
        "a script",
    ]
    answer_go_on_a_terminal(argv, codex_env)
    items = openai_fake.model_requests()[1].body["input"]
    [output] = [i for i in items if i.get("type") == "function_call_output"]
    assert json.loads(output["output"]) == {"answers": {"q1": {"answers": ["Go"]}}}
