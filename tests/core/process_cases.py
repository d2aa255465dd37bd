"""What the process runtime's tests share (test_process_io.py, test_process_teardown.py): a real
child process, ``python -c``, not a mock."""

from __future__ import annotations

import sys
import textwrap

from oauthpy._options import merged_env
from oauthpy._process import Invocation


def child(code: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Invocation:
    return Invocation(
        [sys.executable, "-c", textwrap.dedent(code)], merged_env(env or {}), cwd=".", stdin=stdin
    )
