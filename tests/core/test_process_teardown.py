"""The process runtime, with real child processes (python -c), not mocks: teardown, one shielded
stop routine (SIGTERM, then SIGKILL after the grace), what left the process group or the run
marker, a second cancel, a cancel during the start, the exit hooks. Reading: test_process_io.py."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from oauthpy import _process as process
from oauthpy import _run_marks as run_marks
from oauthpy import _teardown as teardown
from oauthpy._process import Process
from oauthpy.testing import new_marker
from tests.core.process_cases import child, dead_soon, wait_for_file
from tests.orphans import run_as_subreaper
from tests.support import assert_no_fd_leak, assert_no_leftovers, open_pipes_and_files

pytestmark = pytest.mark.fast


#: a child that ignores SIGTERM (so a close waits out its grace) and says when it is ready
IGNORES_SIGTERM = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print('ready', flush=True)
time.sleep(600)
"""


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace():
    marker = new_marker()

    async def main() -> None:
        proc = await Process.start(child(IGNORES_SIGTERM, env=marker))
        async for _ in proc.lines():
            break
        await proc.close()
        assert proc.returncode is not None

    asyncio.run(main())
    assert_no_leftovers(marker)


def test_sigterm_comes_before_sigkill(tmp_path):
    note = tmp_path / "term.txt"
    code = f"""
    import signal, time
    def on_term(signum, frame):
        open({str(note)!r}, "w").write("SIGTERM\\n")  # then go on: SIGKILL has to end us
    signal.signal(signal.SIGTERM, on_term)
    print('ready', flush=True)
    while True:
        time.sleep(1)
    """

    async def main() -> int | None:
        proc = await Process.start(child(code))
        async for _ in proc.lines():
            break
        await proc.close()
        return proc.returncode

    assert asyncio.run(main()) == -9  # killed, after the grace
    assert note.read_text() == "SIGTERM\n"  # but told first


def test_a_process_that_left_the_group_is_killed_through_the_run_marker(tmp_path):
    pid_file = tmp_path / "escaped.pid"
    code = f"""
    import subprocess, sys, time
    # a session of its own: a different process group, out of reach of killpg
    p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)
    open({str(pid_file)!r}, 'w').write(f'{{p.pid}}\\n')
    print('ready', flush=True)
    time.sleep(600)
    """

    async def main() -> tuple[int, int]:
        proc = await Process.start(child(code))
        async for _ in proc.lines():
            break
        escaped = int(wait_for_file(pid_file))
        assert os.getpgid(escaped) != proc.pid
        await proc.close()
        return proc.pid, escaped

    _, escaped = asyncio.run(main())
    assert dead_soon(escaped)


def test_a_process_without_the_run_marker_in_another_group_is_stopped_through_the_session(tmp_path):
    # `env -i` clears the run id, a process group of its own is out of reach of killpg: only
    # the session the run's first process leads still names it
    pid_file = tmp_path / "hidden.pid"
    code = f"""
    import os, subprocess, sys, time
    p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], env={{}}, preexec_fn=os.setpgrp)
    open({str(pid_file)!r}, 'w').write(f'{{p.pid}}\\n')
    print('ready', flush=True)
    time.sleep(600)
    """

    async def main() -> int:
        proc = await Process.start(child(code))
        async for _ in proc.lines():
            break
        hidden = int(wait_for_file(pid_file))
        assert os.getpgid(hidden) != proc.pid and os.getsid(hidden) == proc.pid
        assert run_marks.pids_with_env(run_marks.RUN_ID_VAR, proc.run_id) == [proc.pid]
        await proc.close()
        return hidden

    hidden = asyncio.run(main())
    assert dead_soon(hidden)


def test_a_second_cancel_during_close_still_stops_everything_and_unregisters():
    marker = new_marker()

    async def main() -> Process:
        # it ignores SIGTERM: close() sits in its grace period
        proc = await Process.start(child(IGNORES_SIGTERM, env=marker))
        async for _ in proc.lines():
            break
        closing = asyncio.ensure_future(proc.close())
        for _ in range(2):  # cancelled twice while it waits out the grace
            await asyncio.sleep(0.05)
            closing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await closing
        return proc

    proc = asyncio.run(main())
    assert proc.returncode == -9
    assert_no_leftovers(marker)
    assert proc.run_id not in run_marks._live_runs
    assert proc.pid not in run_marks._live_groups


