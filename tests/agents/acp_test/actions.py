"""What acp-test-agent does inside a turn besides asking the model (`Model`, chat_model.py): a
session's state, and the tools the model calls (`Tools`: its own shell and write_file, asking the
client first, and the client's MCP servers' tools, not asked about since the client registered
them itself)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

#: bounds: a shell command's run time, the output kept of it
SHELL_TIMEOUT_S = 120.0
#: the environment variable that marks every process of one shell command
SHELL_MARK = "ACP_TEST_AGENT_SHELL"
OUTPUT_LIMIT = 32_000
REFUSED = "the user refused the command"
OPTIONS = [
    {"optionId": "allow", "name": "Allow", "kind": "allow_once"},
    {"optionId": "always", "name": "Always allow", "kind": "allow_always"},
    {"optionId": "reject", "name": "Reject", "kind": "reject_once"},
]


def _function(name: str, description: str, *args: str) -> dict[str, Any]:
    """A chat-completions function tool whose arguments are all required strings."""
    params = {"type": "object", "properties": {a: {"type": "string"} for a in args}, "required": list(args)}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": params}}


SHELL = _function("shell", "run a shell command in the session's folder", "command")
WRITE_FILE = _function(
    "write_file", "write a text file (a relative path is in the session's folder)", "path", "content"
)
#: offered when the client takes forms (``elicitation/create``); ``options``: labels, comma-separated
ASK_USER = _function("ask_user", "ask the user a question", "question", "options")

Update = Callable[[str, dict[str, Any]], Awaitable[None]]
Request = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class RpcError(Exception):
    """A JSON-RPC error answer."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def obj(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            **({} if self.data is None else {"data": self.data}),
        }


@dataclass
class Session:
    id: str
    cwd: str
    model: str
    #: the chat-completions messages so far (system message left out), saved after each turn
    history: list[dict[str, Any]] = field(default_factory=list)
    turn: asyncio.Task[str] | None = None
    cancelled: bool = False
    #: tool kinds the user answered "Always allow" for
    always: set[str] = field(default_factory=set)
    mcp_declared: list[dict[str, Any]] = field(default_factory=list)
    mcp_tools: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    #: text streamed by the model call under way
    partial: str = ""

    def settle(self) -> None:
        """Leave the history valid for the next model call after a turn that stopped midway:
        every tool call answered, the text streamed so far kept."""
        calls = next(
            (m.get("tool_calls") or [] for m in reversed(self.history) if m["role"] == "assistant"), []
        )
        answered = {m.get("tool_call_id") for m in self.history if m["role"] == "tool"}
        for call in calls:
            if call["id"] not in answered:
                self.history.append({"role": "tool", "tool_call_id": call["id"], "content": "cancelled"})
        if self.partial:
            self.history.append({"role": "assistant", "content": self.partial})
            self.partial = ""


def _json(data: str) -> dict[str, Any]:
    try:
        value = json.loads(data) if data else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _text_content(text: str) -> dict[str, Any]:
    return {"type": "content", "content": {"type": "text", "text": text}}


