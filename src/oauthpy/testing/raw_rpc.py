"""A blocking JSON-RPC peer over a child's stdio, built on ``subprocess`` alone.

For recording what a live agent writes (scripts/record_cli.py) and as the raw baseline of the
benchmarks: none of oauthpy's runtime, connection or translators is involved. One message a
line; ``jsonrpc2=True`` adds the ``"jsonrpc": "2.0"`` member (gemini ACP), codex's dialect has
none. Every line read is kept in `lines`. Not for production use: reads block and have
no timeout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import Any


class RawPeer:
    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], cwd: str, *, jsonrpc2: bool = False
    ) -> None:
        # its own process group: gemini's launcher re-executes node, and only the group ends both
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
        self._name = os.path.basename(argv[0])
        self._jsonrpc2 = jsonrpc2
        self._id = 0
        #: every line the peer wrote, as read
        self.lines: list[str] = []

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        if self._jsonrpc2:
            message = {"jsonrpc": "2.0", **message}
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self._name} closed its stdout")
        self.lines.append(line.decode().rstrip("\n"))
        return json.loads(line)  # type: ignore[no-any-return]

    def call(self, method: str, params: Any = None) -> int:
        """Send a request; its id."""
        self._id += 1
        self.send({"id": self._id, "method": method, **({} if params is None else {"params": params})})
        return self._id

    def read_until(self, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Read messages up to and including the first for which ``done`` is true."""
        while not done(msg := self.read()):
            pass
        return msg

    def request(self, method: str, params: Any = None) -> Any:
        """A request's result (RuntimeError for an error answer)."""
        rid = self.call(method, params)
        msg = self.read_until(lambda m: m.get("id") == rid and "method" not in m)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result")

    def close(self, wait_s: float = 10.0) -> None:
        """End of input, then the process group is stopped if it has not exited in ``wait_s``."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> RawPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
