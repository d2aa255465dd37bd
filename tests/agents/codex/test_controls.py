"""Codex's session controls over app-server (issue 54): steer a running turn, rewind, compact,
context. The real pinned codex against the Responses fake."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from oauthpy import (
    Client,
    EventKind,
    InvalidOptionsError,
    SessionBusyError,
    SessionIdleError,
)
from oauthpy.testing import Tokens, shell, text
from tests.support import assert_no_leftovers

STEER = "STEER-MESSAGE: also say banana"
#: what codex asks the model for when it compacts a thread (vendor-notes agents-together §1.3)
COMPACTION = "CONTEXT CHECKPOINT COMPACTION"


def waits_for(release: Path) -> str:
    """A command that runs until the test creates ``release`` (bounded: at most a minute), so
    a steer surely arrives while the tool call is running."""
    return f"for i in $(seq 1 1200); do [ -f {release} ] && break; sleep 0.05; done; echo released"


def user_texts(request: Any) -> list[str]:
    """The user messages' texts of a model request, in order."""
    return [
        str(part.get("text"))
        for item in request.body["input"]
        if item.get("type") == "message" and item.get("role") == "user"
        for part in item.get("content") or ()
        if isinstance(part, dict)
    ]


def test_a_steer_from_another_task_reaches_the_running_turn_and_the_turn_ends_once(
    openai_fake, codex_env, workdir
):
    release = workdir / "release"
    openai_fake.script(shell(waits_for(release), say="Running."), text("Steered answer."))
    client = Client("codex", auth_source="external")

    async def main() -> list[Any]:
        async with client.asession(cwd=workdir, env=codex_env, timeout=120) as session:
            running = asyncio.Event()

            async def steer_once_the_command_runs() -> None:
                await running.wait()
                with pytest.raises(SessionBusyError):  # a rewind waits for the turn's end
                    await session.arewind(1)
                await session.asteer(STEER)
                release.write_text("go")

            steering = asyncio.create_task(steer_once_the_command_runs())
            events = []
            async for event in session.stream("run the slow command"):
                events.append(event)
                if event.kind is EventKind.COMMAND and event.status == "in_progress":
                    running.set()
            await steering
            asked = len(openai_fake.model_requests())
            with pytest.raises(SessionIdleError):  # the turn is over: nothing to steer
                await session.asteer("too late")
            assert len(openai_fake.model_requests()) == asked
            return events

    events = asyncio.run(main())
    done = [e for e in events if e.kind is EventKind.DONE]
    assert len(done) == 1 and done[0].text == "Steered answer."
    first, second = openai_fake.model_requests()
    assert STEER not in user_texts(first)
    # the same turn's next request: after the command's output, the steer
    kinds = [item.get("type") for item in second.body["input"]]
    assert kinds[-3:] == ["function_call", "function_call_output", "message"]
    assert user_texts(second)[-1] == STEER
    assert_no_leftovers(codex_env)


def test_a_steer_from_another_thread_reaches_a_turn_that_run_waits_for(openai_fake, codex_env, workdir):
    release = workdir / "release"
    openai_fake.script(shell(waits_for(release), say="Running."), text("Steered answer."))
    client = Client("codex", auth_source="external")
    running = threading.Event()
    failed: list[BaseException] = []

    def on_event(event: Any) -> None:  # on oauthpy's loop: it only signals the other thread
        if event.kind is EventKind.COMMAND and event.status == "in_progress":
            running.set()

    with client.session(cwd=workdir, env=codex_env, timeout=120) as session:

        def steer() -> None:
            try:
                if running.wait(120):
                    session.steer(STEER)
            except BaseException as exc:
                failed.append(exc)
            finally:
                release.write_text("go")

        helper = threading.Thread(target=steer)
        helper.start()
        try:
            result = session.run("run the slow command", on_event=on_event)
        finally:
            release.write_text("go")
            helper.join(120)
    assert not failed and result.text == "Steered answer."
    assert user_texts(openai_fake.model_requests()[-1])[-1] == STEER
    assert_no_leftovers(codex_env)


def test_rewind_drops_the_last_turn_from_what_the_next_turn_sends(openai_fake, codex_env, workdir):
    openai_fake.script(text("one"), text("two"), text("three"))
    client = Client("codex", auth_source="external")
    with client.session(cwd=workdir, env=codex_env, timeout=120) as session:
        session.run("first prompt")
        session.run("second prompt")
        asked = len(openai_fake.model_requests())
        with pytest.raises(InvalidOptionsError, match="has 2"):
            session.rewind(3)  # more turns than the conversation has: nothing is reverted
        session.rewind(1)
        assert len(openai_fake.model_requests()) == asked  # a rewind asks no model
        assert session.run("third prompt").text == "three"
    said = user_texts(openai_fake.model_requests()[-1])
    assert "first prompt" in said and "third prompt" in said
    assert "second prompt" not in said
    assert_no_leftovers(codex_env)


def test_compact_sends_codex_compaction_and_context_reports_used_and_window_tokens(
    openai_fake, codex_env, workdir
):
    openai_fake.script(text("one", usage=Tokens(input=1500, output=34)), text("A summary."), text("after"))
    client = Client("codex", auth_source="external")
    with client.session(cwd=workdir, env=codex_env, timeout=120) as session:
        session.run("first prompt")
        used = session.context()
        # the last request's whole size; codex's window for gpt-5.5 (95% of 272000, its reserve kept)
        assert used.used_tokens == 1534 and used.window_tokens == 258400
        assert used.left_tokens == 258400 - 1534
        session.compact()
        compaction = openai_fake.model_requests()[-1]
        assert COMPACTION in user_texts(compaction)[-1]
        assert compaction.body.get("tools") == []
        # codex's estimate of the compacted history replaces the last request's size
        assert session.context().used_tokens != 1534
        session.run("second prompt")
    # the next turn carries codex's summary, not the history it replaced
    said = "\n".join(user_texts(openai_fake.model_requests()[-1]))
    assert "A summary." in said and "second prompt" in said
    assert_no_leftovers(codex_env)


def test_a_resumed_session_rewinds_turns_an_earlier_process_ran(openai_fake, codex_env, workdir):
    openai_fake.script(text("one"), text("two"), text("three"), text("four"))
    client = Client("codex", auth_source="external")
    with client.session(cwd=workdir, env=codex_env, timeout=120) as session:
        session.run("first prompt")
        session.run("second prompt")
    with client.session(cwd=workdir, env=codex_env, timeout=120, resume=session.session_id) as again:
        with pytest.raises(SessionIdleError):  # a control starts no agent: no turn ran here yet
            again.rewind(1)
        again.run("third prompt")
        again.rewind(2)  # codex's own list of the thread's turns has the earlier process's too
        again.run("fourth prompt")
    said = user_texts(openai_fake.model_requests()[-1])
    assert "first prompt" in said and "fourth prompt" in said
    assert "second prompt" not in said and "third prompt" not in said
    assert_no_leftovers(codex_env)
