"""A user's shell command run in a worktree (``setup=``): bounded, its output's tail kept.

The command runs under ``/bin/sh`` in a process group of its own, carrying a run id
(`oauthpy._run_marks`). It is handed to the shell through its environment, not its argv, so
that what it holds (a token in ``KEY=... npm run seed``) is not in every user's ``ps``. Its output
(stdout and stderr together) goes to an unlinked temporary file rather than a pipe: a process
it leaves running in the background would hold a pipe open, and the wait would last until that
process ends; the exit of the shell is what ends the command. Whatever it left running is then
stopped, as on a timeout or a cancellation (`oauthpy._teardown.stop`).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass

from oauthpy._errors import OauthPyError, plain
from oauthpy._redact import redact, secret_values
from oauthpy._run_marks import (
    RUN_ID_VAR,
    forget_group,
    new_run_id,
    own_session,
    register_group,
    release,
    run_pids,
)
from oauthpy._teardown import spawn, stop, within

#: how much of the end of the output is kept, in characters
OUTPUT_TAIL = 4000
_COMMAND_VAR = "OAUTHPY_SHELL_COMMAND"
#: the command read from the environment, which its own processes then do not inherit
_SCRIPT = f'__oauthpy_command=${_COMMAND_VAR}; unset {_COMMAND_VAR}; eval "$__oauthpy_command"'


@dataclass(frozen=True, slots=True)
class ShellOutcome:
    """How a command ended: its exit code (None when it ran out of time; negative: the signal
    that ended it), the redacted tail of its output, how long it took."""

    exit_code: int | None
    output: str
    duration_s: float

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None


async def run_shell(command: str, cwd: str, env: Mapping[str, str], timeout: float) -> ShellOutcome:
    """Run ``command`` with ``/bin/sh`` in ``cwd`` with exactly ``env``, for at most ``timeout``
    seconds; nothing it started outlives it. Cancellation-safe."""
    run_id = new_run_id()
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:

        async def cleanup(child: asyncio.subprocess.Process | None) -> None:
            await stop(run_id, child=child, group=child is not None)

        try:
            proc = await spawn(
                ["/bin/sh", "-c", _SCRIPT],
                cleanup,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                cwd=cwd,
                env={**env, _COMMAND_VAR: command, RUN_ID_VAR: run_id},
                start_new_session=True,
            )
        except OSError as exc:
            release(run_id)
            raise OauthPyError(f"cannot run a shell command in {cwd}: {exc.strerror}") from None
        register_group(proc.pid)
        own_session(run_id, proc.pid)
        code: int | None = None
        try:
            # no pipe to wait on: this returns when the shell exits
            code = await within(proc.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            if proc.returncode is None:  # timed out or cancelled: the group and the rest
                await stop(run_id, child=proc, group=True)
            else:
                forget_group(proc.pid)  # reaped: its id may be recycled
                if run_pids(run_id):  # what it left running in the background
                    await stop(run_id)
                else:
                    release(run_id)
        size = out.seek(0, os.SEEK_END)
        out.seek(max(0, size - 4 * OUTPUT_TAIL))  # a UTF-8 character is at most 4 bytes
        tail = out.read().decode("utf-8", "replace")[-OUTPUT_TAIL:]
    output = redact(plain(tail), secret_values(env))
    return ShellOutcome(code, output, time.monotonic() - started)
