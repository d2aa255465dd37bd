"""32 concurrent runs of the real CLIs through one event loop, then the same cancelled mid-run."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, EventKind
from oauthpy.testing import Echo, Gate, new_marker, text
from tests.support import (
    assert_no_fd_leak,
    assert_no_leftovers,
    model_for,
    open_pipes_and_files,
    provider_env,
    start_fake,
)

# The gemini runs make this the gemini group's heaviest test; it shares their worker.
pytestmark = pytest.mark.xdist_group("gemini")

# 32 runs of three CLIs, most of them codex's: what is loaded is oauthpy's loop, and a codex
# start costs about a quarter of claude's CPU and a sixth of gemini's (16/10/6 took 17-22 CPU-s)
MIX = {"codex": 24, "claude": 5, "gemini": 3}


@pytest.fixture
def fleet(tmp_path: Path) -> Any:
    with contextlib.ExitStack() as stack:
        fakes = {p: stack.enter_context(start_fake(p)) for p in MIX}
        marker = new_marker()  # one for all 32 runs: one leak check covers them all
        envs = {p: provider_env(p, fake, tmp_path, marker) for p, fake in fakes.items()}
        yield fakes, envs, marker


def _jobs(envs: dict[str, dict[str, str]]) -> list[tuple[str, Client, str | None]]:
    jobs = []
    for provider, count in MIX.items():
        client = Client(provider, auth_source="external", env=envs[provider])
        jobs += [(provider, client, model_for(provider))] * count
    return jobs


def test_32_concurrent_mixed_runs_each_get_exactly_their_answer(fleet: Any, workdir: Path):
    fakes, envs, marker = fleet
    for fake in fakes.values():
        fake.script(Echo())
    fds = open_pipes_and_files()

    async def one(provider: str, client: Client, model: str | None) -> tuple[str, str, list[Any]]:
        token = f"token-{uuid.uuid4().hex[:12]}"
        events = [e async for e in client.stream(f"say {token}", cwd=workdir, model=model, timeout=240)]
        return token, provider, events

    async def main() -> list[tuple[str, str, list[Any]]]:
        return await asyncio.gather(*(one(*job) for job in _jobs(envs)))

    results = asyncio.run(main())
    assert len(results) == 32
    for token, provider, events in results:
        done = [e for e in events if e.kind is EventKind.DONE]
        assert len(done) == 1 and events[-1] is done[0], f"{provider}: one done event, last"
        assert done[0].text == f"echo {token}", provider
        deltas = "".join(e.text for e in events if e.kind is EventKind.MESSAGE and e.delta)
        if deltas:  # streamed in pieces: each piece exactly once, in order
            assert deltas == f"echo {token}", provider
    assert_no_leftovers(marker)
    assert_no_fd_leak(fds)


def test_32_concurrent_runs_cancelled_mid_run_leave_nothing_behind(fleet: Any, workdir: Path):
    fakes, envs, marker = fleet
    opened = threading.Event()  # never opened: every run waits for its model reply
    for fake in fakes.values():
        fake.script(Gate(opened, text("never"), timeout_s=120))
    fds = open_pipes_and_files()

    async def main() -> None:
        tasks = [
            asyncio.ensure_future(client.arun("wait", cwd=workdir, model=model, timeout=240))
            for _, client, model in _jobs(envs)
        ]
        for provider, fake in fakes.items():  # every run is mid-flight: its request is in
            await asyncio.to_thread(fake.wait_for_model_requests, MIX[provider], 180)
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(o, asyncio.CancelledError) for o in outcomes), outcomes

    try:
        asyncio.run(main())
    finally:
        opened.set()
    assert_no_leftovers(marker, within_s=5)
    assert_no_fd_leak(fds)
