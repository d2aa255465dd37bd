"""The batch engine without a vendor: the shared rate-limit throttle, retries per item, order and
early exit, and what ``Client.map``/``amap`` refuse before anything starts. The real CLIs run it in
tests/contract/test_batch_map.py."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, RunResult, Usage
from oauthpy._batch import Finished, Throttle, run_all, split_retries
from oauthpy._errors import CommandExecutionError, InvalidOptionsError, QuotaExceededError, RateLimitError
from oauthpy._options import build_request
from oauthpy._retry import RetryPolicy

pytestmark = pytest.mark.fast

# -- the throttle --------------------------------------------------------------------------------


def test_a_rate_limit_pauses_every_start_then_workers_come_back_one_per_period():
    now = [100.0]
    throttle = Throttle(4, clock=lambda: now[0])
    assert [throttle.wait_s(k) for k in range(4)] == [0, 0, 0, 0]
    throttle.rate_limited(2.0)
    assert [throttle.wait_s(k) for k in range(4)] == [2.0, 2.0, 2.0, 2.0]  # nobody starts
    now[0] = 102.0
    assert [throttle.wait_s(k) for k in range(4)] == [0, 0, 1.0, 2.0]  # half, then one per 1 s
    now[0] = 103.0
    assert [throttle.wait_s(k) for k in range(4)] == [0, 0, 0, 1.0]
    now[0] = 104.0
    assert [throttle.wait_s(k) for k in range(4)] == [0, 0, 0, 0]


def test_rate_limits_of_one_pause_count_once():
    now = [0.0]
    throttle = Throttle(8, clock=lambda: now[0])
    throttle.rate_limited(1.0)
    throttle.rate_limited(1.0)  # a second worker hit the same limit
    assert throttle.pauses == 1
    assert throttle.reduced == 4


# -- the engine ----------------------------------------------------------------------------------


def _request(prompt: str, tmp_path: Path, **options: Any) -> Any:
    return build_request(prompt, cwd=tmp_path, provider_options=options)


def _result(prompt: str) -> RunResult:
    return RunResult(
        provider="codex",
        transport="exec",
        text=f"answer to {prompt}",
        events=(),
        elapsed_s=0.0,
        cwd="/",
        usage=Usage(),
    )


def test_results_come_as_items_finish_and_a_failure_is_its_error(tmp_path: Path):
    gates = {f"p{i}": asyncio.Event() for i in range(3)}

    async def run(request: Any) -> RunResult:
        await gates[request.prompt].wait()
        if request.prompt == "p1":
            raise CommandExecutionError("bad item", transient=False)
        return _result(request.prompt)

    async def main() -> list[tuple[int, bool]]:
        requests = [_request(p, tmp_path) for p in gates]
        seen = []
        gen = run_all(requests, run, concurrency=3, policy=RetryPolicy())
        for name in ("p2", "p0", "p1"):
            gates[name].set()
            done = await gen.__anext__()
            seen.append((done.index, done.ok))
        with pytest.raises(StopAsyncIteration):
            await gen.__anext__()
        return seen

    assert asyncio.run(main()) == [(2, True), (0, True), (1, False)]


def test_no_attempt_starts_while_the_batch_is_paused_by_a_rate_limit(tmp_path: Path):
    starts: list[tuple[str, float]] = []
    limited: list[float] = []

    async def run(request: Any) -> RunResult:
        loop = asyncio.get_running_loop()
        starts.append((request.prompt, loop.time()))
        if request.prompt == "p0" and sum(1 for p, _ in starts if p == "p0") == 1:
            limited.append(loop.time())
            raise RateLimitError("slow down", retry_after=0.3)
        await asyncio.sleep(0.01)
        return _result(request.prompt)

    async def main() -> list[Finished]:
        requests = [_request(f"p{i}", tmp_path) for i in range(8)]
        gen = run_all(requests, run, concurrency=4, policy=RetryPolicy(jitter_s=0, backoff_s=0.1))
        return [done async for done in gen]

    finished = asyncio.run(main())
    assert all(done.ok for done in finished) and len(finished) == 8
    assert next(d for d in finished if d.index == 0).attempts == 2
    after = [t for _, t in starts if t > limited[0]]
    # the first four started together; every later start waited out the 0.3 s retry_after
    assert after and min(after) >= limited[0] + 0.3


def test_transient_failures_are_retried_per_item_up_to_max_retries(tmp_path: Path):
    calls: dict[str, int] = {}

    async def run(request: Any) -> RunResult:
        calls[request.prompt] = calls.get(request.prompt, 0) + 1
        if request.prompt == "flaky" and calls["flaky"] < 3:
            raise CommandExecutionError("500", transient=True)
        if request.prompt == "broken":
            raise CommandExecutionError("400", transient=False)
        return _result(request.prompt)

    base, policy = split_retries(
        _request("x", tmp_path, max_retries=2, retry_backoff_s=0.01, retry_jitter_s=0)
    )
    assert "max_retries" not in base.provider_options  # each run makes one attempt

    async def main() -> dict[str, Finished]:
        requests = [dataclasses.replace(base, prompt=p) for p in ("flaky", "broken")]
        return {
            requests[d.index].prompt: d async for d in run_all(requests, run, concurrency=2, policy=policy)
        }

    done = asyncio.run(main())
    assert done["flaky"].ok and done["flaky"].attempts == 3
    assert not done["broken"].ok and done["broken"].attempts == 1


def test_leaving_early_cancels_the_items_still_running(tmp_path: Path):
    cancelled: list[str] = []

    async def run(request: Any) -> RunResult:
        if request.prompt == "fast":
            return _result("fast")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(request.prompt)
            raise
        raise AssertionError("unreachable")

    async def main() -> None:
        requests = [_request(p, tmp_path) for p in ("slow1", "fast", "slow2")]
        gen = run_all(requests, run, concurrency=3, policy=RetryPolicy())
        async for _ in gen:
            break
        await gen.aclose()

    asyncio.run(main())
    assert sorted(cancelled) == ["slow1", "slow2"]


def test_a_bug_in_a_worker_is_raised_not_hidden(tmp_path: Path):
    async def run(request: Any) -> RunResult:
        raise KeyError("a bug")

    async def main() -> None:
        async for _ in run_all([_request("a", tmp_path)], run, concurrency=1, policy=RetryPolicy()):
            pass

    with pytest.raises(KeyError):
        asyncio.run(main())


# -- Client.map / amap refuse bad input before anything starts ------------------------------


@pytest.mark.parametrize(
    ("prompts", "kw", "words"),
    [
        ("one prompt", {}, "not a single prompt"),
        (["a", ""], {}, "item 1: prompt is empty"),
        (["a", {"prompt": "b", "colour": 1}], {}, "item 1: unknown key 'colour'"),
        (["a", {"cwd": "."}], {}, "item 1: the item has no prompt"),
        (["a", {"prompt": "b", "cwd": "/no/such/dir"}], {}, "item 1: cwd does not exist"),
        (["a", 3], {}, "item 1: an item must be a prompt string or a dict"),
        (["a"], {"concurrency": 0}, "concurrency must be"),
        (["a"], {"concurrency": True}, "concurrency must be"),
        (["a"], {"timeout": -1}, "timeout must be a positive"),
        (["a"], {"keep_sessions": "no"}, "keep_sessions must be True or False"),
    ],
)
def test_map_refuses_bad_input_before_anything_starts(
    prompts: Any, kw: dict[str, Any], words: str, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    env, fired = tripwire
    client = Client("codex", auth_source="external", env=env)
    with pytest.raises(InvalidOptionsError, match=words):
        client.map(prompts, cwd=tmp_path, **kw)
    with pytest.raises(InvalidOptionsError, match=words):
        client.amap(prompts, cwd=tmp_path, **kw)
    assert not fired.exists()


@pytest.mark.parametrize(
    ("provider", "kw", "ephemeral"),
    [
        ("codex", {}, True),
        ("claude", {}, True),
        ("gemini", {}, None),  # it has no ephemeral sessions
        ("codex", {"keep_sessions": True}, None),
        ("codex", {"provider_options": {"ephemeral": False}}, False),  # the caller's word wins
    ],
)
def test_batch_items_are_ephemeral_where_the_vendor_can_unless_sessions_are_kept(
    provider: str, kw: dict[str, Any], ephemeral: bool | None, tmp_path: Path
):
    client = Client(provider, auth_source="external")
    keep = kw.pop("keep_sessions", False)
    requests, _, _ = client._batch(["a", "b"], 2, {"cwd": tmp_path, **kw}, keep)
    assert [r.provider_options.get("ephemeral") for r in requests] == [ephemeral] * 2


def test_map_of_nothing_is_an_empty_list():
    assert Client("codex").map([]) == []


def test_a_spent_plan_that_names_no_reset_fails_its_item_at_once_without_pausing_the_batch(tmp_path: Path):
    tries: list[str] = []

    async def run(request: Any) -> RunResult:
        tries.append(request.prompt)
        raise QuotaExceededError("the plan is spent")  # no reset time said: a pause would not help

    async def main() -> list[Any]:
        gen = run_all([_request("p0", tmp_path)], run, concurrency=1, policy=RetryPolicy())
        return [done async for done in gen]

    [done] = asyncio.run(main())
    assert isinstance(done.result, QuotaExceededError) and done.attempts == 1
    assert tries == ["p0"]