class Tools:
    """The tools a session offers the model, and their runs."""

    def __init__(self, update: Update, request: Request) -> None:
        self.update = update
        self.request = request
        #: the marks of running shell commands, whose processes are killed at exit whatever happens
        self.running: set[str] = set()
        #: the client said in ``initialize`` that it answers forms (``elicitation.form``)
        self.forms = False

    def declared(self, s: Session) -> list[dict[str, Any]]:
        return [SHELL, WRITE_FILE, *([ASK_USER] if self.forms else []), *s.mcp_declared]

    def kill_all(self) -> None:
        for mark in list(self.running):
            _kill(mark)

    async def run(self, s: Session, call: dict[str, Any]) -> str:
        """Run one tool call; the text the model gets back."""
        name, cid = call["function"]["name"], call["id"]
        args = _json(call["function"]["arguments"])
        if name == "shell" and isinstance(args.get("command"), str):
            return await self.shell(s, cid, args)
        if (
            name == "write_file"
            and isinstance(args.get("path"), str)
            and isinstance(args.get("content"), str)
        ):
            return await self.write_file(s, cid, args)
        if name in s.mcp_tools:
            return await self.mcp_call(s, cid, name, args)
        if name == "ask_user" and self.forms and isinstance(args.get("question"), str):
            return await self.ask_user(s, cid, args)
        return f"error: no tool {name!r} takes these arguments"

    async def ask_user(self, s: Session, cid: str, args: dict[str, Any]) -> str:
        """An ``elicitation/create`` form of one required field; what the model is told of the
        client's answer (an error or anything but ``accept`` is no answer)."""
        field_ = {"type": "string", "title": "Answer"}
        options = [o.strip() for o in str(args.get("options") or "").split(",") if o.strip()]
        if options:
            field_["enum"] = options
        schema = {"type": "object", "properties": {"answer": field_}, "required": ["answer"]}
        params = {"sessionId": s.id, "toolCallId": cid, "mode": "form", "message": args["question"]}
        answer = await self.request("elicitation/create", {**params, "requestedSchema": schema})
        result = answer.get("result")
        action = result.get("action") if isinstance(result, dict) else None
        if action == "accept":
            return f"the user answered: {json.dumps(result.get('content'))}"
        if action in ("decline", "cancel"):
            return f"the user gave no answer ({action})"
        return "error: the question could not be asked"

    async def _progress(
        self, s: Session, cid: str, status: str, text: str | None = None, **more: Any
    ) -> None:
        update = {"sessionUpdate": "tool_call_update", "toolCallId": cid, "status": status, **more}
        if text is not None:
            update.setdefault("content", [_text_content(text)])
        await self.update(s.id, update)

    async def _allowed(self, s: Session, call: dict[str, Any]) -> bool:
        """The client's answer to ``session/request_permission``; anything but a selected allow
        option (an error, ``cancelled``, a malformed answer) refuses."""
        if call["kind"] in s.always:
            return True
        answer = await self.request(
            "session/request_permission", {"sessionId": s.id, "toolCall": call, "options": OPTIONS}
        )
        result = answer.get("result")
        outcome = result.get("outcome") if isinstance(result, dict) else None
        chosen = (
            outcome.get("optionId")
            if isinstance(outcome, dict) and outcome.get("outcome") == "selected"
            else None
        )
        if chosen == "always":
            s.always.add(call["kind"])
        return chosen in ("allow", "always")

    async def shell(self, s: Session, cid: str, args: dict[str, Any]) -> str:
        call = {"toolCallId": cid, "title": args["command"], "kind": "execute", "rawInput": args}
        await self.update(s.id, {"sessionUpdate": "tool_call", **call, "status": "pending"})
        if not await self._allowed(s, call):
            await self._progress(s, cid, "failed", REFUSED)
            return REFUSED
        await self._progress(s, cid, "in_progress")
        code, output = await self._execute(args["command"], s.cwd)
        await self._progress(
            s, cid, "completed" if code == 0 else "failed", output, rawOutput={"exit_code": code}
        )
        return f"exit code: {code}\n{output}"

    async def _execute(self, command: str, cwd: str) -> tuple[int | None, str]:
        mark = uuid.uuid4().hex
        spawning = asyncio.ensure_future(asyncio.create_subprocess_exec(
            "/bin/sh", "-c", command, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
            env={**os.environ, SHELL_MARK: mark},
        ))  # fmt: skip
        try:
            proc = await asyncio.shield(spawning)
        except asyncio.CancelledError:
            # Cancelled while asyncio connected the pipes: the shell runs already and may have
            # started children, and asyncio's own cleanup would kill the shell alone.
            proc = await spawning
            _kill(mark)
            await proc.wait()
            raise
        self.running.add(mark)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), SHELL_TIMEOUT_S)
            return proc.returncode, out.decode("utf-8", "replace")[-OUTPUT_LIMIT:]
        except asyncio.TimeoutError:
            return None, f"the command did not end in {SHELL_TIMEOUT_S:g} s and was stopped"
        finally:  # on cancel too: all it started, background children included
            _kill(mark)
            self.running.discard(mark)
            await proc.wait()

    async def write_file(self, s: Session, cid: str, args: dict[str, Any]) -> str:
        target = os.path.normpath(os.path.join(s.cwd, args["path"]))
        call = {
            "toolCallId": cid, "title": f"Write {args['path']}", "kind": "edit", "rawInput": args,
            "locations": [{"path": target}],
        }  # fmt: skip
        await self.update(s.id, {"sessionUpdate": "tool_call", **call, "status": "pending"})
        if not await self._allowed(s, call):
            await self._progress(s, cid, "failed", REFUSED)
            return REFUSED
        await self._progress(s, cid, "in_progress")
        try:
            with open(target, encoding="utf-8") as f:
                old: str | None = f.read()
        except (OSError, ValueError):
            old = None
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(args["content"])
        except OSError as exc:
            text = f"cannot write {target}: {exc.strerror}"
            await self._progress(s, cid, "failed", text)
            return text
        diff = {"type": "diff", "path": target, "oldText": old, "newText": args["content"]}
        await self._progress(s, cid, "completed", content=[diff])
        return f"wrote {len(args['content'])} characters to {target}"

    async def connect(self, s: Session, servers: list[Any]) -> None:
        """List the tools of the client's MCP servers (streamable HTTP only, as advertised)."""
        for spec in servers:
            if (
                not isinstance(spec, dict)
                or spec.get("type") != "http"
                or not isinstance(spec.get("url"), str)
            ):
                raise RpcError(-32602, "Invalid params", {"details": "only http MCP servers are supported"})
            server = str(spec.get("name") or "mcp")
            try:
                listed = await _mcp(spec, lambda c: c.list_tools())
            except Exception as exc:  # a real agent starts without a broken server, and says so
                print(
                    f"acp-test-agent: MCP server {server!r} unavailable: {type(exc).__name__}",
                    file=sys.stderr,
                )
                continue
            for tool in listed.tools:
                name = f"mcp__{server}__{tool.name}"
                fn = {"name": name, "description": tool.description or "", "parameters": tool.input_schema}
                s.mcp_declared.append({"type": "function", "function": fn})
                s.mcp_tools[name] = (spec, tool.name)

    async def mcp_call(self, s: Session, cid: str, name: str, args: dict[str, Any]) -> str:
        spec, tool = s.mcp_tools[name]
        await self.update(
            s.id,
            {"sessionUpdate": "tool_call", "toolCallId": cid, "title": tool, "kind": "other",
             "status": "in_progress", "rawInput": args},
        )  # fmt: skip
        try:
            result = await _mcp(spec, lambda c: c.call_tool(tool, args))
            text = "\n".join(b.text for b in result.content if getattr(b, "type", "") == "text")
            failed = bool(result.is_error)
        except Exception as exc:
            text, failed = f"the MCP call failed: {type(exc).__name__}", True
        await self._progress(s, cid, "failed" if failed else "completed", text)
        return text


