"""acp-test-agent: a small ACP v1 agent (JSON-RPC 2.0 on stdio, one message a line) that thinks
with an OpenAI chat-completions model. Test-only: it is the reference agent oauthpy's generic ACP
layer is proven against, so it behaves like a real one (permissions, cancel, saved sessions, MCP).

The JSON-RPC loop is hand-written rather than built on ``agent-client-protocol`` 0.12.1: that
package's router has no ``session/set_model`` and its import costs ~1.5 s on every start.

Run: ``python tests/agents/acp_test/agent.py`` with ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` set.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# run as a file, even with ``python -I`` / ``-P``, which leave the script's folder off sys.path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from actions import RpcError, Session, Tools
from chat_model import Model

PROTOCOL_VERSION = 1
MODELS = [
    {"modelId": "fake-model", "name": "Fake model"},
    {"modelId": "fake-model-large", "name": "Fake model large"},
]
MODES = {"availableModes": [{"id": "default", "name": "Default"}], "currentModeId": "default"}
#: with ACP_TEST_AGENT_SIGN_IN=1 a session needs one of the last two done first (a file in its home)
AUTH_METHODS = [
    {"id": "openai-api-key", "name": "OpenAI API key", "description": "set OPENAI_API_KEY"},
    {"id": "test-login", "name": "Test sign-in", "description": "the agent signs in by itself"},
    {
        "id": "test-terminal",
        "name": "Test sign-in on the terminal",
        "_meta": {"terminal-auth": {"command": sys.executable, "args": [__file__, "--sign-in"]}},
    },
]
SIGNED_IN = "signed-in"
#: a model that keeps asking for tools stops the turn here (ACP's ``max_turn_requests``)
MAX_MODEL_CALLS = 25
#: bound on the shutdown once stdin closed
SHUTDOWN_WAIT_S = 5.0
#: set: the agent says in `initialize` that it takes no images
NO_IMAGES_VAR = "ACP_TEST_AGENT_NO_IMAGES"
#: the model's context window it reports in ``usage_update`` (set NO_USAGE_VAR: it reports none)
CONTEXT_WINDOW = 131072
NO_USAGE_VAR = "ACP_TEST_AGENT_NO_USAGE"


class Agent:
    def __init__(self, out: asyncio.StreamWriter | _FileOut) -> None:
        self.out = out
        self.sessions: dict[str, Session] = {}
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.next_id = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.model = Model(self.update)
        self.tools = Tools(self.update, self.request)
        self.home = Path(os.environ.get("ACP_TEST_AGENT_HOME") or Path.home() / ".acp-test-agent")
        self.handlers: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "initialize": self.initialize,
            "authenticate": self.authenticate,
            "session/new": self.new_session,
            "session/load": self.load_session,
            "session/set_model": self.set_model,
            "session/set_mode": self.set_mode,
            "session/prompt": self.prompt,
            "session/cancel": self.cancel,
        }

    # -- JSON-RPC ------------------------------------------------------------------------------

    async def serve(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            try:
                msg = json.loads(line)
            except ValueError:
                await self.send({"id": None, "error": {"code": -32700, "message": "Parse error"}})
                continue
            if isinstance(msg, dict) and isinstance(msg.get("method"), str):
                task = asyncio.ensure_future(self.dispatch(msg))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            elif isinstance(msg, dict) and msg.get("id") in self.pending:
                fut = self.pending.pop(msg["id"])
                if not fut.done():
                    fut.set_result(msg)

    async def dispatch(self, msg: dict[str, Any]) -> None:
        method, params = msg["method"], msg.get("params")
        reply: dict[str, Any] = {"id": msg.get("id")}
        try:
            handler = self.handlers.get(method)
            if handler is None:
                raise RpcError(-32601, "Method not found", {"method": method})
            if not isinstance(params, dict):
                raise RpcError(-32602, "Invalid params", {"details": "params must be an object"})
            reply["result"] = await handler(params)
        except RpcError as exc:
            reply["error"] = exc.obj()
        except Exception as exc:  # a bug here must still answer the client
            reply["error"] = {"code": -32603, "message": "Internal error", "data": {"details": repr(exc)}}
        if "id" in msg:
            await self.send(reply)

    async def send(self, msg: dict[str, Any]) -> None:
        if self.out.is_closing():
            return
        self.out.write(json.dumps({"jsonrpc": "2.0", **msg}, separators=(",", ":")).encode() + b"\n")
        try:
            await self.out.drain()
        except ConnectionError:
            pass  # the client went away; stdin's end stops us

    async def update(self, session_id: str, update: dict[str, Any]) -> None:
        await self.send({"method": "session/update", "params": {"sessionId": session_id, "update": update}})

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """A request to the client; its whole answer (``result`` or ``error``)."""
        self.next_id += 1
        rid = self.next_id
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        try:
            await self.send({"id": rid, "method": method, "params": params})
            return await fut  # type: ignore[no-any-return]
        finally:
            self.pending.pop(rid, None)

    async def shutdown(self) -> None:
        for fut in self.pending.values():
            fut.cancel()
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=SHUTDOWN_WAIT_S)
        self.tools.kill_all()
        await self.model.aclose()

    # -- ACP methods ---------------------------------------------------------------------------

    async def initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        elicitation = (params.get("clientCapabilities") or {}).get("elicitation")
        self.tools.forms = isinstance(elicitation, dict) and isinstance(elicitation.get("form"), dict)
        return {
            "protocolVersion": PROTOCOL_VERSION,
            "agentCapabilities": {
                "loadSession": True,
                "mcpCapabilities": {"http": True, "sse": False},
                # images unless told not to take them (how an agent without the capability looks)
                "promptCapabilities": {"image": not os.environ.get(NO_IMAGES_VAR), "embeddedContext": False},
            },
            "agentInfo": {"name": "acp-test-agent", "version": "1.0.0"},
            "authMethods": AUTH_METHODS,
        }

    async def authenticate(self, params: dict[str, Any]) -> dict[str, Any]:
        method = params.get("methodId")
        if method == "test-login":
            sign_in(self.home)
        elif method == "openai-api-key":
            self.model.require_key()
        else:
            raise RpcError(-32602, "Invalid params", {"details": "unknown authentication method"})
        return {}

    def require_login(self) -> None:
        self.model.require_key()
        if os.environ.get("ACP_TEST_AGENT_SIGN_IN") == "1" and not (self.home / SIGNED_IN).exists():
            raise RpcError(-32000, "Authentication required")

    def _setup(self, s: Session) -> dict[str, Any]:
        return {"models": {"availableModels": MODELS, "currentModelId": s.model}, "modes": MODES}

    async def new_session(self, params: dict[str, Any]) -> dict[str, Any]:
        self.require_login()
        # an agent slow to open a session (as a loaded machine makes gemini)
        await asyncio.sleep(float(os.environ.get("ACP_TEST_AGENT_SESSION_DELAY_S") or 0))
        s = Session(str(uuid.uuid4()), _cwd(params), os.environ.get("ACP_TEST_AGENT_MODEL") or "fake-model")
        await self.tools.connect(s, params.get("mcpServers") or [])
        self.sessions[s.id] = s
        return {"sessionId": s.id, **self._setup(s)}

    async def load_session(self, params: dict[str, Any]) -> dict[str, Any]:
        self.require_login()
        sid = _text(params, "sessionId")
        path = self._file(sid)
        try:
            saved = json.loads(path.read_text("utf-8")) if path is not None else None
        except (OSError, ValueError):
            saved = None
        if not isinstance(saved, dict) or not isinstance(saved.get("history"), list):
            raise RpcError(-32002, f"Resource not found: {sid}", {"uri": sid})
        s = Session(sid, _cwd(params), str(saved.get("model") or "fake-model"), saved["history"])
        await self.tools.connect(s, params.get("mcpServers") or [])
        for m in s.history:
            if m.get("role") in ("user", "assistant") and m.get("content"):
                kind = "user_message_chunk" if m["role"] == "user" else "agent_message_chunk"
                for block in _replayed(m["content"]):
                    await self.update(sid, {"sessionUpdate": kind, "content": block})
        old = self.sessions.get(sid)
        if old is not None and old.turn is not None and not old.turn.done():
            old.cancelled = True  # its prompt answers "cancelled"
            old.turn.cancel()
        self.sessions[sid] = s
        return self._setup(s)

    async def set_model(self, params: dict[str, Any]) -> dict[str, Any]:
        s = self._session(params)
        model = _text(params, "modelId")
        if model not in {m["modelId"] for m in MODELS}:
            raise RpcError(-32602, "Invalid params", {"details": f"unknown model {model}"})
        s.model = model
        return {}

    async def set_mode(self, params: dict[str, Any]) -> dict[str, Any]:
        self._session(params)
        if params.get("modeId") != "default":
            raise RpcError(-32602, "Invalid params", {"details": "unknown mode"})
        return {}

    async def cancel(self, params: dict[str, Any]) -> None:
        s = self.sessions.get(str(params.get("sessionId")))
        if s is not None and s.turn is not None and not s.turn.done():
            s.cancelled = True
            s.turn.cancel()

    async def prompt(self, params: dict[str, Any]) -> dict[str, Any]:
        s = self._session(params)
        if s.turn is not None and not s.turn.done():
            raise RpcError(
                -32602, "Invalid params", {"details": "a prompt is already running in this session"}
            )
        blocks = params.get("prompt")
        if not isinstance(blocks, list):
            raise RpcError(-32602, "Invalid params", {"details": "prompt must be a list"})
        text = "\n".join(
            str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text"
        )
        content: Any = text
        images = [b for b in blocks if isinstance(b, dict) and b.get("type") == "image"]
        if images:  # as the chat completions API takes them
            content = [{"type": "text", "text": text}] + [
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:{b.get('mimeType')};base64,{b.get('data')}"},
                }
                for b in images
            ]
        s.cancelled = False
        usage = {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0}
        s.turn = asyncio.ensure_future(self._turn(s, content, usage))
        try:
            stop = await s.turn
        except asyncio.CancelledError:
            if not (s.cancelled and s.turn.cancelled()):
                raise  # we are shutting down, not the client cancelling
            stop = "cancelled"
        finally:
            s.settle()
            self._save(s)
        return {"stopReason": stop, "usage": usage}

    async def _turn(self, s: Session, content: Any, usage: dict[str, int]) -> str:
        s.history.append({"role": "user", "content": content})
        for _ in range(MAX_MODEL_CALLS):
            before = usage["totalTokens"]
            reply = await self.model.complete(s, self.tools.declared(s), usage)
            await self._report_context(s, usage["totalTokens"] - before)
            s.history.append(reply)
            calls = reply.get("tool_calls") or []
            if not calls:
                return "end_turn"
            for call in calls:
                result = await self.tools.run(s, call)
                s.history.append({"role": "tool", "tool_call_id": call["id"], "content": result})
        return "max_turn_requests"

    async def _report_context(self, s: Session, used: int) -> None:
        """ACP's ``usage_update`` after each model call, as Qwen Code sends it: the tokens the
        last call's context and answer took, and the model's window."""
        if used > 0 and not os.environ.get(NO_USAGE_VAR):
            await self.update(s.id, {"sessionUpdate": "usage_update", "used": used, "size": CONTEXT_WINDOW})

    # -- sessions ------------------------------------------------------------------------------

    def _session(self, params: dict[str, Any]) -> Session:
        sid = _text(params, "sessionId")
        s = self.sessions.get(sid)
        if s is None:
            raise RpcError(-32002, f"Resource not found: {sid}", {"uri": sid})
        return s

    def _file(self, sid: str) -> Path | None:
        try:
            uuid.UUID(sid)  # an id is a file name: nothing else may reach the path
        except ValueError:
            return None
        return self.home / "sessions" / f"{sid}.json"

    def _save(self, s: Session) -> None:
        path = self._file(s.id)
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"sessionId": s.id, "cwd": s.cwd, "model": s.model, "history": s.history}))
        os.replace(tmp, path)


def _replayed(content: Any) -> list[dict[str, Any]]:
    """A saved message's content as the ACP blocks a ``session/load`` replays (images too)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    blocks = []
    for part in content if isinstance(content, list) else ():
        if part.get("type") == "text":
            blocks.append({"type": "text", "text": part.get("text", "")})
        elif part.get("type") == "image_url":
            head, _, data = str(part["image_url"]["url"]).partition(";base64,")
            blocks.append({"type": "image", "mimeType": head.removeprefix("data:"), "data": data})
    return blocks


