"""The process runtime, with real child processes (python -c), not mocks."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import time

import pytest

from oauthpy import ProviderNotInstalledError, TimeoutExceededError
from oauthpy.options import merged_env
from oauthpy.process import Invocation, Process
from oauthpy.testing import live_processes_in_group, new_marker

from ..support import assert_no_leftovers


def child(code: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Invocation:
    return Invocation(
        [sys.executable, "-c", textwrap.dedent(code)], merged_env(env or {}), cwd=".", stdin=stdin
    )


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


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace():
    marker = new_marker()
    code = """
    import signal, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print('ready', flush=True)
    time.sleep(600)
    """

    async def main() -> None:
        proc = await Process.start(child(code, env=marker))
        async for _ in proc.lines():
            break
        await proc.close()
        assert proc.returncode is not None

    asyncio.run(main())
    assert_no_leftovers(marker)


def test_missing_binary_raises_not_installed_with_the_hint():
    inv = Invocation(["/nonexistent/vendor-cli"], {}, ".", install_hint="pip install it")
    with pytest.raises(ProviderNotInstalledError, match="pip install it"):
        asyncio.run(Process.start(inv))
