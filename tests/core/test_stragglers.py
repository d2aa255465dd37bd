"""A run that ended by itself (``stop(term=False)``, claude's SDK path) and the helpers it left
behind: they get time to finish off the caller's path, and one look for them is not enough to
say there are none."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from oauthpy import _run_marks as run_marks
from oauthpy import _teardown as teardown
from tests.core.process_cases import alive, dead_soon, wait_for_file

pytestmark = pytest.mark.fast


def _leaves_a_helper(pid_file: Path) -> str:
    """A run's program that starts a helper in a session of its own and ends. The helper writes
    its own pid once it runs: read from the parent the moment it is started, a child can still be
    in the middle of exec, its environment (and so its run id) not yet readable."""
    helper = f"import os, time; open({str(pid_file)!r}, 'w').write(f'{{os.getpid()}}\\n'); time.sleep(600)"
    return textwrap.dedent(
        f"""
        import subprocess, sys
        subprocess.Popen([sys.executable, '-c', {helper!r}], start_new_session=True)
        """
    )


async def _finished_run(pid_file: Path) -> tuple[str, asyncio.subprocess.Process, int]:
    run_id = run_marks.new_run_id()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _leaves_a_helper(pid_file), env={**os.environ, run_marks.RUN_ID_VAR: run_id}
    )
    await proc.wait()
    return run_id, proc, int(wait_for_file(pid_file))


def test_a_finished_runs_helpers_are_left_to_finish_off_the_callers_path(tmp_path):
    # stop(term=False) is how a run that ended by itself is closed (claude's SDK path): a helper
    # it left behind gets time to finish in the background, and the caller does not wait for it.
    async def main() -> tuple[int, bool, float]:
        run_id, proc, helper = await _finished_run(tmp_path / "helper.pid")
        started = time.monotonic()
        await teardown.stop(run_id, child=proc, term=False, grace=30)
        took = time.monotonic() - started
        assert alive(helper), "a finished run's helper was killed at once"
        return helper, run_id in run_marks._live_runs, took
        # asyncio.run() now cancels the background reaper, which kills the helper at once

    helper, still_registered, took = asyncio.run(main())
    assert took < 30 and still_registered  # handed to the reaper, not waited out
    assert dead_soon(helper)


def test_a_helper_one_look_misses_is_still_handed_off_not_killed(tmp_path, monkeypatch):
    # One look at /proc misses a process caught in the middle of exec (its environment reads
    # empty for that moment; about 1 in 20 children read the moment they start). Here the stop's
    # looks for the run's processes (for its own children, then for leftovers) and the background
    # reaper's first look miss the helper: it must still be left to finish, not taken for gone.
    looks = {"stop": 0, "reaper": 0}

    def missing(real, who: str, misses: int):
        def look(run_id: str) -> list[int]:
            looks[who] += 1
            return [] if looks[who] <= misses else real(run_id)

        return look

    monkeypatch.setattr(teardown, "run_pids", missing(teardown.run_pids, "stop", 2))
    monkeypatch.setattr(teardown, "marked_pids", missing(teardown.marked_pids, "reaper", 1))

    async def main() -> int:
        run_id, proc, helper = await _finished_run(tmp_path / "helper.pid")
        await teardown.stop(run_id, child=proc, term=False, grace=30)
        deadline = time.monotonic() + 5
        while looks["reaper"] < 3 and time.monotonic() < deadline:  # its miss, then two finds
            await asyncio.sleep(0.005)
        assert alive(helper), "a helper that one look missed was taken for gone and killed"
        assert looks["reaper"] >= 3
        return helper

    assert dead_soon(asyncio.run(main()))