def test_the_exit_hook_never_signals_a_process_group_it_no_longer_owns():
    # A process group that is not ours (its leader is not our child): what a recycled group id
    # of a finished run would point at.
    other = subprocess.Popen(
        [
            "setsid",
            "-f",
            sys.executable,
            "-c",
            "import os; print(os.getpid(), flush=True); import time; time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
    )
    assert other.stdout is not None
    stranger = int(other.stdout.readline())
    other.wait()
    signalled: list[int] = []
    real_killpg = os.killpg

    def recording_killpg(pgid: int, sig: int) -> None:
        signalled.append(pgid)
        real_killpg(pgid, sig)

    try:
        assert os.getpgid(stranger) == stranger
        with pytest.MonkeyPatch.context() as mp:
            # the hook sees this registration only: the worker's own live runs (the warm rigs'
            # agents) are not this test's to kill
            mp.setattr(run_marks, "_live_groups", set())
            mp.setattr(run_marks, "_live_runs", set())
            mp.setattr(os, "killpg", recording_killpg)
            run_marks.register_group(stranger)
            run_marks._kill_live()
        assert stranger not in signalled
    finally:
        os.kill(stranger, signal.SIGKILL)


def test_a_cancel_during_start_leaves_no_process_descriptor_or_run_id(tmp_path, monkeypatch):
    marker = new_marker()
    pid_file = tmp_path / "grandchild.pid"
    code = f"""
    import subprocess, sys, time
    p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
    open({str(pid_file)!r}, 'w').write(f'{{p.pid}}\\n')
    time.sleep(600)
    """
    inv = child(code, env=marker)
    inv.stdout_pty = True  # like gemini: start() still awaits the pty's read pipe after the spawn
    run_ids: list[str] = []
    real_new_run_id = process.new_run_id

    def recording_new_run_id() -> str:
        run_ids.append(real_new_run_id())
        return run_ids[-1]

    async def never_connects(*args: object) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(process, "new_run_id", recording_new_run_id)
    monkeypatch.setattr(process, "connect_pty", never_connects)
    fds = open_pipes_and_files()

    async def main() -> None:
        starting = asyncio.ensure_future(Process.start(inv))
        while not pid_file.exists():  # the child and its grandchild are up
            await asyncio.sleep(0.005)
        starting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await starting

    asyncio.run(main())
    assert_no_leftovers(marker)
    assert_no_fd_leak(fds)
    assert run_ids and run_ids[0] not in run_marks._live_runs


def test_exit_hooks_act_only_in_the_process_that_registered_them(tmp_path):
    # A forked child that exits normally must not kill the parent's run.
    script = tmp_path / "fork.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, atexit, os, sys
            from oauthpy._process import Invocation, Process

            loop = asyncio.new_event_loop()
            inv = Invocation([sys.executable, '-c', 'import time; time.sleep(600)'], dict(os.environ), '.')
            proc = loop.run_until_complete(Process.start(inv))
            child = os.fork()
            if child == 0:
                atexit._run_exitfuncs()  # what a normal exit of the child runs
                os._exit(0)
            os.waitpid(child, 0)
            with open(f'/proc/{proc.pid}/stat') as fh:
                state = fh.read().rsplit(')', 1)[1].split()[0]
            print('alive' if state != 'Z' else 'dead', flush=True)
            loop.run_until_complete(proc.close())
            """
        )
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "alive", out.stderr


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="3.14 has no policy child watcher")
def test_a_stop_waits_until_a_reaped_childs_exit_has_reached_the_loop(monkeypatch):
    # Python 3.11's child watcher reaps in a thread and only then schedules the exit on the loop:
    # a child already gone from /proc may not have reached it yet. Here the thread is held up
    # between the two; a stop that returned in that window would let asyncio.run close the loop
    # first, and the thread would print "Loop ... that handles pid ... is closed".
    import asyncio.unix_events as unix_events

    real = unix_events.waitstatus_to_exitcode

    def held_up(status: int) -> int:
        time.sleep(0.3)
        return real(status)

    monkeypatch.setattr(unix_events, "waitstatus_to_exitcode", held_up)

    async def main() -> int | None:
        child = await asyncio.create_subprocess_exec("sleep", "30")
        child.kill()
        await teardown._wait_reaped({child.pid}, None, time.monotonic() + 5)
        return child.returncode

    assert asyncio.run(main()) == -signal.SIGKILL


#: a launcher that runs the agent as its child and waits for it (as ``qwen`` does), dying at once
#: of a SIGTERM of its own; the agent takes a moment to shut down
LAUNCHED = """
import asyncio
from oauthpy._process import Invocation, Process
from oauthpy._options import merged_env

AGENT = '''
import signal, sys, time
def shut_down(*_):
    time.sleep(0.3)
    sys.exit(0)
signal.signal(signal.SIGTERM, signal.SIG_IGN if sys.argv[1] == "ignores" else shut_down)
if sys.argv[1] == "heavy":  # 400 MB written: its exit takes longer than its launcher's
    heap = bytearray(400 << 20)
    heap[:: 4096] = bytes(len(heap) // 4096)
print("ready", flush=True)
time.sleep(600)
'''
LAUNCHER = f'''
import os, subprocess, sys
done = subprocess.run([sys.executable, "-c", {AGENT!r}, sys.argv[1]])
if done.returncode < 0:
    os.kill(os.getpid(), -done.returncode)
sys.exit(done.returncode)
'''

async def started():
    argv = [sys.executable, "-c", LAUNCHER, sys.argv[2]]
    inv = Invocation(argv, merged_env({}), cwd=".", launcher=True)
    proc = await Process.start(inv)
    async for _ in proc.lines():
        break
    return proc

async def closed():
    proc = await started()
    await proc.close()
    return proc.returncode

if sys.argv[1] == "close":
    launcher = asyncio.run(closed())
else:  # its loop has ended: `kill_now`
    asyncio.run(started()).kill_now()
    launcher = None
print(json.dumps({"launcher": launcher, "left_to_us": left()}))
"""


@pytest.mark.parametrize(
    ("how", "agent"), [("close", "shuts-down"), ("close", "ignores"), ("kill_now", "heavy")]
)
def test_a_launchers_agent_is_stopped_first_and_reaped_by_the_launcher_not_left_to_pid_1(
    how: str, agent: str
):
    # Signalled together, the launcher dies at once and its agent goes to PID 1, which in a
    # container without an init never reaps it. The program above is the orphans' subreaper, as
    # such a PID 1 would be: an orphan shows as its child. With SIGKILL (`kill_now`) the order of
    # the two deaths decides: an agent of 400 MB takes longer to exit than its launcher.
    said = run_as_subreaper(LAUNCHED, how, agent)
    assert said["left_to_us"] == []  # the agent was its launcher's to reap
    if how == "close":
        # it ended by itself, with its agent's status: after its SIGTERM, or after the SIGKILL
        # that an agent ignoring SIGTERM gets when the grace is out
        assert said["launcher"] == (0 if agent == "shuts-down" else -signal.SIGKILL)


#: a program whose run of ``sleep`` (through ``Process``, on a loop in a thread) is still going
#: when it exits, as `test_the_interpreter_exiting_mid_run` does with an agent: the exit hook's
#: to kill, and to reap. Its loop is busy in the caller's code and reaps children through pidfds,
#: as from Python 3.12 (on 3.11 a watcher thread of asyncio's, blocked in `waitpid`, reaps them)
_EXITS_MID_RUN = """
import asyncio, sys, threading, time
from oauthpy._options import merged_env
from oauthpy._process import Invocation, Process

started = threading.Event()

async def main():
    if sys.version_info < (3, 12):
        watcher = asyncio.PidfdChildWatcher()
        watcher.attach_loop(asyncio.get_running_loop())
        asyncio.set_child_watcher(watcher)
    await Process.start(Invocation(["sleep", "600"], merged_env({}), cwd="."))
    started.set()
    time.sleep(600)  # the loop's thread is busy (the caller's code): only the exit hook can reap

threading.Thread(target=asyncio.run, args=(main(),), daemon=True).start()
started.wait(30)
print("started", flush=True)
"""

_RUNS_IT = f"""
import subprocess
done = subprocess.run([sys.executable, "-c", {_EXITS_MID_RUN!r}], capture_output=True, text=True, timeout=60)
print(json.dumps({{"out": done.stdout, "err": done.stderr, "left": left()}}))
"""


def test_what_the_exit_hook_kills_it_reaps_rather_than_leave_to_pid_1():
    said = run_as_subreaper(_RUNS_IT)
    assert said["out"] == "started\n" and said["err"] == "", said
    assert said["left"] == [], "the exit hook left a killed run to PID 1 unreaped"
