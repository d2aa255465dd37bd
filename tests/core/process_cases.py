"""What the process runtime's tests share (test_process_io.py, test_process_teardown.py,
test_stragglers.py): a real child process, ``python -c``, not a mock, and looks at its life."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

from oauthpy._options import merged_env
from oauthpy._process import Invocation


def child(code: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Invocation:
    return Invocation(
        [sys.executable, "-c", textwrap.dedent(code)], merged_env(env or {}), cwd=".", stdin=stdin
    )


def alive(pid: int) -> bool:
    """Alive and not a zombie (PID 1 does not reap orphans here: a zombie counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def dead_soon(pid: int, limit: float = 2.0) -> bool:
    """Dead within `limit` s: SIGKILL is delivered asynchronously, so a just-killed process may
    still show as running for a moment (seen on a loaded 2-core CI machine)."""
    deadline = time.monotonic() + limit
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def wait_for_file(path: Path, limit: float = 10.0) -> str:
    """The file's text once the child has written it (a bounded poll on the child's own signal)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().endswith("\n"):
            return path.read_text()
        time.sleep(0.005)
    raise AssertionError(f"the child never wrote {path}")
