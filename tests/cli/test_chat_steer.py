"""`oauthpy chat` in a real pseudo-terminal: a line typed while a turn runs steers it (an agent
with "steer" in its controls, the real codex against the fake), or, for an agent without, is
said once to be unsteerable and runs as the next turn when this one ends."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from oauthpy import _registry as registry
from oauthpy.testing import Gate, shell, text
from tests.support import assert_no_leftovers

STEER = "STEER-LINE also say banana"


def chat(agent: str, env: dict[str, str], workdir: Path) -> pexpect.spawn:
    env = {**os.environ, **env, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "oauthpy.cli", "chat", "-p", agent, "--cwd", str(workdir)],
        env=env,
        encoding="utf-8",
        timeout=90,
        dimensions=(40, 200),
    )
    child.expect_exact(f"{agent}>")
    return child


@pytest.fixture
def ended() -> Iterator[list[pexpect.spawn]]:
    """The chats a test started, left with /exit (and closed) at its end."""
    children: list[pexpect.spawn] = []
    yield children
    for child in children:
        if child.isalive():
            child.sendline("/exit")
            child.expect(pexpect.EOF)
        child.close()


def user_texts(request: Any) -> list[str]:
    return [
        str(part.get("text"))
        for item in request.body["input"]
        if item.get("type") == "message" and item.get("role") == "user"
        for part in item.get("content") or ()
        if isinstance(part, dict)
    ]


def test_a_line_typed_while_a_codex_turn_runs_steers_that_turn(
    openai_fake: Any, codex_env: dict[str, str], workdir: Path, ended: list[pexpect.spawn]
):
    assert "steer" in registry.get("codex").controls
    release = workdir / "release"
    wait = f"for i in $(seq 1 1200); do [ -f {release} ] && break; sleep 0.05; done; echo released"
    openai_fake.script(shell(wait, say="Running."), text("Steered answer."))
    child = chat("codex", codex_env, workdir)
    ended.append(child)
    child.sendline("run the slow command")
    child.expect_exact("[command] $ for i in")  # the turn waits on its tool call
    child.sendline(STEER)
    child.expect_exact(f"steered: {STEER}")
    release.write_text("go")
    child.expect_exact("Steered answer.")
    child.expect_exact("codex>")
    first, second = openai_fake.model_requests()  # one turn: no second turn was started
    assert STEER not in str(first.body)
    assert user_texts(second)[-1] == STEER  # the same turn's next request carries it
    child.sendline("/exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert_no_leftovers(codex_env)


def test_an_agent_without_the_door_says_so_once_and_runs_the_lines_as_next_turns(
    gemini_fake: Any, gemini_env: dict[str, str], workdir: Path, ended: list[pexpect.spawn]
):
    assert "steer" not in registry.get("gemini").controls
    opened = threading.Event()
    gemini_fake.script(Gate(opened, text("first answer alpha")), text("second answer beta"), text("third"))
    child = chat("gemini", gemini_env, workdir)
    ended.append(child)
    try:
        child.sendline("first question")
        gemini_fake.wait_for_model_request()
        child.sendline("typed during the turn")
        child.expect_exact("gemini cannot be steered")
        child.sendline("and a second line")
        child.expect_exact("and a second line")  # echoed: the terminal took it, not said again
    finally:
        opened.set()
    child.expect_exact("first answer alpha")
    child.expect_exact("gemini> typed during the turn")  # kept, then run as the next turn
    child.expect_exact("second answer beta")
    child.expect_exact("gemini> and a second line")
    child.expect_exact("third")
    child.expect_exact("gemini>")
    assert "cannot be steered" not in (child.before or "")
    bodies = [str(r.body) for r in gemini_fake.model_requests()]
    assert "typed during the turn" not in bodies[0]
    assert "typed during the turn" in bodies[1] and "and a second line" in bodies[2]
