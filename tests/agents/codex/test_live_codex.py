"""Codex over the live app-server: deltas as they happen, interrupting a session turn, warm
agents inside ``with Client``. The real pinned binary against the fake."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, EventKind, TimeoutExceededError
from oauthpy._run_marks import parent_of
from oauthpy._transports.live import LiveAgent
from oauthpy.testing import Gate, Hang, shell, text
from oauthpy.testing.processes import live_processes_with_env
from tests.support import MARKER_VAR, answer_from_a_client_never_exited, assert_no_leftovers


def app_servers(env: dict[str, str]) -> list[int]:
    """The live ``codex app-server`` agents of a test (found by its env marker): one pid each,
    the top of its chain (npm's ``codex`` is a node launcher whose child, the native binary,
    has the same arguments)."""
    found = app_server_processes(env)
    return [pid for pid in found if parent_of(pid) not in found]


def app_server_processes(env: dict[str, str]) -> list[int]:
    found = []
    for pid in live_processes_with_env(MARKER_VAR, env[MARKER_VAR]):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"app-server" in argv:
            found.append(pid)
    return found


def test_text_deltas_arrive_while_the_turn_is_still_running_and_join_to_the_final_text(
    openai_fake, codex_env, workdir
):
    # The first model reply streams a sentence and asks for a command; the second is held
    # back until the test has seen the sentence's deltas: they cannot have been buffered.
    held = threading.Event()
    openai_fake.script(shell("echo hi", say="Working on it now."), Gate(held, text("Finished.")))
    client = Client("codex", auth_source="external")

    async def main() -> tuple[list[str], list[str], str]:
        deltas: list[str] = []
        whole: list[str] = []
        done = ""
        async for event in client.stream("go", cwd=workdir, env=codex_env, timeout=60):
            if event.kind is EventKind.MESSAGE and event.delta:
                deltas.append(event.text)
                if "".join(deltas) == "Working on it now.":
                    assert not held.is_set()  # the turn is still waiting on the model
                    held.set()
            elif event.kind is EventKind.MESSAGE:
                whole.append(event.text)
            elif event.kind is EventKind.DONE:
                done = event.text
        return deltas, whole, done

    deltas, whole, done = asyncio.run(main())
    assert held.is_set()
    assert "".join(deltas) == "Working on it now.Finished."
    assert whole == ["Working on it now.", "Finished."] and done == "Finished."
    assert_no_leftovers(codex_env)


def test_breaking_out_of_a_session_turn_interrupts_it_and_the_next_turn_continues_on_the_same_agent(
    openai_fake, codex_env, workdir
):
    held = threading.Event()  # turn 1's second model request waits here until interrupted
    openai_fake.script(
        shell("echo hi", say="Starting."),
        Gate(held, text("never seen"), timeout_s=30),
        text("Second answer."),
    )
    client = Client("codex", auth_source="external")
    try:
        with client.session(cwd=workdir, env=codex_env, timeout=60) as session:
            for event in session.stream_sync("first question"):
                if event.kind is EventKind.COMMAND and event.status != "in_progress":
                    openai_fake.wait_for_model_requests(2)  # the turn now waits on the model
                    agent = app_servers(codex_env)
                    break  # mid-turn
            assert len(agent) == 1
            result = session.run("second question")
            assert result.text == "Second answer."
            assert app_servers(codex_env) == agent  # the same live process took the next turn
            # the vendor conversation went on: the model saw the first question again
            last = openai_fake.model_requests()[-1].body
            assert "first question" in str(last["input"]) and "second question" in str(last["input"])
            assert result.session_id and session.session_id == result.session_id
    finally:
        held.set()
    assert_no_leftovers(codex_env)


def test_a_session_turn_cancelled_before_turn_start_has_answered_is_interrupted_and_keeps_its_agent(
    openai_fake, codex_env, workdir, monkeypatch
):
    # Under load the model can be asked before oauthpy has read turn/start's answer (the turn's
    # id): a cancel then must still interrupt the turn (its id comes with turn/started), not
    # close the session's process. Here that answer is never handed to the turn at all.
    openai_fake.script(text("one"), Hang(30), text("after the interrupt"))
    sent = LiveAgent.request
    answers: list[asyncio.Future[Any]] = []

    async def answer_left_unread(self: LiveAgent, method: str, params: Any, deadline: float | None) -> Any:
        if method != "turn/start" or not answers_held:
            return await sent(self, method, params, deadline)
        answers.append(asyncio.ensure_future(sent(self, method, params, deadline)))
        await asyncio.Event().wait()  # cancelled from here

    answers_held = False
    monkeypatch.setattr(LiveAgent, "request", answer_left_unread)

    async def main() -> tuple[list[int], list[int], str]:
        nonlocal answers_held
        async with Client("codex", auth_source="external", env=codex_env).asession(cwd=workdir) as chat:
            await chat.arun("first", timeout=60)
            agent = app_servers(codex_env)
            answers_held = True
            hung = asyncio.ensure_future(chat.arun("this one hangs", timeout=60))
            await asyncio.to_thread(openai_fake.wait_for_model_requests, 2)  # the turn is running
            hung.cancel()
            with pytest.raises(asyncio.CancelledError):
                await hung
            answers_held = False
            after = app_servers(codex_env)
            third = await chat.arun("and now?", timeout=60)
            return agent, after, third.text

    agent, after, answer = asyncio.run(main())
    assert len(agent) == 1 and after == agent  # interrupted, not killed
    assert answer == "after the interrupt"
    assert "first" in str(openai_fake.model_requests()[-1].body["input"])  # the same conversation
    assert_no_leftovers(codex_env)


def test_runs_inside_with_client_reuse_one_warm_agent_and_nothing_is_left_after_the_block(
    openai_fake, codex_env, workdir
):
    openai_fake.script(*(text(f"answer {i}") for i in range(5)))
    with Client("codex", auth_source="external") as client:
        first = client.run("q0", cwd=workdir, env=codex_env)
        warm = app_servers(codex_env)
        assert len(warm) == 1  # kept alive between runs
        results = [client.run(f"q{i}", cwd=workdir, env=codex_env) for i in range(1, 4)]
        answers = [r.text for r in results]
        assert app_servers(codex_env) == warm  # runs 2..4 on the same process
        # each run is a fresh thread: no run sees another's prompt
        assert "q0" not in str(openai_fake.model_requests()[-1].body["input"])
        assert len({first.session_id, *(r.session_id for r in results)}) == 4
        # a different process-level setting (env) gets a process of its own
        other = client.run("q4", cwd=workdir, env={**codex_env, "OAUTHPY_SOME_SETTING": "1"})
        assert other.text == "answer 4" and len(app_servers(codex_env)) == 2
    assert answers == ["answer 1", "answer 2", "answer 3"]
    assert_no_leftovers(codex_env)


def test_a_warm_agent_that_died_is_not_reused(openai_fake, codex_env, workdir):
    openai_fake.script(text("one"), text("two"))
    with Client("codex", auth_source="external") as client:
        assert client.run("q1", cwd=workdir, env=codex_env).text == "one"
        (dead,) = app_servers(codex_env)
        for pid in app_server_processes(codex_env):  # the launcher too, when there is one
            os.kill(pid, signal.SIGKILL)
        assert client.run("q2", cwd=workdir, env=codex_env).text == "two"  # a new process, not an error
        assert dead not in app_servers(codex_env)
    assert_no_leftovers(codex_env)


def test_outside_a_with_block_each_run_ends_its_own_agent(openai_fake, codex_env, workdir):
    openai_fake.script(text("one"))
    assert Client("codex", auth_source="external").run("q", cwd=workdir, env=codex_env).text == "one"
    assert app_servers(codex_env) == []
    assert_no_leftovers(codex_env, within_s=0.0)


def test_the_model_comes_from_codex_itself(openai_fake, codex_env, workdir):
    openai_fake.script(text("hi"))
    result = Client("codex", auth_source="external").run("q", cwd=workdir, env=codex_env)
    assert result.transport == "app-server" and result.model == "gpt-5.5"  # the fake config's model


def test_codex_lists_its_models_from_the_vendor_and_claude_from_the_catalog(codex_env):
    models = Client("codex", auth_source="external", env=codex_env).models()
    assert models and all(m.source == "vendor" for m in models)
    assert sum(m.is_default for m in models) == 1
    assert all(m.efforts and m.display_name for m in models)
    assert app_servers(codex_env) == []  # the listing process is gone
    claude = Client("claude").models()  # gemini's come from gemini: test_live_gemini.py
    assert {m.source for m in claude} == {"catalog"}
    assert [m.id for m in claude if m.is_default] == ["default"] and "sonnet" in {m.id for m in claude}


def test_an_idle_warm_agent_closes_after_keep_alive(openai_fake, codex_env, workdir):
    openai_fake.script(text("one"))
    with Client("codex", auth_source="external", keep_alive=0.2) as client:
        client.run("q", cwd=workdir, env=codex_env)
        assert_no_leftovers(codex_env, within_s=10)  # gone while the block is still open


def test_a_run_that_timed_out_never_gives_its_agent_back(openai_fake, codex_env, workdir):
    openai_fake.script(text("one"), Hang(30), text("three"))

    async def main() -> None:
        async with Client("codex", auth_source="external") as client:
            await client.arun("q1", cwd=workdir, env=codex_env)
            (first,) = app_servers(codex_env)
            with pytest.raises(TimeoutExceededError):
                await client.arun("q2", cwd=workdir, env=codex_env, timeout=2)
            assert first not in app_servers(codex_env)  # stopped, not pooled
            assert (await client.arun("q3", cwd=workdir, env=codex_env)).text == "three"

    asyncio.run(main())
    assert_no_leftovers(codex_env)


def test_a_warm_agent_never_outlives_the_interpreter(openai_fake, codex_env, workdir):
    openai_fake.script(text("one"))
    assert answer_from_a_client_never_exited("codex", workdir, codex_env, None) == "one"
    assert_no_leftovers(codex_env)
