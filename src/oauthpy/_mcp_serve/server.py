"""The MCP server: one tool per agent, each call a turn of a conversation the server keeps
open (warm) for the calls that go on with it (`AgentTools`).

A call's failure is its own ``isError`` result; the server serves on. A cancelled call
(``notifications/cancelled``) is a cancelled turn: the mcp package cancels the call's task, and
its conversation is closed with its agent process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oauthpy._errors import InvalidOptionsError, OauthPyError
from oauthpy._mcp_serve.policy import POLICIES, elicitation_asker, on_permission
from oauthpy._mcp_serve.progress import HEARTBEAT_S, Progress, progress_sender
from oauthpy._mcp_serve.questions import question_asker
from oauthpy._mcp_serve.tools import MAX_TEXT_CHARS, error_content, result_content, tool

#: what the server is called; an MCP client prefixes each tool with it (``mcp__oauthpy__codex``)
SERVER_NAME = "oauthpy"
#: how many servers deep this one is: each server gives its agents its own depth + 1, so an
#: agent that calls ``oauthpy mcp serve`` again (directly or from its own MCP config) starts a
#: deeper one; from `MAX_DEPTH` on a server runs no agent (each level multiplies processes)
DEPTH_VAR = "OAUTHPY_MCP_DEPTH"
MAX_DEPTH = 2
_ARGUMENTS = ("prompt", "cwd", "model", "session_id")


@dataclass(frozen=True)
class Settings:
    """What ``oauthpy mcp serve`` was started with (checked by `check_settings`)."""

    agents: tuple[str, ...]
    cwd: str
    source: str = "auto"
    timeout: float | None = 900.0
    allow: str = "none"
    max_concurrent: int = 4
    heartbeat_s: float = HEARTBEAT_S
    #: conversations kept open for their next call, and for how long idle
    max_sessions: int = 8
    keep_alive_s: float = 600.0
    max_text_chars: int = MAX_TEXT_CHARS
    #: this server's depth (`DEPTH_VAR`); None for a value that is not a small whole number
    depth: int | None = 0
    #: the agents that take a tool's work when its own agent cannot (``--fallback``; a tool's own
    #: agent is left out of its list)
    fallback: tuple[str, ...] = ()
    #: whether a call may name any folder as its ``cwd`` (``--any-cwd``), not only ``cwd`` and below
    any_cwd: bool = False

    def call_cwd(self, asked: str | None) -> str:
        """The folder a call works in: ``cwd``, or the folder the call names, which must be
        ``cwd`` or below it unless ``any_cwd`` (a relative one starts at ``cwd``; ``..`` and
        symlinks are followed before the check)."""
        if not asked:
            return self.cwd
        if "\0" in asked:
            raise InvalidOptionsError("cwd must not contain a NUL character")
        where = os.path.realpath(os.path.join(self.cwd, os.path.expanduser(asked)))
        if self.any_cwd or where == self.cwd or where.startswith(self.cwd.rstrip(os.sep) + os.sep):
            return where
        raise InvalidOptionsError(
            f"cwd {asked!r} is outside the folder this server works in ({self.cwd}): a call "
            "works there or in a folder below it",
            hint="the person who started oauthpy mcp serve can allow any folder with --any-cwd",
        )

    def too_deep(self) -> str | None:
        """Why this server runs no agent, or None."""
        if self.depth is not None and self.depth < MAX_DEPTH:
            return None
        shown = os.environ.get(DEPTH_VAR, "")[:20]
        return (
            f"oauthpy mcp serve is nested too deep ({DEPTH_VAR}={shown!r}; at most {MAX_DEPTH} "
            "servers below each other run agents): an agent served by oauthpy called oauthpy "
            "mcp serve again. Do this task yourself, or ask the person to run it from a shallower level"
        )


def depth_from(env: Mapping[str, str]) -> int | None:
    """The server's depth from its environment: 0 when unset; None when unreadable (fail closed)."""
    value = env.get(DEPTH_VAR, "").strip()
    if not value:
        return 0
    return int(value) if value.isdigit() and len(value) < 4 else None


def installed_agents(source: str = "auto") -> tuple[str, ...]:
    """Every listed agent whose CLI (or SDK) is installed."""
    from oauthpy import _registry as registry

    found = []
    for name in registry.names(generic=False, listed_only=True):
        try:
            if registry.get(name).make_auth().find_binary(os.environ) is not None:
                found.append(name)
        except Exception:  # an agent whose check fails is not served
            continue
    return tuple(found)


