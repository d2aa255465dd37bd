"""Live session turns, with the agents named: a timed-out turn, a cancelled turn, one turn at a
time per session (the shared session suite is tests/contract/test_sessions.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy._errors import InvalidOptionsError, SessionBusyError
from oauthpy.testing import Hang, live_processes_with_env, text
from oauthpy.testing.processes import MARKER_VAR
from tests.support import assert_no_leftovers


@pytest.mark.parametrize(
    "provider", ["claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))]
)
def test_a_timed_out_live_turn_drops_the_agent_and_the_next_turn_goes_on_with_the_conversation(
    provider: str, request: pytest.FixtureRequest, workdir: Path
):
    # codex's timeouts are covered in test_live_codex.py. gemini cannot load a conversation
    # into a new ACP process: its next turn goes on headless with --resume.
    fake = request.getfixturevalue(f"{provider}_fake")
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
    fake = request.getfixturevalue(f"{provider}_fake")
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
