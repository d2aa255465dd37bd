"""A run's session (`own_session`) and the id's later owners: once the session has emptied, its id
is free, and here (pid_max 32768) a busy machine hands it to an unrelated process within minutes.
A run stopped late (a warm agent whose loop had ended) must not kill that process: likely what
killed a test's helper, in a session of its own, in CI87."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time

import pytest

from oauthpy import _run_marks as run_marks
from tests.support import ended

pytestmark = pytest.mark.fast

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
NS_LAST_PID = "/proc/sys/kernel/ns_last_pid"


def _a_tick_after(registered: int | None) -> None:
    """Until the clock of /proc start times has passed ``registered``: a real reuse comes minutes
    later, here it comes within milliseconds; bounded."""
    assert registered is not None
    for _ in range(1000):
        if (run_marks._ticks_now() or 0) > registered:
            return
        time.sleep(0.001)
    raise AssertionError("the clock of /proc start times did not move in a second")


def _alive(proc: subprocess.Popen[bytes]) -> bool:
    return proc.poll() is None


def test_the_session_the_run_leads_is_its_own():
    run_id = run_marks.new_run_id()
    leader = subprocess.Popen(SLEEPER, start_new_session=True)  # carries no run id
    try:
        run_marks.own_session(run_id, leader.pid)
        assert run_marks.run_pids(run_id) == [leader.pid]
    finally:
        ended(leader)
        run_marks.release(run_id)


def test_a_leader_reaped_before_the_session_was_registered_still_gives_it():
    # a shell that only starts something in the background may be gone (a threaded child
    # watcher reaps at once) before its run registers the session: what it left is the run's
    run_id = run_marks.new_run_id()
    leader = subprocess.Popen(
        ["sh", "-c", f"env -i {shlex.join(SLEEPER)} & echo $!"],
        start_new_session=True,
        stdout=subprocess.PIPE,
    )
    assert leader.stdout is not None
    left = int(leader.stdout.readline())
    ended(leader)
    try:
        run_marks.own_session(run_id, leader.pid)
        assert run_marks.run_pids(run_id) == [left]
    finally:
        run_marks.kill_marked(run_id, signal.SIGKILL)
        run_marks.release(run_id)


def test_a_session_id_now_led_by_a_process_started_later_is_not_the_runs():
    # what a recycled id looks like: the id's process started after the run registered the
    # session, so it is not the leader
    run_id = run_marks.new_run_id()
    other = subprocess.Popen(SLEEPER, start_new_session=True)
    try:
        run_marks.own_session(run_id, other.pid)
        started = run_marks._start_time(other.pid)
        assert started is not None
        run_marks._sessions[run_id] = (other.pid, started - 1)  # registered before it started
        assert run_marks.kill_marked(run_id, signal.SIGKILL) == []
        assert _alive(other)
        assert run_id not in run_marks._sessions  # for good: the run's session has ended
    finally:
        ended(other)
        run_marks.release(run_id)


@pytest.mark.skipif(not os.access(NS_LAST_PID, os.W_OK), reason="choosing the next pid needs root")
def test_a_late_stop_leaves_alone_the_process_that_got_the_sessions_id():
    # The real thing: the leader ends, its id goes to a new process that leads a session of the
    # same id, and the run is stopped after that.
    run_id = run_marks.new_run_id()
    try:
        for _ in range(50):  # another process may take the id first: try again
            leader = subprocess.Popen(SLEEPER, start_new_session=True)
            run_marks.own_session(run_id, leader.pid)
            ended(leader)
            _a_tick_after(run_marks._sessions[run_id][1])  # start times count 10 ms ticks
            with open(NS_LAST_PID, "w") as fh:
                fh.write(str(leader.pid - 1))
            other = subprocess.Popen(SLEEPER, start_new_session=True)
            if other.pid == leader.pid:
                break
            ended(other)
        else:
            raise AssertionError("no process got the leader's id in 50 tries")
        try:
            assert run_marks.kill_marked(run_id, signal.SIGKILL) == []
            assert _alive(other)
        finally:
            ended(other)
    finally:
        run_marks.release(run_id)
