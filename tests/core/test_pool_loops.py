"""An idle agent of a loop that is not running when the pool closes (``run_until_complete``,
then ``close``): the pool's rules with a stand-in agent, no process. The real agents:
tests/core/test_loop_lifetimes_pool.py and tests/agents/claude/test_claude_pool_loops.py."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from oauthpy._pool import AgentPool

pytestmark = pytest.mark.fast


class StandIn:
    """An `Agent` that records how it was ended."""

    def __init__(self) -> None:
        self.ended_by = ""

    @property
    def usable(self) -> bool:
        return not self.ended_by

    async def aclose(self) -> None:
        self.ended_by = "aclose"

    def kill_now(self) -> None:
        self.ended_by = "kill_now"


def test_an_agent_idle_on_a_loop_that_no_longer_runs_is_killed_and_its_loop_closes_quietly(
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.ERROR, logger="asyncio")
    loop = asyncio.new_event_loop()
    pool, agent = AgentPool(60.0), StandIn()
    loop.run_until_complete(pool.release("k", agent, reuse=True))  # idle, with its loop's guard
    asyncio.run(pool.aclose())  # another loop: nothing can await the agent's close on its own
    assert agent.ended_by == "kill_now"
    loop.close()  # the caller never cancelled the loop's tasks: the guard is still pending
    del loop, pool
    gc.collect()
    assert "Task was destroyed but it is pending" not in caplog.text
