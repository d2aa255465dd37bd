"""The one subprocess runtime every CLI provider uses.

Guarantees: argv lists (never a shell); the child in its own process group; the prompt through
stdin or stdin closed; stdout lines of any length; stderr drained concurrently into a bounded
tail; total and idle timeouts; and on timeout, cancellation (also during start), an exception
or an early close, the run's processes are stopped by `oauthpy._teardown.stop`: the
group and every process carrying the run's id (`oauthpy._run_marks`) get SIGTERM, then
SIGKILL after a short grace. Exit-time hooks kill whatever is still alive when the
interpreter stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator

from oauthpy._errors import ProtocolError, ProviderNotInstalledError, TimeoutExceededError
from oauthpy._invocation import Invocation as Invocation  # its home before; still imported from here
from oauthpy._pty import close_fd, connect_pty, open_pty
from oauthpy._run_marks import (
    KILL_NOW_WAIT_S,
    RUN_ID_VAR,
    forget_group,
    kill_marked,
    new_run_id,
    own_session,
    owns_group,
    reap_now,
    register_group,
    release,
    run_pids,
    signal_group,
    state_of,
)
from oauthpy._teardown import reap_in_background, signal_launched, spawn, stop, within

_CHUNK = 1 << 16
_STDERR_TAIL_BYTES = 16 * 1024
#: how long the last words on stderr may take to arrive after the process exited
_STDERR_SETTLE_S = 1.0


def wait_budget(deadline: float | None, idle_timeout: float | None) -> tuple[float | None, str]:
    """How long the next wait may take, and which timeout (``total`` or ``idle``) bounds it."""
    wait, which = idle_timeout, "idle"
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if wait is None or remaining <= wait:
            wait, which = max(remaining, 0.0), "total"
    return wait, which


def timeout_error(which: str, idle_timeout: float | None, started: float, what: str) -> TimeoutExceededError:
    elapsed = time.monotonic() - started
    if which == "idle":
        msg = f"idle timeout: no {what} for {idle_timeout:g} s (after {elapsed:.1f} s)"
    else:
        msg = f"total timeout fired after {elapsed:.1f} s"
    return TimeoutExceededError(msg, which=which, after_s=elapsed)


def start_timeout(what: str, started: float) -> TimeoutExceededError:
    """The run's total timeout, fired while ``what`` (starting the agent, waiting for another
    run's first start) was still going on: the message says which step was slow."""
    elapsed = time.monotonic() - started
    after = f" after {elapsed:.1f} s" if elapsed >= 0.1 else ""  # else it ran out before this step
    return TimeoutExceededError(f"total timeout fired{after} while {what}", which="total", after_s=elapsed)


