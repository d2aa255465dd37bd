"""JSON-RPC over a child's stdin/stdout, one message a line, on the shared process runtime.

The base of every live agent connection: codex ``app-server`` speaks JSON-RPC without the
``"jsonrpc"`` member, gemini ``--acp`` speaks JSON-RPC 2.0 (``dialect``). One reader task reads
every line: a response resolves the request that waits for it (every wait is bounded), a
notification goes to the route its ``router`` names (a turn subscribes to its own; what comes
before the subscription is kept for it). A request from the agent (an approval, a tool call)
goes to the turn subscribed to its route as an `Incoming` that the turn answers, or else
to ``handler``; an error goes back when either fails, so a failure never approves anything. The process is
the run's `Process` and is stopped by its ``close()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from oauthpy._errors import CommandExecutionError, ProtocolError, TimeoutExceededError
from oauthpy._process import Invocation, Process
from oauthpy._redact import redact
from oauthpy._teardown import stop, within
from oauthpy._transports.rpc_messages import INCOMING, INTERNAL_ERROR, METHOD_NOT_FOUND, Incoming, RpcError

#: "lite": JSON-RPC messages without the "jsonrpc" member (codex app-server); "jsonrpc2": the full 2.0
Dialect = Literal["lite", "jsonrpc2"]
#: answers a request from the agent: (method, params) -> result; raising sends an error back
Handler = Callable[[str, Any], Awaitable[Any]]
#: names the route of a notification (e.g. its turn id); None goes to the default route
Router = Callable[[str, Any], "str | None"]

_END = object()  # closes a route's queue
#: how long an agent that closed its stdout may take to exit before it is reported without a code
_EXIT_WAIT_S = 2.0
#: how long stdout may stay open after the agent itself exited (a child it started holds it)
_DRAIN_S = 1.0
_EXIT_POLL_S = 0.25
#: the longest frame read whole (a line with no end past it is a `ProtocolError` at once)
MAX_FRAME_BYTES = 64 * 1024 * 1024
#: notifications kept for routes nobody subscribed to yet (a turn's first ones, before the
#: answer that names the turn); past it they are dropped, not held forever
EARLY_NOTIFICATIONS = 1000


class Connection:
    """One JSON-RPC peer in a child process. Use `start`, always `close`."""

    def __init__(
        self, proc: Process, dialect: Dialect, handler: Handler | None, router: Router | None
    ) -> None:
        self.proc = proc
        self._dialect = dialect
        self._handler = handler
        self._router = router
        self._next_id = 0
        self._pending: dict[int, tuple[str, asyncio.Future[Any]]] = {}
        self._routes: dict[str | None, asyncio.Queue[Any]] = {}
        self._dropped: set[str | None] = set()
        #: routes a subscriber has taken (the others' queues hold early notifications)
        self._subscribed: set[str | None] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        #: why the connection is no longer usable, once it is not
        self.broken: Exception | None = None
        #: the last lines on stdout that were not JSON (a wrapper's output), for error messages
        self.noise: deque[str] = deque(maxlen=5)
        self._closed = False
        #: how many notifications wait in queues nobody has subscribed to
        self._early = 0
        self._last_line = time.monotonic()
        self._reader = asyncio.ensure_future(self._read())
        self._watcher = asyncio.ensure_future(self._watch_exit())

    @classmethod
    async def start(
        cls,
        inv: Invocation,
        *,
        dialect: Dialect,
        handler: Handler | None = None,
        router: Router | None = None,
    ) -> Connection:
        inv.interactive_stdin = True
        proc = await Process.start(inv)
        return cls(proc, dialect, handler, router)

    # -- sending -------------------------------------------------------------------------------

    async def request(self, method: str, params: Any = None, *, timeout: float | None) -> Any:
        """Send a request and return its result, within ``timeout`` seconds (None: unbounded).

        Raises `RpcError` for an error answer, `TimeoutExceededError`, or the
        connection's failure when the agent exits or breaks the protocol first.
        """
        if self.broken is not None:
            raise self.broken
        self._next_id += 1
        rid = self._next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = (method, future)
        try:
            await self._send({"id": rid, "method": method, **_params(params)}, timeout)
            return await within(future, timeout)
        except asyncio.TimeoutError:
            raise TimeoutExceededError(
                f"{method} got no answer within {timeout:g} s", which="total", after_s=timeout or 0.0
            ) from None
        finally:
            self._pending.pop(rid, None)
            # a write that failed raised the connection's failure, which `_fail` also set on
            # this future: mark it seen, or asyncio logs "Future exception was never retrieved"
            if future.done() and not future.cancelled():
                future.exception()
            else:
                future.cancel()

    async def notify(self, method: str, params: Any = None, *, timeout: float | None = None) -> None:
        if self.broken is not None:
            raise self.broken
        await self._send({"method": method, **_params(params)}, timeout)

    async def _send(self, message: dict[str, Any], timeout: float | None) -> None:
        if self._dialect == "jsonrpc2":
            message = {"jsonrpc": "2.0", **message}
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            await self.proc.write(line.encode("utf-8"), timeout)
        except (BrokenPipeError, ConnectionResetError):
            await asyncio.wait((self._reader,), timeout=1.0)  # its exit says more than the pipe
            if self.broken is None and self.proc.returncode is None:
                # alive but no longer reading: "exited" would send the user looking for a crash
                deaf = "the agent closed its input and takes no more messages (it is still running)"
                raise self._fail(CommandExecutionError(deaf, transient=True)) from None
            raise self.broken or self._fail(self._exited()) from None

    # -- notifications ----------------------------------------------------------------------------

    def subscribe(self, route: str | None = None) -> Subscription:
        """The notifications of ``route`` (None: those the router gives no route), as (method,
        params), including those that arrived before this call. One subscriber per route; closing
        the subscription forgets the route, and later notifications for it are dropped. Ends when
        the connection closes; raises its failure if it broke.
        """
        self._dropped.discard(route)
        queue = self._routes.setdefault(route, asyncio.Queue())
        self._early = max(0, self._early - queue.qsize())
        self._subscribed.add(route)
        return Subscription(self, route, queue)

    def _forget(self, route: str | None) -> None:
        self._routes.pop(route, None)
        self._subscribed.discard(route)
        if route is not None:
            # A long-lived agent outlives its threads: what still comes for one is dropped
            # instead of piling up in a queue nobody reads.
            self._dropped.add(route)

    # -- reading ---------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for line in self.proc.lines(max_line=MAX_FRAME_BYTES):
                self._last_line = time.monotonic()
                try:
                    message = json.loads(line)
                except ValueError:
                    if self.proc.torn_tail:
                        break  # the last frame, cut by the agent's death: its exit is the news
                    if line.lstrip().startswith("{"):
                        shown = redact(line)[:200]
                        self._fail(
                            ProtocolError(f"the agent wrote a JSON-RPC frame that does not parse: {shown!r}")
                        )
                        return
                    # Not a frame at all: a shim or wrapper printing before it execs the agent.
                    # Kept for the error message if the agent then dies, otherwise ignored.
                    self.noise.append(line[:500])
                    continue
                if not isinstance(message, dict):
                    shown = redact(line)[:200]
                    self._fail(
                        ProtocolError(f"the agent wrote JSON that is not a JSON-RPC message: {shown!r}")
                    )
                    return
                self._dispatch(message)
            with contextlib.suppress(TimeoutExceededError):  # its exit code, when it comes soon
                await self.proc.wait(time.monotonic() + _EXIT_WAIT_S)
            self._fail(self._exited())
        except ProtocolError as exc:  # a frame past MAX_FRAME_BYTES
            self._fail(exc)
        except Exception as exc:  # a read error: the connection is over either way
            self._fail(CommandExecutionError(f"reading from the agent failed: {exc}", transient=True))
        finally:
            for queue in self._routes.values():
                queue.put_nowait(_END)

    def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if isinstance(method, str):
            if "id" in message:
                params = message.get("params")
                route = self._router(method, params) if self._router else None
                incoming = None
                if route is not None and route in self._routes and route not in self._dropped:
                    # a turn's own question: that turn answers it (with the user's callback)
                    incoming = Incoming(method, params)
                    self._routes[route].put_nowait((INCOMING, incoming))
                task = asyncio.ensure_future(self._answer(message["id"], method, params, incoming))
                self._handlers.add(task)
                task.add_done_callback(self._handlers.discard)
                return
            route = self._router(method, message.get("params")) if self._router else None
            if route in self._dropped or (route is None and None not in self._routes):
                return  # a finished route's stragglers, or nobody takes unrouted ones
            # A route nobody listens to yet keeps its notifications: a turn's first ones can
            # arrive before the answer that tells the caller the turn's id. Bounded: an agent
            # chattering about sessions nobody opened must not fill the caller's memory.
            if route not in self._subscribed:
                if self._early >= EARLY_NOTIFICATIONS:
                    return
                self._early += 1
            self._routes.setdefault(route, asyncio.Queue()).put_nowait((method, message.get("params")))
            return
        rid = message.get("id")
        pending = self._pending.get(rid) if isinstance(rid, int) else None
        if pending is None or pending[1].done():
            return  # an answer nobody waits for any more (its request timed out)
        requested, future = pending
        error = message.get("error")
        if error is not None:
            err = error if isinstance(error, dict) else {}
            code = err.get("code") if isinstance(err.get("code"), int) else None
            future.set_exception(RpcError(requested, code, str(err.get("message", error)), err.get("data")))
        else:
            future.set_result(message.get("result"))

    async def _answer(self, rid: Any, method: str, params: Any, incoming: Incoming | None) -> None:
        if incoming is not None:
            try:
                reply: dict[str, Any] = {"id": rid, "result": await incoming._answer}
            except Exception as exc:
                said = redact(str(exc)) or type(exc).__name__
                reply = {"id": rid, "error": {"code": INTERNAL_ERROR, "message": said}}
        elif self._handler is None:
            missing = {"code": METHOD_NOT_FOUND, "message": f"no handler for {method}"}
            reply = {"id": rid, "error": missing}
        else:
            try:
                reply = {"id": rid, "result": await self._handler(method, params)}
            except Exception as exc:  # fail closed: the agent is told no, never yes
                said = redact(str(exc)) or type(exc).__name__
                reply = {"id": rid, "error": {"code": INTERNAL_ERROR, "message": said}}
        if self.broken is None:
            try:
                await self._send(reply, 10.0)
            except Exception:
                pass  # the agent has gone: the reader reports that

    async def _watch_exit(self) -> None:
        """Notice the agent's own exit even while a process it started keeps stdout open (an
        MCP server, a backgrounded command): after a short drain the connection fails with the
        exit code, and the run's other processes are stopped."""
        try:
            # asyncio's wait() returns only once every pipe is closed: the exit itself shows in
            # the return code, looked at a few times a second (cheap: no system call)
            while self.proc.returncode is None:
                await asyncio.sleep(_EXIT_POLL_S)
            while True:
                done, _ = await asyncio.wait((self._reader,), timeout=_DRAIN_S)
                if done or self._closed:
                    return
                if time.monotonic() - self._last_line >= _DRAIN_S:
                    break  # not a backlog being read: nothing came since the exit
            self._fail(self._exited())
            for queue in self._routes.values():
                queue.put_nowait(_END)
            await stop(self.proc.run_id)  # what holds stdout: the reader then sees its end
        except Exception:  # the reader reports what went wrong
            pass

    def _exited(self) -> Exception:
        code = self.proc.returncode
        tail = self.proc.stderr_tail()
        said = [ln for ln in tail.splitlines() if ln.strip()] or list(self.noise)
        last = f": {redact(said[-1].strip())[:300]}" if said else ""
        return CommandExecutionError(
            f"the agent exited{f' with code {code}' if code is not None else ''}{last}",
            returncode=code,
            stderr=tail,
            transient=True,
        )

    def _fail(self, exc: Exception) -> Exception:
        if self.broken is None:
            self.broken = exc
        for _, future in self._pending.values():
            if not future.done():
                future.set_exception(self.broken)
        return self.broken

    # -- closing ---------------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop the agent (see `oauthpy._teardown.stop`) and the reader. Safe to repeat.

        Open requests fail; subscriptions end quietly.
        """
        self._closed = True
        try:
            await self.proc.close()
        finally:
            self._reader.cancel()
            self._watcher.cancel()
            for task in list(self._handlers):
                task.cancel()
            self._fail(CommandExecutionError("the connection was closed"))
            for queue in self._routes.values():
                queue.put_nowait(_END)


class Subscription:
    """The notifications of one route: ``await next(timeout)`` or ``async for``; then close()."""

    def __init__(self, conn: Connection, route: str | None, queue: asyncio.Queue[Any]) -> None:
        self._conn = conn
        self._route = route
        self._queue = queue
        self._ended = False

    async def next(self, timeout: float | None = None) -> tuple[str, Any]:
        """The next notification within ``timeout`` s (``asyncio.TimeoutError`` after it).

        Raises ``StopAsyncIteration`` once the connection has closed, or its failure if it broke.
        """
        if self._ended:
            raise StopAsyncIteration
        item = await within(self._queue.get(), timeout)
        if item is _END:
            self._ended = True
            self._queue.put_nowait(_END)  # every later call ends too
            conn = self._conn
            if conn.broken is not None and not conn._closed:
                raise conn.broken
            raise StopAsyncIteration
        return item  # type: ignore[no-any-return]

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> tuple[str, Any]:
        return await self.next()

    def push(self, method: str, params: Any = None) -> None:
        """Put a message of the caller's own after everything received so far."""
        self._queue.put_nowait((method, params))

    def close(self) -> None:
        if self._conn._routes.get(self._route) is self._queue:
            self._conn._forget(self._route)
        while not self._queue.empty():  # questions nobody will answer now: refused
            item = self._queue.get_nowait()
            if isinstance(item, tuple) and item[0] == INCOMING:
                item[1].refuse("the turn this request belongs to is over")


def _params(params: Any) -> dict[str, Any]:
    return {} if params is None else {"params": params}


__all__ = ["Connection", "Dialect", "Handler", "Router", "Subscription"]
