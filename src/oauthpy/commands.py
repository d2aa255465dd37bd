"""Short vendor commands: status probes (output captured) and login flows (on the terminal).

Both are bounded in time and leave nothing running. A captured command gets its own process
group, like a run. An interactive one must stay in the terminal's foreground group to read the
keyboard, so it carries an env marker instead and every process holding the marker is killed
when the command ends early.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ProviderNotInstalledError, TimeoutExceededError
from .process import RUN_ID_VAR, _live_groups, _signal_group, kill_marked, new_run_id, pids_with_env

_GRACE_S = 2.0


@dataclass(frozen=True)
class Completed:
    """A finished captured command. ``stdout``/``stderr`` are not redacted: never print them raw."""

    returncode: int
    stdout: str
    stderr: str


def _not_installed(argv0: str, hint: str) -> ProviderNotInstalledError:
    return ProviderNotInstalledError(f"{argv0} was not found or is not executable", hint=hint or None)


async def run_captured(
    argv: list[str],
    env: Mapping[str, str],
    *,
    timeout: float,
    stdin: bytes | None = None,
    cwd: str | None = None,
    install_hint: str = "",
) -> Completed:
    """Run ``argv`` to completion with captured output; kill its group after ``timeout`` s."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    except OSError:
        raise _not_installed(argv[0], install_hint) from None
    _live_groups.add(proc.pid)
    started = time.monotonic()
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    except asyncio.TimeoutError:
        raise TimeoutExceededError(
            f"{argv[0].rsplit('/', 1)[-1]} {' '.join(argv[1:3])} did not finish within {timeout:g} s",
            which="total",
            after_s=time.monotonic() - started,
        ) from None
    finally:
        # Also after success: a daemonized grandchild must not outlive the probe.
        _signal_group(proc.pid, signal.SIGKILL)
        _live_groups.discard(proc.pid)
        if proc.returncode is None:
            try:
                await asyncio.wait_for(asyncio.shield(proc.wait()), _GRACE_S * 2)
            except asyncio.TimeoutError:
                pass
    assert proc.returncode is not None
    return Completed(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


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
    marker = new_run_id()
    child_env = {**env, RUN_ID_VAR: marker}
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if stdin is not None else None,
            env=child_env,
        )
    except OSError:
        raise _not_installed(argv[0], install_hint) from None
    started = time.monotonic()
    try:
        if stdin is not None:
            await asyncio.wait_for(proc.communicate(stdin), timeout)
        else:
            await asyncio.wait_for(proc.wait(), timeout)
    except asyncio.TimeoutError:
        raise TimeoutExceededError(
            f"{argv[0].rsplit('/', 1)[-1]} {argv[1] if len(argv) > 1 else ''} did not finish "
            f"within {timeout:g} s",
            which="total",
            after_s=time.monotonic() - started,
        ) from None
    finally:
        await _stop_marked(marker, proc)
    assert proc.returncode is not None
    return proc.returncode


async def _stop_marked(marker: str, proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None and not pids_with_env(RUN_ID_VAR, marker):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        kill_marked(marker, sig)
        if proc.returncode is None:
            try:
                await asyncio.wait_for(asyncio.shield(proc.wait()), _GRACE_S)
            except asyncio.TimeoutError:
                continue
        if not pids_with_env(RUN_ID_VAR, marker):
            return
