"""What a tool call of ``oauthpy mcp serve`` costs beside `Client.run` of the same prompt: the
server's JSON-RPC, its conversation bookkeeping and progress on top of the same agent work.
Issue 42's target: at most 5 % more."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rigs import PROMPT, rig
from stats import Row, paired

from oauthpy.testing.raw_rpc import RawPeer


def _server(r: object, provider: str) -> RawPeer:
    argv = [sys.executable, "-m", "oauthpy.cli", "mcp", "serve", "--agent", provider, "--source", "external"]
    argv += ["--cwd", str(r.work)]  # type: ignore[attr-defined]
    peer = RawPeer(argv, {**os.environ, **r.env}, str(r.work), jsonrpc2=True)  # type: ignore[attr-defined]
    params = {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "bench", "version": "1"},
    }
    peer.request("initialize", params)
    peer.send({"method": "notifications/initialized"})
    return peer


def mcp(reps: int, providers: list[str], root: Path) -> list[Row]:
    rows = []
    for provider in providers:
        with rig(provider, root / f"mcp-{provider}") as r:
            peer = _server(r, provider)
            try:
                arguments = {"prompt": PROMPT, **({"model": r.model} if r.model else {})}

                def call(
                    peer: RawPeer = peer, arguments: dict[str, str] = arguments, name: str = provider
                ) -> None:
                    result = peer.request("tools/call", {"name": name, "arguments": arguments})
                    assert not result["isError"] and result["structuredContent"]["text"] == "ok", result

                row = Row(
                    "mcp serve",
                    f"{provider}: a tool call vs Client.run of the same prompt",
                    "Client.run",
                    "tools/call",
                    target="<= 1.05x",
                )
                rows.append(paired(row, lambda r=r: r.oauthpy_run(transport=None), call, reps, warmup=1))
            finally:
                peer.close()
    return rows
