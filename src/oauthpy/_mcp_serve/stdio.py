"""The server's stdio: bounded JSON-RPC lines in, whole lines out.

The ``mcp`` package's own reader takes a line of any length (a 300 MB line held ~1 GB), passes
over a line it cannot use without a word, and raises a traceback when the process has no
stdin. This one reads a line of at most `MAX_FRAME_BYTES` (as the ACP reader does), answers a
line it cannot use with a JSON-RPC error (``-32700`` not JSON or too long or too deep,
``-32600`` not one request: a batch, a bare value, a message of no known shape) and says so on
stderr, then reads on. Its streams are handed to the package's ``stdio_server(stdin, stdout)``.

As the package does, fds 0 and 1 point away while serving (the null device, stderr), so nothing
the agents start reads the client's input or writes into the protocol. The reading and writing
threads are daemons: a client that stops reading never holds up the exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import queue
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from oauthpy._transports.rpc import MAX_FRAME_BYTES
from oauthpy._transports.rpc_messages import INVALID_REQUEST, PARSE_ERROR

_CHUNK = 1 << 20
_EOF = object()


def check_line(line: bytes) -> tuple[str | None, dict[str, Any] | None]:
    """A line as the package reads it, or (None, the error to answer): pure."""
    try:
        text = line.decode("utf-8")
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return None, error(PARSE_ERROR, "parse error: the line is not JSON")
    except RecursionError:
        return None, error(PARSE_ERROR, "parse error: the JSON is nested too deep")
    if isinstance(value, list):
        return None, error(
            INVALID_REQUEST, "invalid request: batches are not served; send one message a line"
        )
    if not isinstance(value, dict):
        return None, error(INVALID_REQUEST, "invalid request: a message is a JSON object")
    from mcp_types import jsonrpc_message_adapter

    try:
        jsonrpc_message_adapter.validate_python(value, by_name=False)
    except Exception:  # pydantic's ValidationError, or its own depth limit
        rid = value.get("id")
        known = rid if isinstance(rid, (str, int)) and not isinstance(rid, bool) else None
        return None, error(INVALID_REQUEST, "invalid request: not a JSON-RPC 2.0 message", known)
    return text, None


def error(code: int, message: str, rid: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}


def _lines(fd: int, limit: int) -> Iterator[tuple[str | None, dict[str, Any] | None]]:
    """Each line of ``fd``, checked; a line past ``limit`` bytes is skipped to its end."""
    with os.fdopen(fd, "rb", closefd=False) as stream:
        while True:
            try:
                line = stream.readline(limit + 1)
            except OSError:
                return
            if not line:
                return
            if len(line) > limit and not line.endswith(b"\n"):
                while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
                    pass
                yield None, error(PARSE_ERROR, f"parse error: the line is longer than {limit} bytes")
            elif line.strip():
                yield check_line(line)


class Input:
    """The client's lines for ``stdio_server``: read and checked in a thread; a line it cannot
    use is answered on ``output`` and not handed on."""

    def __init__(self, fd: int, output: Output, limit: int = MAX_FRAME_BYTES) -> None:
        self._fd, self._output, self._limit = fd, output, limit
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)

    def __aiter__(self) -> Input:
        loop = asyncio.get_running_loop()

        def deliver(item: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody reads on
                asyncio.run_coroutine_threadsafe(self._queue.put(item), loop).result()

        def read() -> None:
            for item in _lines(self._fd, self._limit):
                deliver(item)
            deliver(_EOF)

        threading.Thread(target=read, name="oauthpy-mcp-stdin", daemon=True).start()
        return self

    async def __anext__(self) -> str:
        while True:
            item = await self._queue.get()
            if item is _EOF:
                raise StopAsyncIteration
            line, answer = item
            if line is not None:
                return line  # type: ignore[no-any-return]
            print(f"oauthpy mcp: {answer['error']['message']}", file=sys.stderr, flush=True)
            await self._output.write(json.dumps(answer) + "\n")


class Output:
    """Whole lines to the client, written in order by one thread."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pending: queue.Queue[tuple[bytes, asyncio.AbstractEventLoop, asyncio.Future[None]]] = (
            queue.Queue()
        )
        threading.Thread(target=self._write, name="oauthpy-mcp-stdout", daemon=True).start()

    def _write(self) -> None:
        while True:
            data, loop, done = self._pending.get()
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view) :]
                outcome: BaseException | None = None
            except OSError as exc:  # the client is gone
                outcome = exc
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, done, outcome)

    async def write(self, text: str) -> None:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._pending.put((text.encode("utf-8"), loop, done))
        await done

    async def flush(self) -> None:
        return None


def _settle(done: asyncio.Future[None], outcome: BaseException | None) -> None:
    if done.done():
        return
    if outcome is None:
        done.set_result(None)
    else:
        done.set_exception(outcome)


def _open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def has_stdio() -> bool:
    """Whether the process has a stdin and a stdout to serve on. Ask before anything opens a
    file: a closed fd 0 is the next file's (the event loop's own, then)."""
    return _open(0) and _open(1)


@contextlib.asynccontextmanager
async def stdio() -> AsyncIterator[tuple[Input, Output]]:
    """The client's lines and the writer to it (`has_stdio` said yes); fds 0 and 1 point
    away meanwhile."""
    wire_in = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
    wire_out = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 3)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    if not _open(2):  # no stderr: the stray output goes nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    os.dup2(2, 1)
    try:
        output = Output(wire_out)
        yield Input(wire_in, output), output
    finally:
        # the wire fds stay open: a daemon thread may still block on one
        with contextlib.suppress(OSError):
            os.dup2(wire_in, 0)
            os.dup2(wire_out, 1)
