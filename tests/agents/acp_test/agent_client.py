"""A minimal JSON-RPC client of the test-only ACP agent (agent.py) on its stdio, for
test_acp_agent_script.py: what the agent sends, and answers, is checked against the ACP schema;
every read is bounded; every agent is killed at the end."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from oauthpy.testing.chat import FakeChatServer

AGENT = Path(__file__).with_name("agent.py")
#: bounds: one message, a whole test's conversation
READ_S = 10.0
TEST_S = 30.0
#: what the agent sends, and answers, checked against the ACP schema (``agent-client-protocol``),
#: by method
SCHEMA_NAMES = {
    "initialize": "InitializeResponse",
    "session/new": "NewSessionResponse",
    "session/load": "LoadSessionResponse",
    "session/prompt": "PromptResponse",
    "session/update": "SessionNotification",
    "session/request_permission": "RequestPermissionRequest",
}


def schema(method: str) -> Any:
    """The ACP SDK's model for ``method``; its schema module loads when a test first reads a
    message (about 1.5 CPU-s), not in every worker that collects this file."""
    import acp.schema

    return getattr(acp.schema, SCHEMA_NAMES[method])


class Agent:
    """One agent process and a minimal JSON-RPC client of it."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        #: every ``session/update`` notification's ``update``, in order
        self.updates: list[dict[str, Any]] = []
        #: every ``session/request_permission`` request's params
        self.asked: list[dict[str, Any]] = []
        #: every line the agent wrote on stdout
        self.lines: list[str] = []
        #: the option the client answers permission requests with (None: ``cancelled``)
        self.choice: str | None = "allow"

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path) -> Agent:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(AGENT), cwd=cwd, env=env, start_new_session=True,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return cls(proc)

    async def send(self, msg: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **msg}).encode() + b"\n")
        await self.proc.stdin.drain()

    async def read(self, wait_s: float = READ_S) -> dict[str, Any]:
        """The next message; an agent request or notification must fit ACP's schema."""
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), wait_s)
        if not line:
            raise EOFError("the agent closed its stdout")
        self.lines.append(line.decode())
        msg = json.loads(line)
        assert msg.get("jsonrpc") == "2.0"
        if msg.get("method") in SCHEMA_NAMES:
            conforms(schema(msg["method"]), msg["params"])
        return msg  # type: ignore[no-any-return]

    async def call(self, method: str, params: dict[str, Any], wait_s: float = READ_S) -> dict[str, Any]:
        """Send a request; its answer (``result`` or ``error``), handling what comes meanwhile
        (each message within ``wait_s``)."""
        self.next_id += 1
        rid = self.next_id
        await self.send({"id": rid, "method": method, "params": params})
        while True:
            msg = await self.read(wait_s)
            if msg.get("method") == "session/update":
                self.updates.append(msg["params"]["update"])
            elif msg.get("method") == "session/request_permission":
                self.asked.append(msg["params"])
                chosen = (
                    {"outcome": "selected", "optionId": self.choice}
                    if self.choice
                    else {"outcome": "cancelled"}
                )
                await self.send({"id": msg["id"], "result": {"outcome": chosen}})
            elif msg.get("id") == rid:
                return msg

    async def result(self, method: str, params: dict[str, Any]) -> Any:
        answer = await self.call(method, params)
        assert "error" not in answer, answer
        if method in SCHEMA_NAMES:
            conforms(schema(method), answer["result"])
        return answer["result"]

    async def open_session(self, cwd: Path) -> str:
        await self.result("initialize", {"protocolVersion": 1, "clientCapabilities": {}})
        return str((await self.result("session/new", {"cwd": str(cwd), "mcpServers": []}))["sessionId"])

    async def prompt(self, sid: str, words: str) -> dict[str, Any]:
        blocks = [{"type": "text", "text": words}]
        # a turn may be silent while its command runs (until a cancel, in some tests): the
        # test's own bound, not one message's
        answer = await self.call("session/prompt", {"sessionId": sid, "prompt": blocks}, TEST_S)
        if "result" in answer:
            conforms(schema("session/prompt"), answer["result"])
        return answer

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["sessionUpdate"] == kind]

    async def stop(self) -> str:
        """End its input, wait a bounded time, kill its group if still there; its stderr."""
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), READ_S)
        finally:
            if self.proc.returncode is None:  # once reaped, its id may name another group
                _kill_group(self.proc.pid)
            await self.proc.wait()
        assert self.proc.stderr is not None
        return (await self.proc.stderr.read()).decode()


def conforms(model: Any, value: dict[str, Any]) -> None:
    """``value`` is valid ``model`` and loses nothing in it (ACP's models drop a malformed
    optional field instead of failing, so only the round trip shows it)."""
    kept = model.model_validate(value).model_dump(mode="json", by_alias=True)
    # but ``models`` (and session/set_model), the unstable model selector gemini and others
    # still speak, which the 1.19 schema of agent-client-protocol 0.12.1 no longer has
    given = {k: v for k, v in value.items() if k != "models"}
    assert _within(given, kept), (given, kept)


def _within(given: Any, kept: Any) -> bool:
    """Whether everything in ``given`` is in ``kept`` (which has the model's defaults too)."""
    if isinstance(given, dict):
        return isinstance(kept, dict) and all(k in kept and _within(v, kept[k]) for k, v in given.items())
    if isinstance(given, list):
        return isinstance(kept, list) and len(given) == len(kept) and all(map(_within, given, kept))
    return bool(given == kept)


async def pid_written(path: Path) -> int:
    """The pid a command writes to ``path`` once it runs (bounded wait)."""
    for _ in range(int(READ_S / 0.02)):
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing wrote {path} within {READ_S} s")


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def agent_env(fake: FakeChatServer, root: Path, **more: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root / "home")}
    return {**env, **fake.env(root / "chat"), "ACP_TEST_AGENT_HOME": str(root / "agent-home"), **more}


def drive(fake: FakeChatServer, root: Path, body: Callable[[Agent], Awaitable[None]], **env: str) -> None:
    """Run ``body`` against a fresh agent, which must write nothing to stderr and never the key."""

    async def main() -> None:
        agent = await Agent.start(agent_env(fake, root, **env), root)
        try:
            await asyncio.wait_for(body(agent), TEST_S)
        finally:
            err = await agent.stop()
        assert err == ""
        assert not any(fake.api_key in line for line in agent.lines)

    asyncio.run(main())


def tool_messages(fake: FakeChatServer) -> list[dict[str, Any]]:
    return [m for r in fake.model_requests() for m in r.body["messages"] if m["role"] == "tool"]
