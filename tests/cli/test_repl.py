"""`oauthpy chat` in a real pseudo-terminal, with the real codex against the fake backend."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from oauthpy.testing import FakeResponsesServer, Hang, live_processes_with_env, text
from oauthpy.testing.processes import MARKER_VAR

PROMPT = "codex>"  # prompt-toolkit styles the space after it separately


@pytest.fixture
def chat(openai_fake: FakeResponsesServer, codex_env: dict[str, str], workdir: Path):
    env = {**os.environ, **codex_env, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "oauthpy.cli", "chat", "-p", "codex", "--cwd", str(workdir)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
    )
    child.expect_exact(PROMPT)
    yield child
    if child.isalive():
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    child.close()


def _vendor_processes(child: pexpect.spawn, env: dict[str, str]) -> list[int]:
    return [pid for pid in live_processes_with_env(MARKER_VAR, env[MARKER_VAR]) if pid != child.pid]


def test_two_turns_continue_the_session_and_model_and_completion_work(
    chat: pexpect.spawn, openai_fake: FakeResponsesServer
):
    openai_fake.script(text("first answer alpha"), text("second answer beta"), text("third answer gamma"))
    chat.sendline("first question one")
    chat.expect_exact("first answer alpha")
    chat.expect_exact(PROMPT)
    chat.sendline("second question two")
    chat.expect_exact("second answer beta")
    chat.expect_exact(PROMPT)
    second = openai_fake.model_requests()[1].body_text
    assert "first question one" in second and "first answer alpha" in second  # codex's own history

    chat.send("/avai\t")  # tab completes the unique slash command
    chat.expect_exact("/available")
    chat.send("\r")
    chat.expect_exact("yes")
    chat.expect_exact(PROMPT)

    chat.sendline("/mo x")  # /model and /models: not unique
    chat.expect_exact("ambiguous")
    chat.sendline("/ti 45")  # a unique prefix of /timeout
    chat.expect_exact("timeout: 45 s")
    chat.sendline("/model test-model-7")
    chat.expect_exact("model: test-model-7")
    chat.sendline("third question three")
    chat.expect_exact("third answer gamma")
    chat.expect_exact(PROMPT)
    assert openai_fake.model_requests()[-1].body["model"] == "test-model-7"

    chat.sendline("/exit")
    chat.expect(pexpect.EOF)
    chat.close()
    assert chat.exitstatus == 0


def test_ctrl_c_stops_the_run_and_returns_to_the_prompt(
    chat: pexpect.spawn, openai_fake: FakeResponsesServer, codex_env: dict[str, str]
):
    openai_fake.script(Hang(60), text("after the interrupt"))
    chat.sendline("this will hang")
    openai_fake.wait_for_model_request()
    running = _vendor_processes(chat, codex_env)
    assert running  # codex is running the turn
    chat.sendintr()
    chat.expect_exact("interrupted")
    chat.expect_exact(PROMPT)
    # the turn was interrupted, not the live agent: the same process takes the next turn
    assert _vendor_processes(chat, codex_env) == running
    chat.sendline("still there?")
    chat.expect_exact("after the interrupt")
    chat.expect_exact(PROMPT)
    assert _vendor_processes(chat, codex_env) == running


def test_slash_run_is_a_one_shot_outside_the_session(chat: pexpect.spawn, openai_fake: FakeResponsesServer):
    openai_fake.script(text("one-shot answer"), text("session answer"))
    chat.sendline("/run a lone question")
    chat.expect_exact("one-shot answer")
    chat.expect_exact(PROMPT)
    chat.sendline("next turn")
    chat.expect_exact("session answer")
    chat.expect_exact(PROMPT)
    # the session's first turn does not carry the one-shot's conversation
    assert "a lone question" not in openai_fake.model_requests()[1].body_text


def test_resume_continues_a_saved_session_and_a_wrong_id_fails_before_anything_starts(
    openai_fake: FakeResponsesServer, codex_env: dict[str, str], workdir: Path
):
    from oauthpy import Client

    openai_fake.script(text("remembered fact gamma"), text("recalled it"))
    first = Client("codex", auth_source="external", env=codex_env).run("remember gamma", cwd=workdir)
    env = {**os.environ, **codex_env, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "NO_COLOR": "1"}
    argv = ["-m", "oauthpy.cli", "chat", "-p", "codex", "--cwd", str(workdir), "--resume"]
    child = pexpect.spawn(
        sys.executable, [*argv, str(first.session_id)], env=env, encoding="utf-8", timeout=60
    )
    child.expect_exact(f"continuing session {first.session_id}")
    child.expect_exact(PROMPT)
    child.sendline("what did I ask you to remember?")
    child.expect_exact("recalled it")
    child.expect_exact(PROMPT)
    child.sendline("/exit")
    child.expect(pexpect.EOF)
    child.close()
    last = openai_fake.model_requests()[-1].body_text
    assert "remember gamma" in last and "remembered fact gamma" in last  # the saved conversation
    wrong = pexpect.spawn(sys.executable, [*argv, "not-an-id"], env=env, encoding="utf-8", timeout=60)
    wrong.expect_exact("error: resume must be a codex session id")
    wrong.expect(pexpect.EOF)
    wrong.close()
    assert wrong.exitstatus == 2 and len(openai_fake.model_requests()) == 2
