"""A check per attempt (``compare(check="pytest -q")``): the user's shell command, run in a
finished attempt's worktree, that says whether the attempt works.

It runs as the worktree's setup does (`oauthpy._shell_command.run_shell`): ``/bin/sh``, in the
folder of the worktree where the agent worked, with ``OAUTHPY_ATTEMPT`` and ``OAUTHPY_WORKTREE``
set, stdin closed, in a process group of its own: on its timeout, a cancellation or Ctrl-C, it
and whatever it started go. Its output (stdout and stderr together) is kept as a redacted tail.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oauthpy._checks import check_text, positive_number
from oauthpy._errors import InvalidOptionsError, OauthPyError

#: the check's default bound (as ``setup_timeout``'s): a test suite, not an agent
CHECK_TIMEOUT_S = 600.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What an attempt's check said (``Attempt.check``)."""

    #: the command exited 0 within ``check_timeout``
    passed: bool
    #: its exit status (negative: killed by that signal); None when it timed out
    exit_code: int | None
    #: the end of its output (stdout and stderr as they came), redacted
    output: str
    duration_s: float

    def __repr__(self) -> str:
        said = "passed" if self.passed else "timed out" if self.exit_code is None else "failed"
        return f"CheckResult({said}, exit_code={self.exit_code}, duration_s={self.duration_s:.2f})"


def checked_command(check: Any) -> str | None:
    """``check=`` as given, refused before anything starts unless it is a command (or None)."""
    if check is None:
        return None
    if not isinstance(check, str) or not check.strip():
        raise InvalidOptionsError(
            f"check must be a shell command (a non-empty string), got {check!r:.60}",
            hint='e.g. check="pytest -q"',
        )
    check_text("check", check)
    return check


def checked_timeout(value: Any) -> float:
    seconds = positive_number("check_timeout", value)
    return CHECK_TIMEOUT_S if seconds is None else seconds


def attempt_env(index: int, worktree: str) -> dict[str, str]:
    """What tells a command which attempt's worktree it runs in (a port per attempt: 8000 +
    ``$OAUTHPY_ATTEMPT``)."""
    return {"OAUTHPY_ATTEMPT": str(index), "OAUTHPY_WORKTREE": worktree}


async def run_check(command: str, cwd: str, env: Mapping[str, str | None], timeout: float) -> CheckResult:
    """``command`` in ``cwd`` with ``env`` over this process's environment (a None value
    removes a variable), bounded by ``timeout`` seconds; a failure to start is a failed check,
    not an error of the attempt."""
    from oauthpy._redact import redact
    from oauthpy._shell_command import run_shell

    merged = {key: value for key, value in {**os.environ, **env}.items() if value is not None}
    try:
        done = await run_shell(command, cwd, merged, timeout)
    except OauthPyError as exc:  # a folder the agent removed
        return CheckResult(False, None, redact(f"the check did not start: {exc.message}"), 0.0)
    output = done.output
    if done.timed_out:
        output += f"\n[oauthpy: the check was stopped after {timeout:g} s (check_timeout)]"
    return CheckResult(done.exit_code == 0, done.exit_code, output, done.duration_s)
