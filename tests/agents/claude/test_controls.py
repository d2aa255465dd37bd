"""Claude's session controls through the real bundled CLI against the fake: a steer reaches the
running turn's next model request, rewind drops turns, compact runs the CLI's ``/compact``,
context reads ``get_context_usage()`` (oauthpy._agents.claude.controls)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import EventKind, InvalidOptionsError, SessionIdleError
from oauthpy.testing import Match, call_tool, text
from tests.support import Rig, assert_no_leftovers, open_rig

STEER = "STEER-7f3a: also mention bananas"
WAIT_S = 60.0


@pytest.fixture
def claude(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("claude", tmp_path) as rig:
        yield rig


class SlowTool:
    """A tool that says when it was called, then waits until the test lets it finish."""

    def __init__(self) -> None:
        self.called = threading.Event()
        self.release = threading.Event()

    def slow_step(self) -> str:
        """A slow step of the task."""
        self.called.set()
        assert self.release.wait(WAIT_S), "the test never let the tool finish"
        return "slow step done"


def test_a_steer_from_another_task_reaches_the_running_turns_next_model_request(claude: Rig) -> None:
    claude.fake.script(call_tool("slow_step", {}), text("done, with bananas"), text("second turn answer"))
    slow = SlowTool()

    async def main() -> tuple[list[object], str]:
        client = claude.client()
        async with client.session(cwd=claude.work, tools=[slow.slow_step]) as chat:
            steering: asyncio.Task[None] | None = None
            events = []
            async for event in chat.stream("run the slow step"):
                events.append(event)
                if event.kind is EventKind.TOOL and event.status == "in_progress" and steering is None:
                    # the model's request that called the tool is answered; the tool waits

                    async def steer() -> None:
                        await chat.asteer(STEER)
                        slow.release.set()

                    steering = asyncio.create_task(steer())
            assert steering is not None
            await steering
            following = await chat.arun("and now?")
            return events, following.text

    events, following = asyncio.run(main())
    requests = claude.fake.model_requests()
    assert STEER not in requests[0].body_text
    assert STEER in requests[1].body_text  # the same turn's next request, beside the tool result
    done = [e for e in events if e.kind is EventKind.DONE]
    assert len(done) == 1 and done[0].text == "done, with bananas"
    assert following == "second turn answer"  # the next turn reads its own end
    assert len(requests) == 3
    assert_no_leftovers(claude.env)


def test_a_steer_from_another_thread_while_run_waits(claude: Rig) -> None:
    claude.fake.script(call_tool("slow_step", {}), text("steered answer"), text("next answer"))
    slow = SlowTool()
    client = claude.client()
    failures: list[BaseException] = []
    with client.session(cwd=claude.work, tools=[slow.slow_step]) as chat:

        def steer() -> None:
            try:
                assert slow.called.wait(WAIT_S), "the tool was never called"
                chat.steer(STEER)
            except BaseException as exc:
                failures.append(exc)
            finally:
                slow.release.set()

        helper = threading.Thread(target=steer)
        helper.start()
        result = chat.run("run the slow step")
        helper.join(WAIT_S)
        assert not failures
        assert result.text == "steered answer"
        assert [e.kind for e in result.events].count(EventKind.DONE) == 1
        assert chat.run("next").text == "next answer"
        with pytest.raises(SessionIdleError):
            chat.steer("nobody is listening")  # no turn runs: nothing is sent
    requests = claude.fake.model_requests()
    assert STEER not in requests[0].body_text and STEER in requests[1].body_text
    assert len(requests) == 3  # the refused steer made no request
    assert_no_leftovers(claude.env)


def test_a_steer_after_the_last_model_request_still_ends_in_one_turn(claude: Rig) -> None:
    """Steered once the turn's answer has come, Claude Code answers the steer in a run of its
    own after the turn's result: the turn takes both (one done), the next turn reads its own."""
    claude.fake.script(text("first answer"), text("answer to the steer"), text("next answer"))

    async def main() -> tuple[list[object], str]:
        client = claude.client()
        async with client.session(cwd=claude.work) as chat:
            events = []
            async for event in chat.stream("say something"):
                events.append(event)
                if (
                    event.kind is EventKind.MESSAGE
                    and event.status == "completed"
                    and event.text == "first answer"
                ):
                    await chat.asteer(STEER)
            return events, (await chat.arun("next")).text

    events, following = asyncio.run(main())
    done = [e for e in events if e.kind is EventKind.DONE]
    assert len(done) == 1 and done[0].text == "answer to the steer"
    assert following == "next answer"
    requests = claude.fake.model_requests()
    assert STEER not in requests[0].body_text
    assert STEER in requests[1].body_text and "next" in requests[2].body_text
    assert_no_leftovers(claude.env)


