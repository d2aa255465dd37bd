"""Agents and sessions against the event loops they live on, from the user's side.

- A warm agent started in an ``asyncio.run`` inside ``with Client`` ends with that loop, also
  from threads that each run their own loop, and nothing prints a traceback at exit.
- One session used from two loops: either it goes on (the old loop has ended) or it says at
  once that a session belongs to one loop.
- Breaking out of an async turn lets the next turn start at once (no `SessionBusyError`).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from oauthpy import EventKind, InvalidOptionsError
from oauthpy.testing import Gate, Match, text
from tests.support import Rig, processes_left, shell_step

#: runs a few ``asyncio.run`` calls (and two threads with their own loops) inside one
#: ``with Client`` and prints how many of the run's vendor processes are alive after the block


def test_a_session_on_a_loop_still_running_refuses_another_loop_at_once_and_goes_on(rig: Rig):
    rig.fake.script(text("first"), text("second"))
    with rig.client().session(cwd=rig.work, model=rig.model, timeout=60) as chat:
        assert chat.run("one").text == "first"  # on oauthpy's own loop, which keeps running
        started = time.monotonic()
        with pytest.raises(InvalidOptionsError, match="one event loop") as caught:
            asyncio.run(chat.arun("two"))
        assert time.monotonic() - started < 2.0
        assert "resume=" in (caught.value.hint or "")
        assert chat.run("two").text == "second"  # the session is unharmed
        assert len(rig.fake.model_requests()) >= 2


def test_a_session_whose_loop_ended_goes_on_in_the_next_loop(rig: Rig):
    rig.fake.script(text("noted kiwi"), text("you said kiwi"), text("still kiwi"))
    chat = rig.client().session(cwd=rig.work, model=rig.model, timeout=60)
    with chat:
        first = asyncio.run(chat.arun("remember kiwi"))
        # the loop has ended: its agent went with it
        assert not vendor_processes(rig), "the session's agent outlived its event loop"
        second = asyncio.run(_arun_after(chat, "what fruit?"))  # another loop
        third = chat.run("and now?")  # oauthpy's own loop now
    assert second.text == "you said kiwi" and third.text == "still kiwi"
    assert first.session_id == second.session_id == third.session_id
    assert "remember kiwi" in rig.model_bodies()[-1]  # the vendor's own conversation went on


async def _arun_after(chat: object, prompt: str) -> object:
    return await chat.arun(prompt)  # type: ignore[attr-defined]


def vendor_processes(rig: Rig) -> list[int]:
    from oauthpy.testing.processes import MARKER_VAR

    return processes_left(MARKER_VAR, rig.env[MARKER_VAR], within_s=5)


def test_breaking_out_of_an_async_turn_lets_the_next_turn_start_at_once(rig: Rig):
    held = threading.Event()  # the first turn's second model request waits here
    rig.fake.script(
        shell_step(rig.provider, "echo hi", say="Starting."),
        Gate(held, text("never seen"), timeout_s=30),
        # by the prompt (a turn left at its first event may never have reached the model:
        # copilot's first event comes before its model request), the newest first
        Match(
            "fourth question",
            text("Fourth answer."),
            otherwise=Match("third question", text("Third answer."), otherwise=text("Next answer.")),
        ),
    )

    async def main() -> tuple[str, str]:
        async with rig.client().asession(
            cwd=rig.work, model=rig.model, timeout=60, on_permission=lambda request: True
        ) as chat:
            async for event in chat.stream("first question"):
                if event.kind is EventKind.COMMAND and event.status != "in_progress":
                    await asyncio.to_thread(rig.fake.wait_for_model_requests, 2)
                    break  # mid-turn; the next turn starts right away
            result = await chat.arun("second question")
            try:
                async for _ in chat.stream("third question"):
                    raise LookupError("the caller's own bug")
            except LookupError:  # left by an exception: the next turn starts right away too
                fourth = await chat.arun("fourth question")
            return result.text, fourth.text

    try:
        assert asyncio.run(main()) == ("Next answer.", "Fourth answer.")
    finally:
        held.set()