def time_left(deadline: float | None, what: str, started: float) -> float | None:
    """Seconds left until ``deadline`` (None: unbounded); `start_timeout` when none are."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise start_timeout(what, started)
    return left


class Process:
    """A running vendor CLI. Use `start`, iterate `lines`, always `close`."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        inv: Invocation,
        run_id: str,
        stdout: asyncio.StreamReader | None = None,
        pty_transport: asyncio.BaseTransport | None = None,
    ) -> None:
        self._proc = proc
        self.pid = proc.pid
        self.run_id = run_id
        self._stdout = stdout if stdout is not None else proc.stdout
        self._pty_transport = pty_transport
        self.argv0 = inv.argv[0]
        self._launcher = inv.launcher
        #: `lines` ended on output with no newline after it (the process died mid-line)
        self.torn_tail = False
        self._stderr = bytearray()
        self._stderr_task = asyncio.ensure_future(self._drain_stderr())
        self._stdin_task = asyncio.ensure_future(
            self._feed_stdin(None if inv.interactive_stdin else inv.stdin)
        )
        register_group(self.pid)
        own_session(run_id, self.pid)
        self._closed = False

    @classmethod
    async def start(cls, inv: Invocation) -> Process:
        """Spawn ``inv``. Cancellation-safe: a cancel at any point leaves nothing behind."""
        run_id = new_run_id()
        master = slave = -1
        if inv.stdout_pty:
            master, slave = open_pty()

        async def cleanup(child: asyncio.subprocess.Process | None) -> None:
            close_fd(master)
            await (stop(run_id) if child is None else cls(child, inv, run_id).close())

        try:
            proc = await spawn(
                inv.argv,
                cleanup,
                stdin=(
                    asyncio.subprocess.PIPE
                    if inv.stdin is not None or inv.interactive_stdin
                    else asyncio.subprocess.DEVNULL
                ),
                stdout=slave if inv.stdout_pty else asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=inv.cwd,
                env={**inv.env, RUN_ID_VAR: run_id},
                start_new_session=True,
            )
        except (FileNotFoundError, PermissionError) as exc:
            release(run_id)
            close_fd(master)
            what = "was not found" if isinstance(exc, FileNotFoundError) else "is not executable"
            raise ProviderNotInstalledError(f"{inv.argv[0]} {what}", hint=inv.install_hint or None) from None
        except asyncio.CancelledError:
            raise  # `spawn` has stopped what it started
        except BaseException:
            close_fd(master)
            await stop(run_id)
            raise
        finally:
            close_fd(slave)  # the child has its own copy; EOF comes when it is gone
        if master < 0:
            return cls(proc, inv, run_id)
        self = cls(proc, inv, run_id, stdout=asyncio.StreamReader(limit=_CHUNK))
        pipe = os.fdopen(master, "rb", buffering=0)
        try:
            assert self._stdout is not None
            self._pty_transport = await connect_pty(self._stdout, pipe)
        except BaseException:
            pipe.close()
            await self.close()
            raise
        return self

    async def _feed_stdin(self, data: bytes | None) -> None:
        stdin = self._proc.stdin
        if stdin is None or data is None:
            return
        try:
            stdin.write(data)
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the child exited early; its exit code and stderr tell why
        finally:
            try:
                stdin.close()
            except (BrokenPipeError, ConnectionResetError, RuntimeError):
                pass

    async def write(self, data: bytes, timeout: float | None = None) -> None:
        """Write to the child's stdin (``interactive_stdin``), bounded by ``timeout``.

        Raises ``BrokenPipeError`` or ``ConnectionResetError`` when the child has gone.
        """
        stdin = self._proc.stdin
        if stdin is None:
            raise RuntimeError("this process was not started with interactive_stdin")
        stdin.write(data)
        try:
            await within(stdin.drain(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutExceededError(
                "the agent stopped reading its input", which="total", after_s=timeout or 0.0
            ) from None

    async def _drain_stderr(self) -> None:
        stream = self._proc.stderr
        assert stream is not None
        while chunk := await stream.read(_CHUNK):
            self._stderr += chunk
            if len(self._stderr) > 2 * _STDERR_TAIL_BYTES:
                del self._stderr[:-_STDERR_TAIL_BYTES]

    def stderr_tail(self, limit: int = 4000) -> str:
        """The last ``limit`` characters of stderr (not redacted: errors redact it)."""
        return self._stderr[-limit:].decode("utf-8", "replace")

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    def gone(self) -> bool:
        """Whether the process has exited, even if the event loop has not reaped it yet (a
        process killed from outside is a zombie until then). Reads /proc; never reaps."""
        if self._proc.returncode is not None:
            return True
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as fh:
                state = fh.read().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            # no entry: reaped already; no /proc at all (macOS): only returncode says
            return os.path.exists("/proc/self")
        return state in (b"Z", b"X")

    async def lines(
        self, *, deadline: float | None = None, idle_timeout: float | None = None, max_line: int | None = None
    ) -> AsyncIterator[str]:
        """Yield stdout lines (without the newline), of any length, as they arrive.

        ``deadline`` is a ``time.monotonic()`` value; ``idle_timeout`` bounds the wait for
        each piece of output. Either raises `TimeoutExceededError`. ``max_line``: a line (or an
        unended tail) longer than that many bytes raises `ProtocolError` as soon as it is seen.
        """
        stdout = self._stdout
        assert stdout is not None
        pending = bytearray()
        started = time.monotonic()
        while True:
            chunk = await self._read(stdout, deadline, idle_timeout, started)
            if not chunk:
                break
            if b"\n" not in chunk:
                pending += chunk
                _bounded(pending, max_line)
                continue
            pieces = chunk.split(b"\n")
            pending += pieces[0]
            _bounded(pending, max_line)
            if pending.strip():
                yield pending.decode("utf-8", "replace")
            for piece in pieces[1:-1]:
                if piece.strip():
                    yield piece.decode("utf-8", "replace")
            pending = bytearray(pieces[-1])
        if pending.strip():
            self.torn_tail = True  # output that ended without its newline: cut by an exit
            yield pending.decode("utf-8", "replace")

    async def read(self, *, deadline: float | None = None) -> bytes:
        """The next piece of stdout as it arrives (``b""`` at its end), bounded by ``deadline``:
        for output that is not line-based (``Content-Length`` framed JSON-RPC)."""
        assert self._stdout is not None
        return await self._read(self._stdout, deadline, None, time.monotonic())

    @staticmethod
    async def _read(
        stdout: asyncio.StreamReader,
        deadline: float | None,
        idle_timeout: float | None,
        started: float,
    ) -> bytes:
        # a pty's end of file (EIO) arrives as an end of file too (`oauthpy._pty`)
        if deadline is None and idle_timeout is None:
            return await stdout.read(_CHUNK)
        wait, which = wait_budget(deadline, idle_timeout)
        try:
            return await within(stdout.read(_CHUNK), wait)
        except asyncio.TimeoutError:
            raise timeout_error(which, idle_timeout, started, "output") from None

    async def wait(self, deadline: float | None = None) -> int:
        """Wait for exit (after stdout closed); bounded by ``deadline`` when given."""
        if deadline is None:
            rc = await self._proc.wait()
        else:
            remaining = max(deadline - time.monotonic(), 0.0)
            try:
                rc = await within(self._proc.wait(), remaining)
            except asyncio.TimeoutError:
                raise TimeoutExceededError(
                    "total timeout fired while waiting for the process to exit",
                    which="total",
                    after_s=remaining,
                ) from None
        # stderr may still hold the last words; the pipe closes with the process. A grandchild
        # that holds stderr open gets no more time: the tail we have is enough.
        await asyncio.wait((self._stderr_task,), timeout=_STDERR_SETTLE_S)
        return rc

    async def close(self) -> None:
        """End the whole process group and reap the child. Safe to call more than once, and
        finishes (bounded) even when cancelled again while it runs."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._proc.returncode is not None:
                # The vendor exited by itself. Every process it left behind carries the run
                # id, whatever group it is in: one scan finds them (the common case: none).
                if run_pids(self.run_id):
                    reap_in_background(self.run_id)  # e.g. a login shell in a session of its own
                else:
                    release(self.run_id)
                forget_group(self.pid)  # reaped: its id may be recycled, never signal it again
            else:
                await stop(self.run_id, child=self._proc, group=True, launcher=self._launcher)
        finally:
            self._release_pipes()

    def kill_now(self) -> None:
        """SIGKILL the run's processes without an event loop: for a process whose loop has
        ended, so that nothing can await `close` any more. Bounded; safe to repeat."""
        if self._closed:
            return
        self._closed = True
        if self._launcher and self._proc.returncode is None and owns_group(self.pid):
            self._kill_launched_first()
        if self._proc.returncode is None and owns_group(self.pid):
            signal_group(self.pid, signal.SIGKILL)
        kill_marked(self.run_id, signal.SIGKILL)
        # Reaped here: the ended loop's child watcher can no longer deliver the exit.
        reap_now([self.pid], KILL_NOW_WAIT_S)
        forget_group(self.pid)
        if not run_pids(self.run_id):
            release(self.run_id)  # else the exit hook looks once more
        for task in (self._stdin_task, self._stderr_task):
            with contextlib.suppress(RuntimeError):  # its loop is closed
                task.cancel()
        transport = getattr(self._proc, "_transport", None)
        pipes = getattr(transport, "_pipes", None) or {}
        # Closed as far as a closed loop allows, so that no "Event loop is closed" traceback
        # comes from their finalizers at exit.
        for proto in [*pipes.values(), transport, self._pty_transport]:
            pipe = getattr(proto, "pipe", proto)
            if pipe is not None:
                with contextlib.suppress(RuntimeError):
                    pipe.close()

    def _kill_launched_first(self) -> None:
        """`kill_now` of a launcher's run: its agent first, then a moment (bounded) for the
        launcher to reap it and follow it, as `oauthpy._teardown.stop` does with SIGTERM."""
        if not signal_launched(self.run_id, self.pid, signal.SIGKILL):
            return  # nothing launched yet: the launcher goes alone
        give_up = time.monotonic() + KILL_NOW_WAIT_S
        while time.monotonic() < give_up and state_of(self.pid) not in (None, "Z"):
            time.sleep(0.002)

    def _release_pipes(self) -> None:
        if self._pty_transport is not None:
            self._pty_transport.close()
        for task in (self._stdin_task, self._stderr_task):
            if not task.done():
                task.cancel()
        # Pipes a run left unread (it ended mid-stream) stay open until the subprocess
        # transport is closed; left to the garbage collector, it warns "Event loop is closed"
        # after asyncio.run(). The child is gone by now, so closing kills nothing.
        transport = getattr(self._proc, "_transport", None)
        if transport is not None:
            transport.close()


def _bounded(line: bytearray, limit: int | None) -> None:
    if limit is not None and len(line) > limit:
        raise ProtocolError(
            f"the agent wrote a line of more than {limit // (1024 * 1024)} MB without ending it; "
            "oauthpy stopped reading it"
        )