def test_rewind_drops_the_last_turn_from_the_next_request(claude: Rig) -> None:
    claude.fake.script(text("answer alpha"), text("answer beta"), text("answer gamma"))
    client = claude.client()
    with client.session(cwd=claude.work) as chat:
        chat.run("prompt alpha-one")
        second = chat.run("prompt beta-two")
        with pytest.raises(InvalidOptionsError, match="2 turn"):
            chat.rewind(3)
        assert len(claude.fake.model_requests()) == 2  # refused before anything was sent
        chat.rewind(1)
        third = chat.run("prompt gamma-three")
    last = claude.fake.model_requests()[-1].body_text
    assert "prompt alpha-one" in last and "answer alpha" in last and "prompt gamma-three" in last
    assert "beta-two" not in last and "answer beta" not in last
    # the conversation goes on in a fork: the dropped turn stays in the old session
    assert third.session_id and third.session_id != second.session_id
    assert_no_leftovers(claude.env)


def test_rewinding_every_turn_starts_the_conversation_anew(claude: Rig) -> None:
    claude.fake.script(text("answer alpha"), text("answer beta"))
    client = claude.client()
    with client.session(cwd=claude.work) as chat:
        chat.run("prompt alpha-one")
        chat.rewind(1)
        chat.run("prompt beta-two")
    last = claude.fake.model_requests()[-1].body_text
    assert "prompt beta-two" in last and "alpha-one" not in last and "answer alpha" not in last
    assert_no_leftovers(claude.env)


def test_compact_sends_claudes_own_compaction_and_the_next_turn_carries_its_summary(claude: Rig) -> None:
    claude.fake.script(
        text("answer alpha"),
        text("<analysis>short</analysis>\n<summary>SUMMARY-5c1d of the talk</summary>"),
        text("after the compaction"),
    )
    client = claude.client()
    with client.session(cwd=claude.work) as chat:
        chat.run("prompt alpha-one")
        chat.compact()
        requests = claude.fake.model_requests()
        assert len(requests) == 2 and "summary of the conversation" in requests[1].body_text
        assert chat.run("prompt beta-two").text == "after the compaction"
    last = claude.fake.model_requests()[-1].body_text
    assert "SUMMARY-5c1d" in last and "prompt beta-two" in last
    assert_no_leftovers(claude.env)


def test_context_reports_used_and_window_tokens(claude: Rig) -> None:
    claude.fake.script(text("answer alpha"))
    client = claude.client()
    with client.session(cwd=claude.work) as chat:
        with pytest.raises(SessionIdleError):
            chat.context()  # no conversation yet: the vendor has said nothing
        chat.run("prompt alpha-one")
        usage = chat.context()
    assert usage.used_tokens > 0
    assert usage.window_tokens is not None and usage.window_tokens >= usage.used_tokens
    assert usage.left_tokens == usage.window_tokens - usage.used_tokens
    assert usage.raw["totalTokens"] == usage.used_tokens
    assert_no_leftovers(claude.env)


def test_a_turn_broken_out_of_after_a_steer_leaves_the_session_usable(claude: Rig) -> None:
    """The interrupted CLI may still run the steer it queued: the next turn must not take that
    run's answer for its own (a new CLI resumes the conversation instead)."""
    claude.fake.script(
        call_tool("slow_step", {}),
        Match("prompt-n3xt-turn", text("next answer"), otherwise=text("answer to the steer")),
    )
    slow = SlowTool()

    async def main() -> str:
        client = claude.client()
        async with client.session(cwd=claude.work, tools=[slow.slow_step]) as chat:
            try:
                async for event in chat.stream("run the slow step"):
                    if event.kind is EventKind.TOOL and event.status == "in_progress":
                        await chat.asteer(STEER)
                        break
            finally:
                slow.release.set()
            return (await chat.arun("prompt-n3xt-turn")).text

    assert asyncio.run(main()) == "next answer"
    assert_no_leftovers(claude.env)


def test_after_a_compaction_rewind_goes_back_to_it_and_no_further(claude: Rig) -> None:
    claude.fake.script(
        text("answer alpha"),
        text("<summary>SUMMARY-9e2b</summary>"),
        text("answer beta"),
        text("answer gamma"),
    )
    client = claude.client()
    with client.session(cwd=claude.work) as chat:
        chat.run("prompt alpha-one")
        chat.compact()
        chat.run("prompt beta-two")
        with pytest.raises(InvalidOptionsError, match="compaction"):
            chat.rewind(2)  # the turns before it are in its summary
        chat.rewind(1)
        chat.run("prompt gamma-three")
    last = claude.fake.model_requests()[-1].body_text
    assert "SUMMARY-9e2b" in last and "prompt gamma-three" in last
    assert "beta-two" not in last and "answer beta" not in last
    assert_no_leftovers(claude.env)
