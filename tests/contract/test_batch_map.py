"""``Client.map``/``amap`` on the real CLIs against the fakes: a rate limit pauses the whole batch,
input order and a failed item given as its error, and the workers' items on a shared process (the
process killed, one item cut) (``oauthpy batch``: test_batch_command.py)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from oauthpy import OauthPyError, PermissionRequest, RunResult, TimeoutExceededError
from oauthpy.testing import Echo, Gate, Hang, HttpError, Match, Reply, text
from oauthpy.testing.processes import MARKER_VAR
from oauthpy.testing.server import RecordedRequest
from tests.contract.batch_cases import BOUND_S
from tests.support import (
    Rig,
    assert_no_leftovers,
    count_spawns,
    sessions_side_by_side,
    shell_step,
    vendor_cli_processes,
)

#: how long a cut item waits for a model answer that never comes: past a warm turn's first news
IDLE_S = 12.0


def _limit_once(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, pattern: str, then: threading.Event | None = None
) -> list[RecordedRequest]:
    """The fake answers the first request that matches ``pattern`` with a 429, as a rate
    limiter would (and the agent's own retries of it: so that oauthpy sees the 429), and sets
    ``then``; returns the list that records them. The fake is itself again after the test (a
    warm rig's serves the next one)."""
    original = rig.fake.next_step
    limited: list[RecordedRequest] = []
    lock = threading.Lock()

    def next_step(req: RecordedRequest | None = None) -> Any:
        with lock:
            if len(limited) <= rig.own_retries and req is not None and re.search(pattern, req.body_text):
                limited.append(req)
                if then is not None:
                    then.set()
                return rig.api_error(429, "slow down")
        return original(req)

    monkeypatch.setattr(rig.fake, "next_step", next_step)
    return limited


# the map tests run on the worker's warm client (their subject is the batch: order, errors, the
# pause); a fresh client's map: `oauthpy batch` (test_batch_command.py), for every agent
@pytest.mark.warm_agent(lone_runs=True)
def test_a_rate_limit_pauses_the_whole_batch_instead_of_failing_it(rig: Rig, monkeypatch: pytest.MonkeyPatch):
    # The slow items answer only after the 429, so they cannot end before it (a cold agent on
    # a loaded machine may send the limited request late) and free a worker early.
    limited_now = threading.Event()
    slow = Gate(limited_now, Reply(text="slow answer", chunks=4, chunk_delay_s=0.4), timeout_s=BOUND_S)
    rig.fake.script(Match("slow-item", slow, otherwise=Echo()))
    limited = _limit_once(rig, monkeypatch, "limit-me", then=limited_now)
    prompts = ["limit-me token-0000", "slow-item 1", "slow-item 2"] + [
        f"q token-{i:04x}" for i in range(3, 7)
    ]
    pause_s = 3.0
    results = rig.client().map(
        prompts,
        concurrency=3,
        cwd=rig.work,
        model=rig.model,
        timeout=BOUND_S,
        provider_options={"retry_backoff_s": pause_s, "retry_jitter_s": 0},
    )
    assert all(isinstance(r, RunResult) for r in results), results
    assert [r.text for r in results if isinstance(r, RunResult)] == [
        "echo token-0000",
        "slow answer",
        "slow answer",
    ] + [f"echo token-{i:04x}" for i in range(3, 7)]
    assert len(limited) == 1 + rig.own_retries
    # The two slow items end about 1.6 s after the 429; without the pause their workers would
    # start the next items then, and the limited item would be retried at once. Neither the retry
    # nor a later item may reach the model until the pause is over. (The slow items themselves
    # started before the 429: on a loaded machine a cold agent may send their requests late.)
    t429 = limited[-1].received_at  # the one whose error reached oauthpy
    later = re.compile(r"limit-me|token-000[3-6]")
    during = [
        r
        for r in rig.fake.model_requests()
        if t429 + 0.5 < r.received_at < t429 + pause_s and later.search(r.body_text)
    ]
    assert during == [], [r.body_text[:80] for r in during]
    retried = [r for r in rig.fake.model_requests() if "limit-me" in r.body_text and r not in limited]
    assert retried and min(r.received_at for r in retried) >= t429 + pause_s - 0.5


@pytest.mark.warm_agent(lone_runs=True)
def test_map_keeps_input_order_and_gives_a_failed_item_as_its_error(rig: Rig, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    rig.fake.script(Match("fail-400", HttpError(400, "bad request by fake"), otherwise=Echo()))
    prompts: list[Any] = [f"say token-{i:04x}" for i in range(5)]
    prompts[2] = "fail-400 please"
    prompts[3] = {"prompt": "say token-0003", "cwd": str(other)}
    client = rig.client()
    results = client.map(prompts, concurrency=3, cwd=rig.work, model=rig.model, timeout=BOUND_S)
    assert isinstance(results[2], OauthPyError) and not results[2].transient
    assert [r.text for r in results if isinstance(r, RunResult)] == [
        f"echo token-{i:04x}" for i in (0, 1, 3, 4)
    ]
    assert results[3].cwd == str(other.resolve())  # type: ignore[union-attr]

    async def amap() -> dict[int, Any]:
        seen = {}
        async for index, result in client.amap(prompts, concurrency=2, cwd=rig.work, model=rig.model):
            seen[index] = result
        return seen

    seen = asyncio.run(amap())
    assert sorted(seen) == [0, 1, 2, 3, 4] and isinstance(seen[2], OauthPyError)
    assert seen[4].text == "echo token-0004"


def test_a_process_that_dies_under_a_batchs_workers_costs_their_items_a_retry(rig: Rig):
    """The workers' sessions share one process (where the agent runs them side by side): killed
    while all three wait for the model, it fails their three items as transient, they are
    retried on a new process, and every item is answered."""
    if not sessions_side_by_side(rig.provider):  # a process per worker: test_faults kills one
        return
    spawns = count_spawns(rig)
    opened = threading.Event()
    rig.fake.script(Gate(opened, Echo()))
    killed: list[int] = []

    def kill_once_all_three_wait() -> None:
        try:
            rig.fake.wait_for_model_requests(3)
            killed.extend(vendor_cli_processes(rig.env[MARKER_VAR]))
            for pid in killed:
                os.kill(pid, signal.SIGKILL)
        finally:
            opened.set()

    killer = threading.Thread(target=kill_once_all_three_wait, daemon=True)
    killer.start()
    prompts = [f"say token-{i:04x}" for i in range(6)]
    retried = {"max_retries": 2}
    results = rig.client().map(
        prompts, concurrency=3, cwd=rig.work, model=rig.model, timeout=BOUND_S, provider_options=retried
    )
    killer.join(BOUND_S)
    assert killed, "no process of the agent was found to kill"
    assert [getattr(r, "text", r) for r in results] == [f"echo token-{i:04x}" for i in range(6)]
    assert spawns.read_text().splitlines() == ["started"] * 2  # the first, and one for the retries
    assert_no_leftovers(rig.env)


def test_an_item_cut_on_a_shared_process_ends_its_turn_there_while_the_other_goes_on(rig: Rig):
    """Two workers' sessions share one process. One item's model answer never comes and its
    idle timeout cuts it: its turn is cancelled in the agent (which hangs up on the model) at
    once, while the other item, waiting on the user's approval, is still running on that
    process; that item then ends with its answer."""
    if not sessions_side_by_side(rig.provider):  # a process per worker: a cut run's is stopped
        return
    spawns = count_spawns(rig)
    rig.fake.script(
        Match(
            "made-it",  # the command's output, in the approved item's second request
            text("Done."),
            Match("token-slow", Hang(BOUND_S), shell_step(rig.provider, "touch made.txt && echo made-it")),
        )
    )
    heard: list[bool] = []

    async def approve_once_the_cut_turn_ended(request: PermissionRequest) -> bool:
        try:
            await asyncio.to_thread(rig.fake.wait_for_dropped, 1, BOUND_S / 2)
        except TimeoutError:
            heard.append(False)
        else:
            heard.append(True)
        return True

    results = rig.client().map(
        ["say token-slow", "run the command"],
        concurrency=2,
        cwd=rig.work,
        model=rig.model,
        timeout=BOUND_S,
        idle_timeout=IDLE_S,
        on_permission=approve_once_the_cut_turn_ended,
        provider_options=rig.write_options,
    )
    assert heard == [True], "the cut item's turn ran on while the other item used the process"
    cut, answered = results
    assert isinstance(cut, TimeoutExceededError), cut
    assert getattr(answered, "text", answered) == "Done."
    assert spawns.read_text().splitlines() == ["started"]  # both items were on the one process
    assert_no_leftovers(rig.env)
