"""Short vendor commands: status probes (output captured) and login flows (on the terminal).

Both are bounded in time and leave nothing running. A captured command goes through the same
runtime as a run (`Process`). An interactive one must stay in the
terminal's foreground group to read the keyboard, so instead of its own process group it is
found by its run id, and every process holding that id is stopped when the command ends early.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from oauthpy._errors import ProviderNotInstalledError, TimeoutExceededError
from oauthpy._process import Invocation, Process
from oauthpy._run_marks import RUN_ID_VAR, new_run_id, release
from oauthpy._teardown import spawn, stop, within


@dataclass(frozen=True)
class Completed:
    """A finished captured command. ``stdout``/``stderr`` are not redacted: never print them raw."""

    returncode: int
    stdout: str
    stderr: str


async def run_captured(
    argv: list[str],
    env: Mapping[str, str],
    *,
    timeout: float,
    stdin: bytes | None = None,
    install_hint: str = "",
) -> Completed:
    """Run ``argv`` to completion with captured output, within ``timeout`` seconds."""
    inv = Invocation(argv=argv, env=dict(env), cwd=os.getcwd(), stdin=stdin, install_hint=install_hint)
    deadline = time.monotonic() + timeout
    proc = await Process.start(inv)
    try:
        lines = [line async for line in proc.lines(deadline=deadline)]
        returncode = await proc.wait(deadline)
    finally:
        await proc.close()
    return Completed(returncode, "\n".join(lines), proc.stderr_tail(16 * 1024))


async def run_interactive(
    argv: list[str],
    env: Mapping[str, str],
    *,
    timeout: float,
    stdin: bytes | None = None,
    install_hint: str = "",
) -> int:
    """Run ``argv`` on this terminal (or with ``stdin`` piped in) and return its exit code.

    On timeout, cancellation or Ctrl-C, every process of the command is stopped.
    """
    run_id = new_run_id()

    async def cleanup(child: asyncio.subprocess.Process | None) -> None:
        await stop(run_id, child=child)

    try:
        proc = await spawn(
            argv,
            cleanup,
            stdin=asyncio.subprocess.PIPE if stdin is not None else None,
            env={**env, RUN_ID_VAR: run_id},
        )
    except OSError:
        release(run_id)
        raise ProviderNotInstalledError(
            f"{argv[0]} was not found or is not executable", hint=install_hint or None
        ) from None
    started = time.monotonic()
    try:
        if stdin is not None:
            await within(proc.communicate(stdin), timeout)
        else:
            await within(proc.wait(), timeout)
    except asyncio.TimeoutError:
        raise TimeoutExceededError(
            f"{argv[0].rsplit('/', 1)[-1]} {argv[1] if len(argv) > 1 else ''} did not finish "
            f"within {timeout:g} s",
            which="total",
            after_s=time.monotonic() - started,
        ) from None
    finally:
        # The login is in the terminal's foreground group, not a group of its own: the run id
        # finds its processes. After a normal exit this only looks for leftovers.
        await stop(run_id, child=proc)
    assert proc.returncode is not None
    return proc.returncode
