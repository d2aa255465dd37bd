"""One fake backend per provider, and the same vendor work done raw and through oauthpy.

"Raw" means the vendor CLI without oauthpy: the very argv oauthpy would run, started with
``subprocess`` (codex, gemini), or ``claude_agent_sdk.query`` with the very options oauthpy
would pass (claude). For codex over ``app-server``, :class:`RawAppServer` drives the very
process oauthpy would start (``CodexProvider().launch``) with the very thread and turn
parameters oauthpy would send, in a few lines of blocking JSON-RPC.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oauthpy import Client, EventKind
from oauthpy._loop import run_sync
from oauthpy._options import build_request, merged_env
from oauthpy.testing import FakeServer, text
from oauthpy.testing.raw_rpc import RawPeer

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
    #: files every run of the rig sends (``attachments=``), raw runs too
    files: list[Path] = field(default_factory=list)

    @property
    def client(self) -> Client:
        """A client on the provider's default transport (codex: ``app-server``)."""
        return Client(self.provider, auth_source="external", env=self.env)

    def client_on(self, transport: str | None) -> Client:
        return Client(self.provider, auth_source="external", env=self.env, transport=transport)

    def request(self, prompt: str = PROMPT, options: dict[str, Any] | None = None) -> Any:
        return build_request(
            prompt,
            cwd=self.work,
            model=self.model,
            env=self.env,
            provider_options=options,
            attachments=self.files or None,
        )

    # -- through oauthpy ------------------------------------------------------------------

    def oauthpy_run(self, client: Client | None = None, transport: str | None = None) -> None:
        """One run; it must have gone on ``transport`` (default: the client's)."""
        client = client or self.client
        result = client.run(PROMPT, cwd=self.work, model=self.model, attachments=self.files or None)
        assert result.text == "ok", result.text
        assert result.transport == (transport or client.transport), (result.transport, client.transport)

    def oauthpy_first_event(self, client: Client) -> float:
        """Seconds from the fake's first delta to the first message event reaching us (over
        app-server that is a text delta; over ``codex exec``, the whole message)."""
        self.fake.first_delta_at = None
        first = None
        for event in client.stream_sync(PROMPT, cwd=self.work, model=self.model):
            if first is None and event.kind is EventKind.MESSAGE:
                first = time.time()
                if self.provider == "codex":  # deltas only over app-server
                    assert event.delta == (client.transport == "app-server"), event
        assert first is not None and self.fake.first_delta_at is not None
        return first - self.fake.first_delta_at

    # -- raw ------------------------------------------------------------------------------

    def _invocation(self, options: dict[str, Any] | None = None) -> Any:
        from oauthpy._runner import load_provider

        provider = load_provider(self.provider)
        return provider.build(self.request(options=options), merged_env(self.env))  # type: ignore[attr-defined]

    def app_invocation(self) -> Any:
        """The ``codex app-server`` process oauthpy would start for this rig's runs."""
        from oauthpy._runner import load_provider

        return load_provider("codex").launch(self.request(), merged_env(self.env))  # type: ignore[attr-defined]

    def raw_app(self) -> RawAppServer:
        return RawAppServer(self.app_invocation())

    def raw_app_run(self) -> None:
        """A one-shot over app-server, raw: start it, a thread, a turn, close it."""
        with self.raw_app() as app:
            app.run(self.request())

    def raw_app_first_event(self) -> float:
        self.fake.first_delta_at = None
        with self.raw_app() as app:
            request = self.request()
            first = app.turn(app.thread(request), request)
        assert first is not None and self.fake.first_delta_at is not None
        return first - self.fake.first_delta_at

    def _claude_options(self) -> Any:
        from oauthpy._agents.claude.provider import ClaudeProvider

        return ClaudeProvider().options(self.request(), merged_env(self.env), "raw", deque(maxlen=10))

    def raw_run(self, options: dict[str, Any] | None = None) -> None:
        """One raw one-shot (``options``: provider options, for codex and gemini)."""
        if self.provider == "claude":
            run_sync(self._raw_claude(None))
            return
        inv = self._invocation(options)
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
        from oauthpy._agents.claude.sdk import prompt_input

        async for msg in query(prompt=prompt_input(self.request()), options=self._claude_options()):
            is_text = isinstance(msg, AssistantMessage) or (
                isinstance(msg, StreamEvent) and msg.event.get("type") == "content_block_delta"
            )
            if want_first and first is None and is_text:
                first = time.time()
        return first


