"""A one-shot CLI's output read without an event loop, for `oauthpy.cli.run_exec` (`asyncio`
alone costs a third of codex's own start on two cores): its stdout lines fed as they come, a
bounded tail of its stderr kept, the rest of the prompt written as it reads it, and the run's
total and idle timeouts kept with `oauthpy._process`'s words."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

_CHUNK = 1 << 16
_STDERR_TAIL_BYTES = 16 * 1024


def write_some(fd: int, data: memoryview) -> memoryview:
    """What of ``data`` a non-blocking write to ``fd`` leaves; nothing when codex has gone
    (its exit code and stderr say why)."""
    try:
        while data:
            data = data[os.write(fd, data) :]
    except BlockingIOError:
        pass
    except (BrokenPipeError, ConnectionResetError):
        return memoryview(b"")
    return data


def read_output(
    proc: subprocess.Popen[bytes],
    began: float,
    stdin_left: memoryview,
    deadline: float | None,
    idle_timeout: float | None,
    feed: Callable[[str], None],
) -> bytes:
    """codex's stdout lines to ``feed`` as they come, to the end of its output; the tail of its
    stderr returned; the rest of the prompt written as codex reads it. Bounded by the run's
    timeouts."""
    import selectors

    assert proc.stdout is not None and proc.stderr is not None and proc.stdin is not None
    out, err = proc.stdout.fileno(), proc.stderr.fileno()
    sel = selectors.DefaultSelector()
    try:
        sel.register(out, selectors.EVENT_READ)
        sel.register(err, selectors.EVENT_READ)
        if stdin_left:
            sel.register(proc.stdin.fileno(), selectors.EVENT_WRITE)
        pending, stderr = bytearray(), bytearray()
        open_reads = 2
        from oauthpy._dropped import CHECK_S, raise_dropped

        quiet_since = time.monotonic()
        while open_reads:
            raise_dropped()  # a Ctrl-C Python dropped in a __del__ (cli._interrupts_never_dropped)
            wait = _wait(deadline, idle_timeout, quiet_since, began)
            ready = sel.select(CHECK_S if wait is None else min(wait, CHECK_S))
            if ready:
                quiet_since = time.monotonic()
            for key, _ in ready:
                fd = key.fd
                if fd not in (out, err):  # stdin
                    stdin_left = write_some(fd, stdin_left)
                    if not stdin_left:
                        sel.unregister(fd)
                        proc.stdin.close()
                    continue
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    sel.unregister(fd)
                    open_reads -= 1
                elif fd == err:
                    stderr += chunk
                    if len(stderr) > 2 * _STDERR_TAIL_BYTES:
                        del stderr[:-_STDERR_TAIL_BYTES]
                else:
                    *whole, last = (pending + chunk).split(b"\n")
                    for line in whole:
                        if line.strip():
                            feed(line.decode("utf-8", "replace"))
                    pending = bytearray(last)
        if pending.strip():
            feed(pending.decode("utf-8", "replace"))
        return bytes(stderr)
    finally:
        sel.close()


def _wait(
    deadline: float | None, idle_timeout: float | None, quiet_since: float, began: float
) -> float | None:
    """How long the next wait for output may take (None: unbounded); the run's timeout error
    (`oauthpy._process.timeout_error`'s words) once none is left."""
    left, which = None, "idle"
    if idle_timeout is not None:
        left = quiet_since + idle_timeout - time.monotonic()
    if deadline is not None and (left is None or deadline - time.monotonic() <= left):
        left, which = deadline - time.monotonic(), "total"
    if left is not None and left <= 0:
        from oauthpy._process import timeout_error

        raise timeout_error(which, idle_timeout, began, "output")
    return left


__all__ = ["read_output", "write_some"]
