"""The process runtime, with real child processes (python -c), not mocks: reading their output
(long lines, bad bytes, a pty's last lines), their stdin, stderr's tail, the total and idle
timeouts, a cancel as a read completes. Stopping them: test_process_teardown.py."""

from __future__ import annotations

import asyncio
import time

import pytest

from oauthpy import ProviderNotInstalledError, TimeoutExceededError
from oauthpy._options import merged_env
from oauthpy._process import Invocation, Process
from oauthpy.testing import live_processes_in_group, new_marker
from tests.core.process_cases import child
from tests.support import assert_no_leftovers

pytestmark = pytest.mark.fast


async def collect(inv: Invocation, **kw) -> tuple[list[str], int, str]:
    proc = await Process.start(inv)
    try:
        lines = [line async for line in proc.lines(**kw)]
        rc = await proc.wait()
    finally:
        await proc.close()
    return lines, rc, proc.stderr_tail()


def test_a_five_megabyte_line_arrives_whole():
    inv = child("import sys; sys.stdout.write('a' * 5_000_000 + '\\nshort\\n')")
    lines, rc, _ = asyncio.run(collect(inv))
    assert rc == 0 and [len(x) for x in lines] == [5_000_000, 5]


def test_non_utf8_bytes_are_replaced_not_fatal():
    inv = child("import sys; sys.stdout.buffer.write(b'ok \\xff\\xfe end\\n')")
    lines, _, _ = asyncio.run(collect(inv))
    assert lines == ["ok \ufffd\ufffd end"]


def test_chatty_stderr_does_not_deadlock_and_keeps_a_bounded_tail():
    code = """
    import sys
    for i in range(20000):
        sys.stderr.write(f'noise line {i}\\n')
    sys.stderr.write('LAST WORDS\\n')
    print('out')
    """
    lines, rc, tail = asyncio.run(collect(child(code)))
    assert lines == ["out"] and rc == 0
    assert tail.endswith("LAST WORDS\n") and len(tail) <= 4000


def test_stdin_payload_is_delivered_and_closed():
    code = "import sys; data = sys.stdin.read(); print(len(data)); print(data[:5])"
    lines, _, _ = asyncio.run(collect(child(code, stdin=b"-flag" + b"x" * 2_000_000)))
    assert lines == ["2000005", "-flag"]


def test_stdin_is_closed_when_there_is_no_payload():
    lines, _, _ = asyncio.run(collect(child("import sys; print(repr(sys.stdin.read()))")))
    assert lines == ["''"]


def test_timeout_kills_the_whole_group_including_grandchildren():
    marker = new_marker()
    code = """
    import subprocess, sys, time
    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
    print('started', flush=True)
    time.sleep(600)
    """
    inv = child(code, env=marker)

    async def main() -> int:
        proc = await Process.start(inv)
        try:
            with pytest.raises(TimeoutExceededError, match="total timeout"):
                async for _ in proc.lines(deadline=time.monotonic() + 1):
                    pass
        finally:
            await proc.close()
        return proc.pid

    pgid = asyncio.run(main())
    assert live_processes_in_group(pgid) == []
    assert_no_leftovers(marker)


def test_idle_timeout_fires_when_output_stops():
    code = "import time; print('one', flush=True); time.sleep(600)"

    async def main() -> list[str]:
        proc = await Process.start(child(code))
        seen: list[str] = []
        try:
            with pytest.raises(TimeoutExceededError, match="idle timeout") as info:
                async for line in proc.lines(idle_timeout=0.5):
                    seen.append(line)
            assert info.value.which == "idle"
        finally:
            await proc.close()
        return seen

    assert asyncio.run(main()) == ["one"]


def test_missing_binary_raises_not_installed_with_the_hint():
    inv = Invocation(["/nonexistent/vendor-cli"], {}, ".", install_hint="pip install it")
    with pytest.raises(ProviderNotInstalledError, match="pip install it"):
        asyncio.run(Process.start(inv))


def test_a_cancel_that_arrives_as_a_read_completes_is_never_swallowed():
    # `yes` keeps stdout full, so every read completes at once: a cancel then lands between the
    # read's completion and the reader's wake-up. asyncio.wait_for on Python 3.10/3.11 returned
    # the data and dropped the cancel there (in almost every one of these rounds), and the run
    # went on until its own timeout.
    async def one_round(delay: float) -> bool:
        proc = await Process.start(Invocation(["yes"], merged_env({}), cwd="."))

        async def consume() -> None:
            async for _ in proc.lines(deadline=time.monotonic() + 60, idle_timeout=30):
                pass

        task = asyncio.ensure_future(consume())
        try:
            await asyncio.sleep(delay)
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=2)
            return bool(done) and task.cancelled()
        finally:
            await proc.close()
            await asyncio.wait({task})

    async def main() -> int | None:
        for i in range(100):
            if not await one_round((i % 10) * 0.0003):
                return i
        return None

    assert asyncio.run(main()) is None, "this round lost its cancel"


def test_a_pty_keeps_the_last_lines_for_a_reader_that_comes_after_the_childs_exit():
    # gemini's stdout is a pty: once the child is gone its master reads EIO. The last lines
    # (gemini's result) are read before that EIO, but a reader that lags behind (32 runs on two
    # cores, CI49 and CI54) used to get the EIO first and lose them.
    inv = child("print('first'); print('the result', flush=True)")
    inv.stdout_pty = True

    async def main() -> list[str]:
        proc = await Process.start(inv)
        try:
            await proc.wait()
            transport = proc._pty_transport
            assert transport is not None
            for _ in range(10_000):  # until the pipe transport has read the EIO and closed
                if transport.is_closing():
                    break
                await asyncio.sleep(0)
            assert transport.is_closing()
            return [line async for line in proc.lines()]
        finally:
            await proc.close()

    assert asyncio.run(main()) == ["first", "the result"]
