"""Gemini over the live ACP agent (`gemini --acp`): deltas as they happen, a session on one
process, interrupting a turn, API failures, warm agents inside ``with Client``, resuming a
conversation in another process, and nothing left running. The real pinned CLI against the fake."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from oauthpy import (
    AuthRequiredError,
    Client,
    CommandExecutionError,
    EventKind,
    RateLimitError,
    TimeoutExceededError,
)
from oauthpy._agents.gemini.fake import shell_call
from oauthpy.testing import Cut, Gate, Hang, HttpError, Reply, text
from oauthpy.testing.processes import live_processes_with_env
from tests.support import MARKER_VAR, answer_from_a_client_never_exited, assert_no_leftovers

pytestmark = pytest.mark.xdist_group("gemini")
MODEL = "gemini-2.5-flash"  # an explicit model avoids the CLI's router call
YOLO = {"yolo": True}  # the shell tool runs without asking


def acp_agents(env: dict[str, str]) -> list[int]:
    """The live ``gemini --acp`` processes of a test (the launcher and the node it re-executes)."""
    found = []
    for pid in live_processes_with_env(MARKER_VAR, env[MARKER_VAR]):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--acp" in argv:
            found.append(pid)
    return sorted(found)


def bodies(fake) -> list[str]:
    return [r.body_text for r in fake.model_requests()]


def test_text_deltas_arrive_while_the_turn_is_still_running(gemini_fake, gemini_env, workdir):
    held = threading.Event()  # the second model reply waits until the test has seen the first's deltas
    gemini_fake.script(
        Reply(text="Working on it now.", tool_calls=shell_call("echo hi").tool_calls),
        Gate(held, text("Finished.")),
    )
    client = Client("gemini", auth_source="external", transport="acp")

    async def main() -> tuple[list[str], str]:
        deltas: list[str] = []
        done = ""
        async for event in client.stream(
            "go", cwd=workdir, env=gemini_env, model=MODEL, timeout=60, provider_options=YOLO
        ):
            if event.kind is EventKind.MESSAGE and event.delta:
                deltas.append(event.text)
                if "".join(deltas) == "Working on it now.":
                    assert not held.is_set()  # the turn is still waiting on the model
                    held.set()
            elif event.kind is EventKind.DONE:
                done = event.text
        return deltas, done

    try:
        deltas, done = asyncio.run(main())
    finally:
        held.set()
    assert "".join(deltas) == "Working on it now.Finished." and done == "Finished."
    assert_no_leftovers(gemini_env)


def test_a_ten_turn_session_runs_on_one_process_and_gemini_sends_every_earlier_turn(
    gemini_fake, gemini_env, workdir
):
    gemini_fake.script(*(text(f"answer {i}") for i in range(10)))
    with Client("gemini", auth_source="external", env=gemini_env).session(cwd=workdir, model=MODEL) as chat:
        first = chat.run("question 0")
        agent = acp_agents(gemini_env)
        assert agent and first.transport == "acp"
        for i in range(1, 10):
            result = chat.run(f"question {i}")
            assert result.text == f"answer {i}" and result.session_id == first.session_id
            sent = bodies(gemini_fake)[-1]
            assert all(f"question {k}" in sent and f"answer {k - 1}" in sent for k in range(1, i + 1))
        assert acp_agents(gemini_env) == agent  # the same process took every turn
    assert_no_leftovers(gemini_env)


def test_breaking_out_of_a_turn_cancels_it_and_the_next_turn_goes_on_in_the_same_process(
    gemini_fake, gemini_env, workdir
):
    held = threading.Event()
    gemini_fake.script(
        text("noted plum"),
        Reply(text="Starting.", tool_calls=shell_call("echo hi").tool_calls),
        Gate(held, text("never seen"), timeout_s=30),
        text("Third answer."),
    )
    client = Client("gemini", auth_source="external", env=gemini_env)
    try:
        with client.session(cwd=workdir, model=MODEL, timeout=60, provider_options=YOLO) as chat:
            chat.run("remember plum")
            agent = acp_agents(gemini_env)
            for event in chat.stream_sync("second question"):
                if event.kind is EventKind.COMMAND and event.status != "in_progress":
                    gemini_fake.wait_for_model_requests(3)  # the turn now waits on the model
                    break  # mid-turn
            result = chat.run("third question")
            assert result.text == "Third answer." and result.transport == "acp"
            assert acp_agents(gemini_env) == agent  # cancelled, not killed
            # gemini drops a cancelled turn from its history (codex and claude keep it); the
            # turns before it stay
            sent = bodies(gemini_fake)[-1]
            assert "remember plum" in sent and "noted plum" in sent and "second question" not in sent
    finally:
        held.set()
    assert_no_leftovers(gemini_env)


@pytest.mark.parametrize(
    ("step", "error", "transient"),
    [
        (HttpError(401, "API key not valid"), AuthRequiredError, False),
        (HttpError(429, "Resource exhausted"), RateLimitError, True),
        (HttpError(500, "boom"), CommandExecutionError, True),
        (Cut("half an ans"), CommandExecutionError, True),
    ],
    ids=["401", "429", "500", "cut"],
)
def test_an_api_failure_is_typed_and_the_warm_agent_serves_the_next_run(
    step, error, transient, gemini_fake, gemini_env, workdir
):
    gemini_fake.script(step, text("fine again"))
    with Client("gemini", auth_source="external", env=gemini_env) as client:
        with pytest.raises(error) as info:
            client.run("q1", cwd=workdir, model=MODEL)
        assert getattr(info.value, "transient", False) is transient
        agent = acp_agents(gemini_env)
        assert agent  # the process stays up after the model API failed
        assert client.run("q2", cwd=workdir, model=MODEL).text == "fine again"
        assert acp_agents(gemini_env) == agent
    assert_no_leftovers(gemini_env)


def test_a_turn_that_never_answers_ends_by_its_timeout_with_nothing_left(gemini_fake, gemini_env, workdir):
    gemini_fake.script(Hang(30), text("next"))
    with Client("gemini", auth_source="external", env=gemini_env) as client:
        with pytest.raises(TimeoutExceededError, match="idle timeout"):
            client.run("q", cwd=workdir, model=MODEL, idle_timeout=3)
        assert acp_agents(gemini_env) == []  # a timed-out agent is stopped, not kept
        assert client.run("q2", cwd=workdir, model=MODEL).text == "next"
    assert_no_leftovers(gemini_env)


def test_warm_runs_share_one_process_each_in_its_own_acp_session_with_its_cwd_and_model(
    gemini_fake, gemini_env, workdir
):
    other = workdir / "other"
    other.mkdir()
    gemini_fake.script(text("one"), text("two"), text("three"))
    with Client("gemini", auth_source="external", env=gemini_env) as client:
        r1 = client.run("first prompt", cwd=workdir, model=MODEL)
        agent = acp_agents(gemini_env)
        r2 = client.run("second prompt", cwd=other, model="gemini-2.5-pro")
        r3 = client.run("third prompt", cwd=workdir, model=MODEL)
        assert acp_agents(gemini_env) == agent
        pool = client._runner.pool
        assert pool is not None and (pool.started, pool.reused) == (1, 2)
    assert [r.text for r in (r1, r2, r3)] == ["one", "two", "three"]
    assert {r.transport for r in (r1, r2, r3)} == {"acp"}
    assert len({r.session_id for r in (r1, r2, r3)}) == 3  # a new ACP session per run
    paths = [r.path for r in gemini_fake.model_requests()]
    assert "gemini-2.5-pro" in paths[1] and MODEL in paths[0] and MODEL in paths[2]
    assert r2.model == "gemini-2.5-pro"
    assert "first prompt" not in bodies(gemini_fake)[1]  # no run sees another's conversation
    assert str(other) in bodies(gemini_fake)[1]  # gemini's context names the run's own folder
    assert_no_leftovers(gemini_env)


def test_a_session_resumed_in_a_new_process_carries_the_earlier_turns(gemini_fake, gemini_env, workdir):
    gemini_fake.script(text("noted kiwi"), text("noted lime"), text("you said kiwi and lime"))
    client = Client("gemini", auth_source="external", env=gemini_env)
    with client.session(cwd=workdir, model=MODEL) as chat:
        chat.run("remember kiwi")
        chat.run("remember lime")
        session_id = chat.session_id
    assert_no_leftovers(gemini_env)
    # a new process, as a later program would: gemini wrote the ACP turns to its chat files
    with Client("gemini", auth_source="external", env=gemini_env).session(
        cwd=workdir, model=MODEL, resume=session_id
    ) as later:
        result = later.run("what did I ask?")
    assert result.text == "you said kiwi and lime" and result.session_id == session_id
    assert result.transport == "stream-json"  # ACP 0.61 cannot load a session (docs/live.md)
    sent = bodies(gemini_fake)[-1]
    assert "remember kiwi" in sent and "noted lime" in sent and "what did I ask?" in sent
    assert_no_leftovers(gemini_env)


def test_a_session_whose_process_died_goes_on_with_its_conversation(gemini_fake, gemini_env, workdir):
    gemini_fake.script(text("noted fig"), text("fig it was"))
    with Client("gemini", auth_source="external", env=gemini_env).session(cwd=workdir, model=MODEL) as chat:
        chat.run("remember fig")
        # a resume carries what gemini wrote to its chat files: on a loaded machine the turn's
        # lines may land there just after its answer, and a kill before them loses that turn
        _wait_for_the_chat_files_to_hold("noted fig", gemini_env)
        for pid in acp_agents(gemini_env):
            os.kill(pid, signal.SIGKILL)
        assert_no_leftovers(gemini_env, within_s=10)  # dead (zombies count as dead)
        result = chat.run("which fruit?")
    assert result.text == "fig it was" and result.session_id == chat.session_id
    assert "remember fig" in bodies(gemini_fake)[-1], _chat_files(gemini_env)
    assert_no_leftovers(gemini_env)


def _chat_files(env: dict[str, str]) -> str:
    return "".join(path.read_text() for path in sorted(Path(env["GEMINI_CLI_HOME"]).rglob("session-*.jsonl")))


def _wait_for_the_chat_files_to_hold(words: str, env: dict[str, str], within_s: float = 10.0) -> None:
    deadline = time.monotonic() + within_s
    while words not in _chat_files(env):
        assert time.monotonic() < deadline, f"gemini's chat files lack {words!r} after {within_s:g} s"
        time.sleep(0.05)


def test_gemini_lists_the_models_of_a_new_acp_session(gemini_env):
    models = Client("gemini", auth_source="external", env=gemini_env).models()
    assert models and {m.source for m in models} == {"vendor"}
    assert sum(m.is_default for m in models) == 1 and "gemini-2.5-pro" in {m.id for m in models}
    assert_no_leftovers(gemini_env)


def test_a_warm_agent_never_outlives_the_interpreter(gemini_fake, gemini_env, workdir):
    gemini_fake.script(text("one"))
    assert answer_from_a_client_never_exited("gemini", workdir, gemini_env, "gemini-2.5-flash") == "one"
    assert_no_leftovers(gemini_env)
