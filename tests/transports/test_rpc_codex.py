"""rpc.Connection carries the real codex app-server's dialect (the base of the live codex agent).

The real pinned binary against the fake Responses API: the handshake, a thread, a turn whose
text arrives as deltas routed to it, and a request the agent never answers bounded by its
timeout. (The conversation core of the live agents builds on exactly this.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from oauthpy._agents.codex.provider import find_binary
from oauthpy._options import merged_env
from oauthpy._process import Invocation
from oauthpy._transports.rpc import Connection
from oauthpy._transports.rpc_messages import RpcError
from oauthpy.testing import FakeResponsesServer, text
from tests.support import assert_no_leftovers


def _turn_of(method: str, params: Any) -> str | None:
    return params.get("turnId") or (params.get("turn") or {}).get("id") if isinstance(params, dict) else None


def test_a_codex_app_server_turn_streams_deltas_to_its_route(
    openai_fake: FakeResponsesServer, codex_env: dict[str, str], workdir: Path
):
    openai_fake.script(text("hello from the live agent", chunks=4))
    env = merged_env(codex_env)
    inv = Invocation([find_binary(env), "app-server", "--listen", "stdio://"], env, cwd=str(workdir))

    async def main() -> tuple[list[str], str, Any]:
        conn = await Connection.start(inv, dialect="lite", router=_turn_of)
        try:
            info = await conn.request(
                "initialize",
                {"clientInfo": {"name": "oauthpy", "title": None, "version": "0"}, "capabilities": {}},
                timeout=30,
            )
            assert info["codexHome"] == codex_env["CODEX_HOME"]
            await conn.notify("initialized")
            thread = (await conn.request("thread/start", {"cwd": str(workdir)}, timeout=30))["thread"]
            # The turn's id comes with its answer; notifications that come first wait for it.
            started = await conn.request(
                "turn/start",
                {"threadId": thread["id"], "input": [{"type": "text", "text": "hi"}]},
                timeout=30,
            )
            turn_id = started["turn"]["id"]
            routed = conn.subscribe(turn_id)
            deltas: list[str] = []
            status = ""

            async def collect(source: Any) -> None:
                nonlocal status
                async for method, params in source:
                    if method == "item/agentMessage/delta":
                        deltas.append(params["delta"])
                    elif method == "turn/completed":
                        status = params["turn"]["status"]
                        return

            await asyncio.wait_for(collect(routed), 60)
            try:
                await conn.request("no/such/method", {}, timeout=30)
            except RpcError as exc:
                error: Any = exc
            return deltas, status, error
        finally:
            await conn.close()

    deltas, status, error = asyncio.run(main())
    assert status == "completed"
    assert len(deltas) > 1 and "".join(deltas) == "hello from the live agent"
    assert error.code == -32600
    assert_no_leftovers(codex_env, within_s=0.0)
