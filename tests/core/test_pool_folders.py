"""A catalogue call takes a warm agent of any folder (`AgentPool.acquire_any_folder`): OpenCode
keys its processes by folder (`PWD`), and a call that names its folders itself need not start one
of its own. The pool's rules with stand-in agents; the real agents:
tests/contract/test_catalogue_acp.py (a run's warm agent answers the catalogue)."""

from __future__ import annotations

import asyncio

from oauthpy._invocation import Invocation
from oauthpy._pool import AgentPool
from oauthpy._transports.live import process_key
from tests.core.pool_stand_ins import Starts


def _key(argv: list[str], **env: str) -> str:
    return process_key(Invocation(argv=argv, env=env, cwd="/"))


def test_keys_of_one_family_differ_only_in_the_folder():
    folder, elsewhere = "/home/someone/project", "/home/someone/other"
    here = _key(["agent"], PWD=folder, TOKEN="sk-secret")
    there = _key(["agent"], PWD=elsewhere, TOKEN="sk-secret")
    assert here != there and here.partition("/")[0] == there.partition("/")[0]
    other_env = _key(["agent"], PWD=folder, TOKEN="sk-other")
    other_argv = _key(["agent", "--x"], PWD=folder, TOKEN="sk-secret")
    assert {k.partition("/")[0] for k in (other_env, other_argv)}.isdisjoint({here.partition("/")[0]})
    assert "sk-secret" not in here and "someone" not in here  # hashed: an env holds secrets


def test_a_call_of_any_folder_takes_an_idle_agent_of_the_family_and_gives_it_back_under_its_key():
    run_key, call_key = _key(["agent"], PWD="/work"), _key(["agent"], PWD="/tmp")
    stranger = _key(["agent"], PWD="/work", OTHER="1")

    async def main() -> None:
        pool, starts = AgentPool(60.0), Starts()
        try:
            run_agent = await pool.acquire(run_key, starts)
            await pool.release(run_key, run_agent, reuse=True)
            # a run of another folder does not take it: paths resolve from its folder
            assert await pool.acquire(call_key, starts) is not run_agent
            got, key = await pool.acquire_any_folder(call_key, starts)
            assert (got, key) == (run_agent, run_key)
            await pool.release(key, got, reuse=True)
            assert await pool.acquire(run_key, starts) is run_agent  # still the run's
            await pool.release(run_key, run_agent, reuse=True)
            # another family (another env) never serves it: a new start
            fresh, fresh_key = await pool.acquire_any_folder(stranger, starts)
            assert fresh is not run_agent and fresh_key == stranger
            assert (pool.started, pool.reused) == (3, 2)
        finally:
            await pool.aclose()

    asyncio.run(main())


def test_its_own_folders_agent_comes_first():
    work, tmp = _key(["agent"], PWD="/work"), _key(["agent"], PWD="/tmp")

    async def main() -> None:
        pool, starts = AgentPool(60.0), Starts()
        try:
            first, second = await pool.acquire(work, starts), await pool.acquire(tmp, starts)
            await pool.release(tmp, second, reuse=True)
            await pool.release(work, first, reuse=True)
            assert await pool.acquire_any_folder(tmp, starts) == (second, tmp)
        finally:
            await pool.aclose()

    asyncio.run(main())