def _text(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise RpcError(-32602, "Invalid params", {"details": f"{key} must be a non-empty string"})
    return value


def _cwd(params: dict[str, Any]) -> str:
    cwd = _text(params, "cwd")
    if not os.path.isabs(cwd) or not os.path.isdir(cwd):
        raise RpcError(-32602, "Invalid params", {"details": "cwd must be an absolute path to a folder"})
    return cwd


class _FileOut:
    """Stdout that is not a pipe, written directly."""

    def write(self, data: bytes) -> None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    async def drain(self) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, sys.stdout)
        out: asyncio.StreamWriter | _FileOut = asyncio.StreamWriter(transport, protocol, None, loop)
    except ValueError:  # stdout is a regular file (a debugging session): plain writes
        out = _FileOut()
    agent = Agent(out)
    serving = asyncio.ensure_future(agent.serve(reader))
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        loop.add_signal_handler(sig, serving.cancel)
    try:
        await serving
    except asyncio.CancelledError:
        pass
    finally:
        await agent.shutdown()
        out.close()


def sign_in(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / SIGNED_IN).write_text("yes")


if __name__ == "__main__":
    if sys.argv[1:] == ["--sign-in"]:  # the terminal sign-in method's command
        sign_in(Path(os.environ["ACP_TEST_AGENT_HOME"]))
    else:
        asyncio.run(main())
