"""A batch's workers share an agent whose sessions run side by side (`AgentPool.share`): the
pool's rules with stand-in agents, no process. The real agents: tests/contract/test_batch_map.py."""

from __future__ import annotations

import asyncio

import pytest

from oauthpy._pool import MAX_SHARE, AgentPool
from tests.core.pool_stand_ins import StandIn, Starts


def test_outside_a_batch_each_run_gets_an_agent_of_its_own():
    async def main() -> None:
        pool, start = AgentPool(60.0), Starts()
        got = await asyncio.gather(*(pool.acquire("k", start, shared=True) for _ in range(3)))
        assert len({id(a) for a in got}) == 3 and len(start.made) == 3
        await pool.aclose()

    asyncio.run(main())


def test_in_a_batch_workers_asking_at_once_share_one_start_up_to_its_concurrency():
    async def main() -> None:
        pool, start = AgentPool(60.0), Starts()
        with pool.sharing(3):
            got = await asyncio.gather(*(pool.acquire("k", start, shared=True) for _ in range(5)))
            # three on the first agent (they waited for its start), the other two on a second
            assert [a.number for a in got] == [0, 0, 0, 1, 1]
            assert (pool.started, pool.reused) == (2, 3)
            # another key, or a conversation that cannot share, is never put on them
            other = await pool.acquire("other", start)
            alone = await pool.acquire("k", start, shared=False)
            assert {other.number, alone.number} == {2, 3}
        await pool.aclose()

    asyncio.run(main())


def test_a_shared_agent_goes_idle_after_its_last_run_and_serves_the_next_batch():
    async def main() -> None:
        pool, start = AgentPool(60.0), Starts()
        with pool.sharing(4):
            first, second = await asyncio.gather(*(pool.acquire("k", start, shared=True) for _ in range(2)))
            assert first is second
            await pool.release("k", first, reuse=True)
            assert not first.closed  # the other run is still on it
            await pool.release("k", second, reuse=True)
            assert not first.closed
        with pool.sharing(2):
            again = await pool.acquire("k", start, shared=True)
        assert again is first and len(start.made) == 1
        await pool.release("k", again, reuse=True)
        await pool.aclose()
        assert first.closed

    asyncio.run(main())


def test_a_run_that_broke_a_shared_agent_retires_it_and_it_closes_after_the_last_run_on_it():
    async def main() -> None:
        pool, start = AgentPool(60.0), Starts()
        with pool.sharing(4):
            a, b, c = await asyncio.gather(*(pool.acquire("k", start, shared=True) for _ in range(3)))
            assert a is b is c
            await pool.release("k", a, reuse=False)  # its turn timed out, say
            assert not a.closed  # the other two runs' turns go on
            fresh = await pool.acquire("k", start, shared=True)
            assert fresh is not a  # no new run is put on a retired agent
            await pool.release("k", b, reuse=True)
            assert not a.closed
            await pool.release("k", c, reuse=True)
            assert a.closed  # the last run gave it back: closed, not kept idle
            await pool.release("k", fresh, reuse=True)
        await pool.aclose()

    asyncio.run(main())


def test_a_shared_agent_that_died_takes_no_new_run():
    async def main() -> None:
        pool, start = AgentPool(60.0), Starts()
        with pool.sharing(4):
            dying = await pool.acquire("k", start, shared=True)
            dying.dead = True
            fresh = await pool.acquire("k", start, shared=True)
            assert fresh is not dying
            await pool.release("k", dying, reuse=True)
            assert dying.closed  # given back dead: closed, not idle
            await pool.release("k", fresh, reuse=True)
        await pool.aclose()

    asyncio.run(main())


def test_a_failed_start_is_that_runs_alone_and_the_waiting_run_starts_its_own():
    async def main() -> None:
        pool, start = AgentPool(60.0), Starts()
        start.fail_next = True
        with pool.sharing(4):
            got = await asyncio.gather(
                *(pool.acquire("k", start, shared=True) for _ in range(2)), return_exceptions=True
            )
        assert isinstance(got[0], OSError) and isinstance(got[1], StandIn)
        await pool.aclose()

    asyncio.run(main())


def test_share_is_a_running_batchs_concurrency_capped_and_ends_with_it():
    pool = AgentPool(60.0)
    assert pool.share == 1
    with pool.sharing(3):
        assert pool.share == 3
        with pool.sharing(64):
            assert pool.share == MAX_SHARE
        assert pool.share == 3
    assert pool.share == 1
    with pytest.raises(RuntimeError), pool.sharing(2):
        raise RuntimeError("a batch that failed")
    assert pool.share == 1
