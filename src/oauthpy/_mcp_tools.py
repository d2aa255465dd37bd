"""A run's Python tools as an MCP server (the official ``mcp`` package, 2.x).

Claude Code takes the server in-process (the SDK's ``sdk`` server type); gemini reaches it over
`ToolEndpoint`, MCP streamable HTTP on 127.0.0.1 that answers only requests carrying the
run's random bearer secret, which gemini gets in ``session/new`` (over its stdin, never in argv).
Each call is reported to ``report`` as a ``tool`` event when it starts and when it ends, with
the user's own name for the tool (the vendors show it as ``mcp__oauthpy__add`` / ``mcp_oauthpy_add``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from oauthpy._events import Event, EventKind, EventStatus
from oauthpy._tools import Tool, ToolResult
from oauthpy._user_exit import UserCodeExit, guarded

#: the MCP server's name: the vendors prefix each tool name with it
SERVER_NAME = "oauthpy"
#: bound on the endpoint's start and stop
_SERVE_WAIT_S = 10.0

#: receives each call's ``tool`` events
Report = Callable[[Event], None]


def call_event(tool: Tool, arguments: Any, call_id: str, result: ToolResult | None) -> Event:
    """The ``tool`` event of a call: started (``result`` None) or finished."""
    status: EventStatus = "in_progress" if result is None else "failed" if result.is_error else "completed"
    return Event(
        EventKind.TOOL,
        text=tool.name,
        item_id=call_id,
        status=status,
        tool_name=tool.name,
        tool_input=arguments,
        output=None if result is None else result.text,
        is_error=bool(result and result.is_error),
    )


def structured(text: str) -> dict[str, Any] | None:
    """``structuredContent`` for a result whose text is JSON.

    Gemini 0.61's MCP client parses a text result that is JSON into ``structuredContent`` when
    there is none, and then rejects it unless it is an object ("expected record, received
    number" for a tool that returned 42). Given here, a JSON object as it is and any other
    JSON value wrapped, the text reaches the model unchanged.
    """
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else {"result": value}


def mcp_server(
    tools: tuple[Tool, ...],
    report: Report,
    *,
    with_structured: bool = False,
    fail: Callable[[UserCodeExit], None] | None = None,
    current: Callable[[], tuple[Tool, ...]] | None = None,
    run: Callable[[Coroutine[Any, Any, ToolResult]], Awaitable[ToolResult]] | None = None,
) -> Any:
    """A lowlevel ``mcp.server.Server`` that lists ``tools`` and runs their calls
    (``with_structured``: results also as `structured` content, for gemini). A tool that
    raised ``SystemExit``/``KeyboardInterrupt`` goes to ``fail``, which stops the run; the
    vendor meanwhile gets an error result.

    ``current``: the tools a call goes to, when a server outlives its first run (a warm claude
    process serves each run's own functions under the names it listed); ``run``: how a call's
    coroutine runs (in the turn's own ``contextvars`` context)."""
    import mcp.types as mt
    from mcp.server import Server

    listed = [
        mt.Tool.model_validate({"name": t.name, "description": t.description, "inputSchema": t.input_schema})
        for t in tools
    ]
    by_name = {t.name: t for t in tools}
    counter = iter(range(1, 1 << 62))

    async def on_list_tools(ctx: Any, params: Any) -> Any:
        return mt.ListToolsResult(tools=listed)

    async def on_call_tool(ctx: Any, params: Any) -> Any:
        tool = (
            by_name.get(params.name) if current is None else {t.name: t for t in current()}.get(params.name)
        )
        arguments = params.arguments or {}
        if tool is None:
            result = ToolResult(f"there is no tool named {params.name!r}", is_error=True)
        else:
            call_id = f"{SERVER_NAME}-{next(counter)}"
            report(call_event(tool, arguments, call_id, None))
            try:
                call = guarded(tool.call(arguments), f"tool {tool.name}")
                result = await (call if run is None else run(call))
            except UserCodeExit as exc:
                result = ToolResult(str(exc), is_error=True)
                report(call_event(tool, arguments, call_id, result))
                if fail is not None:
                    fail(exc)
            else:
                report(call_event(tool, arguments, call_id, result))
        answer: dict[str, Any] = {
            "content": [{"type": "text", "text": result.text}],
            "isError": result.is_error,
        }
        found = structured(result.text) if with_structured else None
        if found is not None:
            answer["structuredContent"] = found
        return mt.CallToolResult.model_validate(answer)

    return Server(SERVER_NAME, version="1", on_list_tools=on_list_tools, on_call_tool=on_call_tool)


class _RequireSecret:
    """ASGI wrapper: only a request with ``Authorization: Bearer <secret>`` reaches the app."""

    def __init__(self, app: Any, secret: str) -> None:
        self._app = app
        self._expected = f"Bearer {secret}".encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or ()).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                await _drain(receive)  # unread, the client would see a reset, not the answer
                headers = [(b"content-type", b"text/plain"), (b"content-length", b"12")]
                await send({"type": "http.response.start", "status": 401, "headers": headers})
                await send({"type": "http.response.body", "body": b"unauthorized"})
                return
        await self._app(scope, receive, send)


async def _drain(receive: Any, limit: int = 1 << 20) -> None:
    """Read a refused request's body, up to ``limit`` bytes."""
    read = 0
    while read <= limit:
        message = await receive()
        read += len(message.get("body", b""))
        if message.get("type") != "http.request" or not message.get("more_body"):
            return


class ToolEndpoint:
    """The run's tools served over MCP streamable HTTP on a loopback port. Always `aclose`."""

    def __init__(
        self, tools: tuple[Tool, ...], report: Report, fail: Callable[[UserCodeExit], None] | None = None
    ) -> None:
        self._tools = tools
        self.report = report
        #: gets a tool's ``SystemExit``/``KeyboardInterrupt`` (see `mcp_server`)
        self._fail = fail
        #: the per-run secret the vendor must send; never logged
        self.secret = secrets.token_urlsafe(32)
        self.url = ""
        self._server: Any = None
        self._task: asyncio.Task[None] | None = None

    @property
    def names(self) -> frozenset[str]:
        """The names of the tools this endpoint serves (as registered with the vendor)."""
        return frozenset(t.name for t in self._tools)

    def acp_server(self, name: str = SERVER_NAME) -> dict[str, Any]:
        """This endpoint as an entry of ACP's ``session/new.mcpServers``, under ``name``."""
        auth = {"name": "Authorization", "value": f"Bearer {self.secret}"}
        return {"type": "http", "name": name, "url": self.url, "headers": [auth]}

    async def start(self) -> None:
        import uvicorn

        # JSON answers and no MCP sessions: nothing stays open between calls, so stopping is quick.
        server = mcp_server(self._tools, lambda e: self.report(e), with_structured=True, fail=self._fail)
        app = server.streamable_http_app(stateless_http=True, json_response=True)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            _RequireSecret(app, self.secret), log_level="error", lifespan="on", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # the user's process owns its signals
        self._task = asyncio.ensure_future(self._server.serve(sockets=[sock]))
        deadline = time.monotonic() + _SERVE_WAIT_S
        try:
            # uvicorn says it is listening by a flag only; its start takes a few milliseconds
            while not self._server.started:
                if self._task.done() or time.monotonic() > deadline:
                    raise RuntimeError("the MCP endpoint for the run's tools did not start")
                await asyncio.sleep(0.002)
        except BaseException:
            await self.aclose()
            sock.close()
            raise
        self.url = f"http://127.0.0.1:{port}/mcp"

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        # The run is over: nothing it serves is wanted. Not waiting for open connections, which
        # a warm agent (inside `with Client`) keeps open past the run: a graceful stop took 10 s.
        self._server.force_exit = True
        self._server.should_exit = True
        done, _ = await asyncio.wait({task}, timeout=_SERVE_WAIT_S)
        if not done:
            self._server.force_exit = True
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        elif not task.cancelled():
            task.exception()


__all__ = ["SERVER_NAME", "ToolEndpoint", "call_event", "mcp_server"]