async def _mcp(spec: dict[str, Any], use: Callable[[Any], Awaitable[Any]]) -> Any:
    """``use`` on a fresh MCP client session (one connection per use: nothing stays open
    between turns, and anyio's scopes begin and end in the one task)."""
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    headers = {
        str(h.get("name")): str(h.get("value")) for h in spec.get("headers") or [] if isinstance(h, dict)
    }
    timeout = httpx2.Timeout(30.0, read=SHELL_TIMEOUT_S)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout, trust_env=False) as http,
        streamable_http_client(spec["url"], http_client=http) as (read, write),
        ClientSession(read, write) as client,
    ):
        await client.initialize()
        return await use(client)


def _kill(mark: str) -> None:
    """SIGKILL every process of one shell command, found by the mark in its environment.

    Not by its process group: once the shell is reaped (asyncio's child watcher does that at
    once), its id may name an unrelated new group on a busy machine (pid_max is 32768 here), and
    a CI run saw another test's helper killed that way. (oauthpy's run marks work the same; this
    agent stands for any agent and imports nothing of oauthpy.)
    """
    needle = f"{SHELL_MARK}={mark}".encode()
    # again until a pass finds none: a child forked after a pass listed /proc is not in it (a
    # CI run saw a shell's `sleep` outlive the shell that way, holding its stdout)
    for _ in range(50):
        found = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/environ", "rb") as fh:
                    if needle in fh.read().split(b"\0"):
                        os.kill(int(pid), signal.SIGKILL)
                        found = True
            except OSError:
                continue
        if not found:
            return
