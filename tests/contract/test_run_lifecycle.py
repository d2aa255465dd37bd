"""However a run ends, nothing of it is left running: per provider, with the real CLI.

Timeout, early ``break``, an async stream closed early, a cancelled task, an exception in the
consumer, and the interpreter exiting mid-run. The shared ``rig`` fixture checks afterwards
for leftover processes (by the run's marker) and leaked file descriptors.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import subprocess
import sys
import time
import warnings

import pytest

from oauthpy import TimeoutExceededError
from oauthpy import _run_marks as run_marks
from oauthpy.testing import Hang, Reply, shell
from tests.support import Rig, assert_no_leftovers


def script_an_early_event_then_more_work(rig: Rig) -> None:
    """The run yields an event at once and would go on for seconds if it were not stopped."""
    if not rig.provision.text_deltas:  # a command is what comes first
        rig.fake.script(shell("echo one"), Hang(120))
    else:
        rig.fake.script(Reply(text="many slow parts of an answer", chunks=8, chunk_delay_s=1.0))


def test_a_hang_ends_with_the_total_timeout_on_time(rig: Rig):
    rig.fake.script(Hang(120))
    if rig.provision.warm_up is not None:  # e.g. an SDK's first import is not the run's time
        rig.provision.warm_up()
    started = time.monotonic()
    with pytest.raises(TimeoutExceededError) as err:
        rig.run(timeout=3)
    # On time: claude's SDK once added its own 5 s close on top of the timeout.
    assert err.value.which == "total" and time.monotonic() - started < 6
    assert isinstance(err.value, TimeoutError)


def test_break_after_the_first_event(rig: Rig):
    script_an_early_event_then_more_work(rig)
    stream = rig.client().stream_sync("hi", cwd=rig.work, model=rig.model, timeout=60)
    for _event in stream:
        break
    else:
        pytest.fail("no event arrived")
    # `break` alone only drops the iterator; CPython closes it at once (refcount), and that
    # close must stop the CLI.
    del stream


def test_an_async_stream_closed_early(rig: Rig):
    script_an_early_event_then_more_work(rig)

    async def main() -> bool:
        events = rig.client().stream("hi", cwd=rig.work, model=rig.model, timeout=60)
        async with contextlib.aclosing(events):
            async for _event in events:
                return True
        return False

    assert asyncio.run(main()), "no event arrived"


def test_a_cancelled_async_run(rig: Rig):
    rig.fake.script(Hang(120))

    async def main() -> None:
        task = asyncio.ensure_future(rig.client().arun("hi", cwd=rig.work, model=rig.model, timeout=60))
        await asyncio.to_thread(rig.fake.wait_for_model_request)  # the CLI is mid-run
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def test_an_exception_in_the_consumer(rig: Rig):
    script_an_early_event_then_more_work(rig)
    with pytest.raises(KeyError):
        for _event in rig.client().stream_sync("hi", cwd=rig.work, model=rig.model, timeout=60):
            raise KeyError("the consumer failed")


def test_a_cancel_storm_during_teardown_leaves_nothing_registered_or_unclosed(rig: Rig):
    # The first cancel starts the teardown; the ones after it land on every await inside it.
    # The teardown must still finish: every process gone, the run's id and process group
    # unregistered (a stale group id would be SIGKILLed at exit after PID reuse), and the
    # SDK's streams closed (claude once left anyio "Unclosed MemoryObjectReceiveStream").
    rig.fake.script(Hang(120))
    runs_before, groups_before = set(run_marks._live_runs), set(run_marks._live_groups)

    async def main() -> None:
        task = asyncio.ensure_future(rig.client().arun("hi", cwd=rig.work, model=rig.model, timeout=60))
        await asyncio.to_thread(rig.fake.wait_for_model_request)  # the CLI is mid-run
        cancels = 0
        while not task.done():
            task.cancel()
            cancels += 1
            await asyncio.sleep(0)
        assert cancels > 1, "the teardown ended before a second cancel could land"
        with pytest.raises(asyncio.CancelledError):
            await task

    gc.collect()  # what earlier tests of the worker left is not this run's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(main())
        gc.collect()
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
    # nothing of this run left registered; the worker's warm agents of earlier tests (registered
    # before) may close meanwhile, when their idle time runs out
    assert set(run_marks._live_runs) <= runs_before
    assert set(run_marks._live_groups) <= groups_before


@pytest.mark.parametrize("delay_s", [0, 0.001, 0.005, 0.02, 0.05])
def test_a_cancel_in_the_first_moments_of_a_run_leaves_nothing(rig: Rig, delay_s: float):
    # The spawn itself is cancelled here (gemini: while start() awaits the pty's read pipe).
    rig.fake.script(Hang(120))
    runs_before = set(run_marks._live_runs)

    async def main() -> None:
        task = asyncio.ensure_future(rig.client().arun("hi", cwd=rig.work, model=rig.model, timeout=60))
        await asyncio.sleep(delay_s)  # when to cancel, not a wait for something
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert set(run_marks._live_runs) <= runs_before  # this run's id is gone (others may end too)


EXITING_SCRIPT = """
import sys, threading
from oauthpy import Client

provider, cwd, model = sys.argv[1], sys.argv[2], sys.argv[3] or None
client = Client(provider, auth_source="external")
threading.Thread(target=lambda: client.run("hi", cwd=cwd, model=model, timeout=60), daemon=True).start()
sys.stdin.readline()  # the test says when the CLI is mid-run
sys.exit(0)
"""


def test_the_interpreter_exiting_mid_run(rig: Rig):
    rig.fake.script(Hang(120))
    child = subprocess.Popen(
        [sys.executable, "-c", EXITING_SCRIPT, rig.provider, str(rig.work), rig.model or ""],
        stdin=subprocess.PIPE,
        env={**os.environ, **rig.env},
        text=True,
    )
    try:
        rig.fake.wait_for_model_request()
        assert child.stdin is not None
        child.stdin.write("exit\n")
        child.stdin.flush()
        assert child.wait(60) == 0
    finally:
        child.kill()
        child.wait(10)
    assert_no_leftovers(rig.env)  # the exit-time hooks killed the CLI, not the test
