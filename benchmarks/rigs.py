"""One fake backend per provider, and the same vendor work done raw and through oauthpy.

"Raw" means the vendor CLI without oauthpy: the very argv oauthpy would run, started with
``subprocess`` (codex, gemini), or ``claude_agent_sdk.query`` with the very options oauthpy
would pass (claude).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oauthpy import Client, EventKind
from oauthpy._loop import run_sync
from oauthpy.options import build_request, merged_env
from oauthpy.testing import FakeServer, text

PROMPT = "Say ok."
ROOT = Path(__file__).resolve().parent.parent


def gemini_binary() -> str | None:
    path = os.environ.get("OAUTHPY_TEST_GEMINI_BINARY") or str(ROOT / "tools/gemini/node_modules/.bin/gemini")
    return path if Path(path).exists() else None


@dataclass
class Rig:
    provider: str
    fake: FakeServer
    env: dict[str, str]
    work: Path
    model: str | None

    @property
    def client(self) -> Client:
        return Client(self.provider, auth_source="external", env=self.env)

    def request(self, prompt: str = PROMPT) -> Any:
        return build_request(prompt, cwd=self.work, model=self.model, env=self.env)

    # -- through oauthpy ------------------------------------------------------------------

    def oauthpy_run(self, client: Client | None = None) -> None:
        result = (client or self.client).run(PROMPT, cwd=self.work, model=self.model)
        assert result.text == "ok", result.text

    def oauthpy_first_event(self, client: Client) -> float:
        """Seconds from the fake's first delta to the first message event reaching us."""
        self.fake.first_delta_at = None
        first = None
        for event in client.stream_sync(PROMPT, cwd=self.work, model=self.model):
            if first is None and event.kind is EventKind.MESSAGE:
                first = time.time()
        assert first is not None and self.fake.first_delta_at is not None
        return first - self.fake.first_delta_at

    # -- raw ------------------------------------------------------------------------------

    def _invocation(self) -> Any:
        from oauthpy._runner import load_provider

        provider = load_provider(self.provider)
        return provider.build(self.request(), merged_env(self.env))  # type: ignore[attr-defined]

    def _claude_options(self) -> Any:
        from oauthpy.providers.claude import ClaudeProvider

        return ClaudeProvider().options(self.request(), merged_env(self.env), "raw", deque(maxlen=10))

    def raw_run(self) -> None:
        if self.provider == "claude":
            run_sync(self._raw_claude(None))
            return
        inv = self._invocation()
        done = subprocess.run(
            inv.argv, input=inv.stdin, env=inv.env, cwd=inv.cwd, capture_output=True, check=False
        )
        inv.cleanup()
        assert done.returncode == 0, done.stderr[-500:]

    def raw_first_event(self) -> float:
        self.fake.first_delta_at = None
        first = run_sync(self._raw_claude(True)) if self.provider == "claude" else self._raw_cli_first()
        assert first is not None and self.fake.first_delta_at is not None
        return first - self.fake.first_delta_at

    def _raw_cli_first(self) -> float | None:
        inv = self._invocation()
        proc = subprocess.Popen(
            inv.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=inv.env,
            cwd=inv.cwd,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(inv.stdin)
        proc.stdin.close()
        first = None
        for line in proc.stdout:
            if first is None and _is_message(json.loads(line)):
                first = time.time()
        proc.wait()
        inv.cleanup()
        return first

    async def _raw_claude(self, want_first: bool | None) -> float | None:
        from claude_agent_sdk import AssistantMessage, StreamEvent, query

        first = None
        async for msg in query(prompt=PROMPT, options=self._claude_options()):
            is_text = isinstance(msg, AssistantMessage) or (
                isinstance(msg, StreamEvent) and msg.event.get("type") == "content_block_delta"
            )
            if want_first and first is None and is_text:
                first = time.time()
        return first


def _is_message(rec: Any) -> bool:
    if not isinstance(rec, dict):
        return False
    item = rec.get("item")
    if isinstance(item, dict) and item.get("type") == "agent_message":  # codex
        return True
    return rec.get("type") == "message" and rec.get("role") == "assistant"  # gemini


@contextlib.contextmanager
def rig(provider: str, root: Path) -> Iterator[Rig]:
    root.mkdir(parents=True, exist_ok=True)
    work = root / "work"
    work.mkdir(exist_ok=True)
    if provider == "codex":
        from oauthpy.testing import FakeResponsesServer

        with FakeResponsesServer() as fake:
            fake.script(text("ok"))
            yield Rig(provider, fake, fake.codex_env(root / "codex"), work, None)
    elif provider == "claude":
        from oauthpy.testing.anthropic import FakeAnthropicServer

        with FakeAnthropicServer() as fake:
            fake.script(text("ok"))
            yield Rig(provider, fake, fake.claude_env(root / "claude"), work, None)
    else:
        from oauthpy.testing.gemini import FakeGeminiServer

        binary = gemini_binary()
        if binary is None:
            raise SystemExit("the Gemini CLI is missing: run `bash scripts/test` once to install it")
        with FakeGeminiServer() as fake:
            fake.script(text("ok"))
            env = {**fake.gemini_env(root / "gemini"), "OAUTHPY_GEMINI_BINARY": binary}
            yield Rig(provider, fake, env, work, "gemini-2.5-flash")


def peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


__all__ = ["PROMPT", "Rig", "asyncio", "peak_rss_mb", "rig"]