def check_settings(
    agents: Sequence[str] | None,
    *,
    cwd: str = ".",
    source: str = "auto",
    timeout: float | None = 900.0,
    allow: str = "none",
    max_concurrent: int = 4,
    heartbeat_s: float = HEARTBEAT_S,
    fallback: Sequence[str] | None = None,
    any_cwd: bool = False,
) -> Settings:
    """The settings, or `InvalidOptionsError` naming what is wrong (an unknown agent, a folder
    that is not there): before the server starts."""
    from oauthpy import _registry as registry
    from oauthpy._checks import check_cwd, positive_number
    from oauthpy._names import AUTH_SOURCES

    known = registry.names(generic=False)
    for name in agents or ():
        if name not in known:
            raise InvalidOptionsError(f"unknown agent {name!r} for -p; choose from {', '.join(known)}")
    for name in fallback or ():
        if name not in known:
            raise InvalidOptionsError(
                f"unknown agent {name!r} for --fallback; choose from {', '.join(known)}"
            )
    chosen = tuple(dict.fromkeys(agents)) if agents else installed_agents(source)
    if not chosen:
        raise InvalidOptionsError(
            "no agent to serve: none is installed",
            hint="install one (oauthpy doctor says how), or name one with -p",
        )
    if allow not in POLICIES:
        raise InvalidOptionsError(f"--allow must be one of {', '.join(POLICIES)}, got {allow!r}")
    if source not in AUTH_SOURCES:
        raise InvalidOptionsError(f"--source must be one of {', '.join(AUTH_SOURCES)}, got {source!r}")
    if (
        isinstance(max_concurrent, bool)
        or not isinstance(max_concurrent, int)
        or not 1 <= max_concurrent <= 64
    ):
        raise InvalidOptionsError(
            f"--max-concurrent must be a whole number from 1 to 64, got {max_concurrent!r}"
        )
    heartbeat = positive_number("--heartbeat", heartbeat_s) or HEARTBEAT_S
    return Settings(
        chosen,
        check_cwd(cwd),
        source,
        positive_number("--timeout", timeout),
        allow,
        max_concurrent,
        heartbeat,
        depth=depth_from(os.environ),
        fallback=tuple(dict.fromkeys(fallback or ())),
        any_cwd=bool(any_cwd),
    )


