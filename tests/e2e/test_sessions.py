"""Native multi-turn sessions with each real CLI against its fake backend."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from oauthpy import Client, SessionClosedError
from oauthpy._errors import CommandExecutionError, InvalidOptionsError, SessionBusyError, SessionNotFoundError
from oauthpy.testing import Hang, live_processes_with_env, text
from oauthpy.testing.processes import MARKER_VAR
from tests.support import Rig, assert_no_leftovers, count_spawns

UNKNOWN_ID = "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"


def test_second_turn_continues_the_vendors_own_conversation(rig: Rig):
    rig.fake.script(text("first answer alpha"), text("second answer beta"))
    with rig.client().session(cwd=rig.work, model=rig.model) as chat:
        r1 = chat.run("first question one")
        r2 = chat.run("second question two")
        assert chat.session_id == r1.session_id == r2.session_id
    assert r1.session_id and (r1.text, r2.text) == ("first answer alpha", "second answer beta")
    last = rig.model_bodies()[-1]
    # The vendor sent its own history: our second prompt did not carry the first exchange.
    assert "first question one" in last and "first answer alpha" in last and "second question two" in last
    assert_no_leftovers(rig.env)


def test_a_one_shot_run_is_resumed_by_id_from_a_new_client(rig: Rig):
    rig.fake.script(text("remembered fact gamma"), text("recalled"))
    first = rig.client().run("remember gamma", cwd=rig.work, model=rig.model)
    assert first.session_id
    with rig.client().session(cwd=rig.work, model=rig.model, resume=first.session_id) as later:
        again = later.run("what did I ask you to remember?")
    assert again.text == "recalled" and again.session_id == first.session_id
    last = rig.model_bodies()[-1]
    assert "remember gamma" in last and "remembered fact gamma" in last
    assert_no_leftovers(rig.env)


def test_a_run_inside_with_client_is_resumed_by_a_session_of_the_same_client(rig: Rig):
    # the run's warm agent is idle in the pool and may still hold the conversation
    rig.fake.script(text("remembered fact delta"), text("recalled"))
    with rig.client() as client:
        first = client.run("remember delta", cwd=rig.work, model=rig.model)
        with client.session(cwd=rig.work, model=rig.model, resume=first.session_id) as later:
            again = later.run("what did I ask you to remember?")
    assert again.text == "recalled" and again.session_id == first.session_id
    assert "remembered fact delta" in rig.model_bodies()[-1]


def test_an_unknown_session_id_fails_fast_with_session_not_found(rig: Rig):
    spawns = count_spawns(rig)
    rig.fake.script(text("the folder's own session"), text("must not be reached"))

    def resume_unknown() -> None:
        # max_retries: the vendor's answer is final, so exactly one process is started
        chat = rig.client().session(
            cwd=rig.work, model=rig.model, resume=UNKNOWN_ID, provider_options={"max_retries": 2}
        )
        # A hang would end in TimeoutExceededError instead: the vendor's own answer must come first.
        with chat, pytest.raises(SessionNotFoundError) as err:
            chat.run("hello?", timeout=20)
        assert err.value.session_id == UNKNOWN_ID and UNKNOWN_ID in str(err.value)

    resume_unknown()  # a folder with no session yet
    assert spawns.read_text().splitlines() == ["started"]
    assert rig.model_bodies() == []
    rig.run("start a session here")  # gemini answers an unknown id differently once there is one
    resume_unknown()
    assert spawns.read_text().splitlines() == ["started"] * 3
    assert len(rig.model_bodies()) == 1
    assert_no_leftovers(rig.env)


def test_a_failed_turn_leaves_the_session_usable(rig: Rig):
    failed = [rig.api_error(500, "server fell over")] * (1 + rig.own_retries)  # and the agent's retries
    rig.fake.script(text("noted delta"), *failed, text("still here"))
    with rig.client().session(cwd=rig.work, model=rig.model) as chat:
        chat.run("note delta")
        with pytest.raises(CommandExecutionError):
            chat.run("this one fails")
        r3 = chat.run("are you still there?")
    assert r3.text == "still here"
    last = rig.model_bodies()[-1]
    assert "note delta" in last and "noted delta" in last
    assert_no_leftovers(rig.env)


def test_closing_a_session_ends_its_processes(rig: Rig):
    rig.fake.script(text("one"), text("two"))
    chat = rig.client().session(cwd=rig.work, model=rig.model)
    chat.run("turn one")
    if rig.provider == "claude":
        # claude keeps one CLI connected for the whole session (much faster turns)
        assert live_processes_with_env(MARKER_VAR, rig.env[MARKER_VAR])
    chat.close()
    assert_no_leftovers(rig.env)
    with pytest.raises(SessionClosedError, match="closed"):
        chat.run("after close")


FAKES = {"codex": "openai_fake", "claude": "anthropic_fake", "gemini": "gemini_fake"}


@pytest.mark.parametrize(
    "provider", ["claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))]
)
def test_a_timed_out_live_turn_drops_the_agent_and_the_next_turn_goes_on_with_the_conversation(
    provider: str, request: pytest.FixtureRequest, workdir: Path
):
    # codex's timeouts are covered in test_live_codex.py. gemini cannot load a conversation
    # into a new ACP process: its next turn goes on headless with --resume.
    fake = request.getfixturevalue(FAKES[provider])
    env = request.getfixturevalue(f"{provider}_env")
    fake.script(text("kept epsilon"), Hang(30), text("back again"))
    with Client(provider, auth_source="external", env=env).session(cwd=workdir) as chat:
        chat.run("keep epsilon")
        with pytest.raises(TimeoutError):
            chat.run("this one hangs", timeout=3)
        assert_no_leftovers(env)  # the hung CLI is gone before the next turn
        r3 = chat.run("and now?")
    assert r3.text == "back again" and r3.session_id == chat.session_id
    assert "keep epsilon" in fake.model_requests()[-1].body_text
    assert_no_leftovers(env)


def test_one_turn_at_a_time_per_session_but_sessions_run_concurrently(openai_fake, codex_env, workdir: Path):
    openai_fake.script(text("a"))
    client = Client("codex", auth_source="external", env=codex_env)

    async def main() -> None:
        async with client.asession(cwd=workdir) as chat:
            first = chat.stream("turn one")
            await first.__anext__()
            with pytest.raises(SessionBusyError):
                await chat.stream("turn two").__anext__()
            await first.aclose()
        async with client.asession(cwd=workdir) as a, client.asession(cwd=workdir) as b:
            ra, rb = await asyncio.gather(a.arun("left"), b.arun("right"))
        assert ra.text == rb.text == "a" and ra.session_id != rb.session_id

    asyncio.run(main())
    assert_no_leftovers(codex_env)


def test_session_arguments_are_checked_before_anything_starts(workdir: Path):
    client = Client("codex", auth_source="external")
    with pytest.raises(InvalidOptionsError, match="resume"):
        client.session(cwd=workdir, resume="--oops")
    with pytest.raises(InvalidOptionsError, match="cwd does not exist"):
        client.session(cwd=workdir / "missing")
    with client.session(cwd=workdir) as chat:
        with pytest.raises(TypeError, match="keeps the cwd"):
            chat.run("x", cwd=workdir)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match=r"Session.run\(\) got an unexpected keyword argument 'colour'"):
            chat.run("x", colour="blue")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "provider", ["codex", "claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))]
)
def test_cancelling_a_live_session_turn_interrupts_it_and_the_same_agent_takes_the_next_turn(
    provider: str, request: pytest.FixtureRequest, workdir: Path
):
    fake = request.getfixturevalue(FAKES[provider])
    env = request.getfixturevalue(f"{provider}_env")
    fake.script(text("kept zeta"), Hang(30), text("after the interrupt"))

    async def main() -> tuple[list[int], list[int], str]:
        async with Client(provider, auth_source="external", env=env).asession(cwd=workdir) as chat:
            await chat.arun("keep zeta", timeout=60)
            agent = live_processes_with_env(MARKER_VAR, env[MARKER_VAR])
            hung = asyncio.ensure_future(chat.arun("this one hangs", timeout=60))
            await asyncio.to_thread(fake.wait_for_model_requests, 2)  # the turn waits on the model
            hung.cancel()
            with pytest.raises(asyncio.CancelledError):
                await hung
            after = live_processes_with_env(MARKER_VAR, env[MARKER_VAR])
            r3 = await chat.arun("and now?", timeout=60)
            assert chat.session_id == r3.session_id
            return agent, after, r3.text

    agent, after, answer = asyncio.run(main())
    assert agent and sorted(after) == sorted(agent)  # interrupted, not killed and restarted
    assert answer == "after the interrupt"
    assert "keep zeta" in fake.model_requests()[-1].body_text  # the conversation went on
    assert_no_leftovers(env)
