"""A raw MCP client for the tests of ``oauthpy mcp serve``: newline-delimited JSON-RPC 2.0 on the
server's stdio, written by hand (no MCP library), every read bounded."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

WAIT_S = 60.0


class McpClient:
    """``oauthpy mcp serve ARGS`` with ``env``; `answer` decides the server's ``elicitation/create``
    requests (None: the client does not offer elicitation)."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        *,
        answer: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        cmd = [sys.executable, "-m", "oauthpy.cli", "mcp", "serve", *args]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            start_new_session=True,
        )
        self._answer = answer
        self._id = 0
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        #: every notification the server sent, in order
        self.notifications: list[dict[str, Any]] = []
        #: every elicitation request the server sent
        self.elicitations: list[dict[str, Any]] = []
        #: answers read while waiting for another one, by request id
        self._answers: dict[Any, dict[str, Any]] = {}
        self._err: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._err.append(line)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._inbox.put(json.loads(line))
        self._inbox.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def start(self, method: str, params: Any) -> int:
        """Send a request; its id."""
        self._id += 1
        self.send({"id": self._id, "method": method, "params": params})
        return self._id

    def next(self, wait_s: float = WAIT_S) -> dict[str, Any]:
        """The next message the server sent that is not an answered elicitation."""
        while True:
            try:
                message = self._inbox.get(timeout=wait_s)
            except queue.Empty:
                raise AssertionError(f"the server said nothing for {wait_s} s") from None
            if message is None:
                raise AssertionError(f"the server closed its stdout: {self.stderr()}")
            if message.get("method") == "elicitation/create" and "id" in message:
                self.elicitations.append(message)
                assert self._answer is not None, "elicitation/create to a client that did not offer it"
                self.send({"id": message["id"], "result": {"action": self._answer(message)}})
                continue
            if "method" in message:
                self.notifications.append(message)
            return message

    def answer_to(self, rid: int, wait_s: float = WAIT_S) -> dict[str, Any]:
        """The answer to request ``rid`` (notifications and other answers meanwhile are kept)."""
        while rid not in self._answers:
            message = self.next(wait_s)
            if "method" not in message:
                self._answers[message.get("id")] = message
        message = self._answers.pop(rid)
        assert "error" not in message, message
        return message["result"]  # type: ignore[no-any-return]

    def request(self, method: str, params: Any) -> Any:
        return self.answer_to(self.start(method, params))

    def initialize(self) -> dict[str, Any]:
        capabilities = {"elicitation": {"form": {}}} if self._answer is not None else {}
        info = self.request(
            "initialize",
            {
                "protocolVersion": "2025-06-18",
                "capabilities": capabilities,
                "clientInfo": {"name": "t", "version": "1"},
            },
        )
        self.send({"method": "notifications/initialized"})
        return info  # type: ignore[no-any-return]

    def call(self, tool: str, arguments: dict[str, Any], progress: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"name": tool, "arguments": arguments}
        if progress is not None:
            params["_meta"] = {"progressToken": progress}
        return self.request("tools/call", params)  # type: ignore[no-any-return]

    def progress(self, token: str) -> list[dict[str, Any]]:
        return [
            n["params"]
            for n in self.notifications
            if n["method"] == "notifications/progress" and n["params"].get("progressToken") == token
        ]

    def stderr(self) -> str:
        return b"".join(self._err).decode(errors="replace")

    def close(self) -> int:
        """End of input: the server ends; its code (the group is killed if it does not)."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=WAIT_S)
            raise AssertionError("the server did not end at the end of its input") from None
        finally:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None and stream.closed:
                    stream.close()

    def __enter__(self) -> McpClient:
        self.initialize()
        return self

    def __exit__(self, *exc: object) -> None:
        code = self.close()
        if exc[0] is None:
            assert code == 0, code