class RawAppServer(RawPeer):
    """``codex app-server`` driven directly over its stdio, with nothing of oauthpy's runtime.

    stdin stays open until :meth:`close` (the server exits at end of input).
    """

    def __init__(self, inv: Any) -> None:
        super().__init__(inv.argv, inv.env, inv.cwd)
        try:
            self.request("initialize", {"clientInfo": RAW_CLIENT, "capabilities": {"experimentalApi": True}})
            self.send({"method": "initialized"})
        except BaseException:
            self.close()
            raise

    def thread(self, request: Any) -> str:
        """``thread/start`` with oauthpy's parameters; the new thread's id."""
        from oauthpy._agents.codex.app_parser import thread_params

        return self.request("thread/start", thread_params(request))["thread"]["id"]  # type: ignore[no-any-return]

    def turn(self, thread_id: str, request: Any) -> float | None:
        """``turn/start`` with oauthpy's parameters, read until its ``turn/completed``.

        Returns when (``time.time()``) the first text delta arrived.
        """
        from oauthpy._agents.codex.app_parser import turn_params

        rid = self.call("turn/start", turn_params(thread_id, request))
        first, answered, text = None, False, None
        while True:
            msg = self.read()
            method = msg.get("method")
            if method is None:
                if msg.get("id") == rid:
                    assert "error" not in msg, msg
                    answered = True
                continue
            params = msg.get("params") or {}
            if method == "item/agentMessage/delta":
                if first is None:
                    first = time.time()
            elif method == "item/completed" and params["item"].get("type") == "agentMessage":
                text = params["item"].get("text")
            elif method == "turn/completed" and params.get("threadId") == thread_id:
                assert params["turn"]["status"] == "completed", params
                assert answered and text == "ok", (answered, text)
                return first

    def run(self, request: Any) -> None:
        """A new thread and one turn on it: what a run inside ``with Client`` asks of a warm process."""
        self.turn(self.thread(request), request)


RAW_CLIENT = {"name": "raw-bench", "title": None, "version": "0"}


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
            yield Rig(provider, fake, fake.env(root / "codex"), work, None)
    elif provider == "claude":
        from oauthpy.testing.anthropic import FakeAnthropicServer

        with FakeAnthropicServer() as fake:
            fake.script(text("ok"))
            yield Rig(provider, fake, fake.env(root / "claude"), work, None)
    else:
        from oauthpy._agents.gemini.fake import FakeGeminiServer

        binary = gemini_binary()
        if binary is None:
            raise SystemExit("the Gemini CLI is missing: run `bash scripts/test` once to install it")
        with FakeGeminiServer() as fake:
            fake.script(text("ok"))
            env = {**fake.gemini_env(root / "gemini"), "OAUTHPY_GEMINI_BINARY": binary}
            yield Rig(provider, fake, env, work, "gemini-2.5-flash")


def rss_mb() -> tuple[float, float]:
    """This process's resident set now and its peak since :func:`reset_peak_rss` (Linux), in MB.

    Not ``getrusage().ru_maxrss``: Linux carries a parent's peak over fork and exec, so a child
    of a big harness reports the harness's peak, whatever it does itself.
    """
    found = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def reset_peak_rss() -> None:
    """Start this process's peak RSS (VmHWM) over from its current RSS (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


__all__ = ["PROMPT", "RawAppServer", "Rig", "asyncio", "reset_peak_rss", "rig", "rss_mb"]


def transports(provider: str) -> list[str | None]:
    """What each provider is measured on: codex on both of its transports."""
    return ["exec", "app-server"] if provider == "codex" else [None]


def tagged(provider: str, transport: str | None) -> str:
    return f"{provider} ({transport})" if transport else provider