class AgentTools:
    """The agents' clients and the conversations the server keeps going.

    Every call is a turn of a conversation (a `Session`), kept open after it for the next call
    that names its ``session_id``: the agent stays warm and the conversation loaded, so a
    follow-up is one more turn on the same process (and can be asked about permissions, on
    every agent). At most ``max_sessions`` stay open; one idle for ``keep_alive_s`` is closed,
    and a call naming a closed one resumes it from the vendor's own saved session.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stack = contextlib.AsyncExitStack()
        self._clients: dict[str, Any] = {}
        self._slots = asyncio.Semaphore(settings.max_concurrent)
        #: (agent, session id) -> (its open session, when it was last used); oldest first
        self._open: OrderedDict[tuple[str, str], tuple[Any, float]] = OrderedDict()
        self._sweeper: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AgentTools:
        from oauthpy import Client

        # the agents' own environment carries the depth an agent's server would have
        below = {DEPTH_VAR: str((self.settings.depth or 0) + 1)}
        for name in self.settings.agents:
            after = [other for other in self.settings.fallback if other != name] or None
            client = Client(name, auth_source=self.settings.source, env=below, fallback=after)  # type: ignore[arg-type]
            self._clients[name] = await self._stack.enter_async_context(client)
        self._sweeper = asyncio.ensure_future(self._sweep())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(BaseException):
                await self._sweeper
        while self._open:
            _, (chat, _) = self._open.popitem(last=False)
            await _close(chat)
        await self._stack.aclose()

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(min(self.settings.keep_alive_s, 30.0))
            await self._close_idle()

    async def _close_idle(self) -> None:
        now = time.monotonic()
        for key, (chat, used) in list(self._open.items()):
            if now - used >= self.settings.keep_alive_s or len(self._open) > self.settings.max_sessions:
                del self._open[key]
                await _close(chat)

    def listed(self) -> list[dict[str, Any]]:
        from oauthpy import _registry as registry

        return [
            tool(
                name,
                registry.get(name).title,
                registry.get(name).strengths,
                self.settings.cwd,
                anywhere=self.settings.any_cwd,
            )
            for name in self.settings.agents
        ]

    async def call(
        self, name: str, arguments: Mapping[str, Any] | None, session: Any, request_id: Any
    ) -> dict[str, Any]:
        """One ``tools/call``: the agent's answer, or its failure as an ``isError`` result."""
        from oauthpy import _registry as registry

        client = self._clients.get(name)
        if client is None:
            return error_content(InvalidOptionsError(f"there is no tool named {name!r}"))
        if (why := self.settings.too_deep()) is not None:
            return error_content(InvalidOptionsError(why))
        try:
            args = _arguments(arguments or {})
            cwd = self.settings.call_cwd(args.get("cwd"))
        except InvalidOptionsError as exc:
            return error_content(exc)
        title = registry.get(name).title
        progress = Progress(progress_sender(session), title)
        options: dict[str, Any] = {
            "model": args.get("model"),
            "timeout": self.settings.timeout,
            "on_permission": on_permission(
                self.settings.allow, title, elicitation_asker(session, request_id)
            ),
            # the agent's questions to the user go to the client's person (or are declined)
            "on_question": question_asker(session, request_id, title),
        }
        resume = args.get("session_id")
        chat: Any = None
        try:
            # the heartbeat covers a wait for a slot too: a client's tool timeout would end a
            # call queued behind long ones before it started
            async with progress.heartbeat(self.settings.heartbeat_s):
                if self._slots.locked():
                    progress.now("waiting for a free slot")
                    limit = self.settings.max_concurrent
                    await progress.say(f"{title} is waiting for a free slot (--max-concurrent {limit})")
                async with self._slots:
                    progress.now("working")
                    await progress.say(f"{title} is starting")
                    chat = self._open.pop((name, resume), (None, 0.0))[0] if resume else None
                    if chat is None:
                        opened = client.asession(resume=resume, cwd=cwd)
                        chat = await opened.__aenter__()
                    result = await chat.arun(args["prompt"], **options, on_event=progress.event)
        except OauthPyError as exc:
            await _close(chat)
            return error_content(exc)
        except BaseException:
            await _close(chat)  # cancelled: the agent goes with its call
            raise
        if result.session_id:
            self._open[(name, result.session_id)] = (chat, time.monotonic())
            await self._close_idle()
        else:
            await _close(chat)
        return result_content(
            result.provider, result, self.settings.max_text_chars
        )  # after a failover: its agent


async def _close(chat: Any) -> None:
    if chat is not None:
        with contextlib.suppress(Exception):
            await chat.aclose()


def _arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(k for k in arguments if k not in _ARGUMENTS)
    if unknown:
        raise InvalidOptionsError(f"unknown argument {unknown[0]!r}; the tool takes {', '.join(_ARGUMENTS)}")
    for key in _ARGUMENTS:
        value = arguments.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidOptionsError(f"{key} must be a string, got {type(value).__name__}")
    if not arguments.get("prompt"):
        raise InvalidOptionsError("prompt is missing: say what the agent should do")
    return {k: v for k, v in arguments.items() if v}


def mcp_server(tools: AgentTools) -> Any:
    """A lowlevel ``mcp`` server that lists ``tools`` and runs their calls."""
    import mcp.types as mt
    from mcp.server import Server

    from oauthpy import __version__

    listed = [mt.Tool.model_validate(t) for t in tools.listed()]

    async def on_list_tools(ctx: Any, params: Any) -> Any:
        return mt.ListToolsResult(tools=listed)

    async def on_call_tool(ctx: Any, params: Any) -> Any:
        answer = await tools.call(params.name, params.arguments, ctx.session, ctx.request_id)
        return mt.CallToolResult.model_validate(answer)

    return Server(SERVER_NAME, version=__version__, on_list_tools=on_list_tools, on_call_tool=on_call_tool)


async def serve(settings: Settings) -> None:
    """Serve MCP over this process's stdin and stdout (`stdio.has_stdio`) until the client
    closes stdin."""
    from mcp.server.stdio import stdio_server

    from oauthpy._mcp_serve.stdio import stdio

    async with stdio() as wire, AgentTools(settings) as tools:
        server = mcp_server(tools)
        async with stdio_server(*wire) as (read, write):  # type: ignore[arg-type]
            await server.run(read, write, server.create_initialization_options())
