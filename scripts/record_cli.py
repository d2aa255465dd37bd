"""Record real CLI output (codex, gemini) against the fakes, for the parsers' unit tests.

Run: .venv/bin/python scripts/record_cli.py codex|codex-app|gemini|gemini-acp|acp-quota [SCENARIO...]
(rewrites tests/recordings/<cli>/*.jsonl, or only the scenarios named). ``codex-app`` drives
``codex app-server`` with the requests oauthpy builds and records every line it writes back, up to
the turn's end. ``acp-quota`` records a spent quota (`quota_exceeded`) on copilot, opencode and
qwen (``tests/recordings/<agent>-acp/quota*.jsonl``: each message with its direction).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from oauthpy._agents.codex.app import CLIENT_INFO
from oauthpy._agents.codex.app_parser import thread_params, turn_params
from oauthpy._agents.codex.provider import CodexProvider
from oauthpy._agents.gemini.fake import FakeGeminiServer, shell_call, write_call
from oauthpy._agents.gemini.provider import GeminiProvider
from oauthpy._options import build_request, merged_env
from oauthpy.testing import (
    Cut,
    FakeResponsesServer,
    HttpError,
    Reply,
    Tokens,
    apply_patch,
    quota_exceeded,
    shell,
    text,
)
from oauthpy.testing.raw_rpc import RawPeer

ROOT = Path(__file__).resolve().parent.parent
PATCH = "*** Begin Patch\n*** Add File: notes.txt\n+first line\n*** End Patch\n"
GEMINI_BIN = os.environ.get("OAUTHPY_TEST_GEMINI_BINARY") or str(
    ROOT / "tools/gemini/node_modules/.bin/gemini"
)

CODEX: dict[str, tuple[list[Any], dict[str, Any]]] = {
    "plain": ([text("Hello from the fake, in pieces.", usage=Tokens(input=321, cached=21, output=9))], {}),
    "reasoning": ([Reply(text="thought about it", reasoning="**Plan** think first")], {}),
    "shell": ([shell("echo hello-from-shell; exit 3", say="Let me check."), text("finished")], {}),
    "patch": ([apply_patch(PATCH), text("created")], {"sandbox": "workspace-write"}),
    "http_401": ([HttpError(401, "bad key")], {}),
    "http_429": ([HttpError(429, "slow down", retry_after=0)], {}),
    "http_500": ([HttpError(500, "boom")], {}),
    "cut": ([Cut("half an ans")], {}),
    "quota": ([quota_exceeded(resets_in=3600)], {}),
}
GEMINI: dict[str, tuple[list[Any], dict[str, Any]]] = {
    "plain": ([text("Hello from the fake, in pieces.", usage=Tokens(input=321, cached=21, output=9))], {}),
    "shell": (
        [Reply(text="Running it.", tool_calls=shell_call("echo hi-tool").tool_calls), text("finished")],
        {},
    ),
    "write": ([write_call("WORK/a.txt", "x\n"), text("written")], {}),
    "cut": ([Cut("half an ans")], {}),
    "http_401": ([HttpError(401, "API key not valid")], {}),
    "http_429": ([HttpError(429, "Resource exhausted")], {}),
    "http_500": ([HttpError(500, "boom")], {}),
    "quota": ([quota_exceeded(resets_in=3600)], {}),
}


def json_replace(step: Any, old: str, new: str) -> Any:
    if not isinstance(step, Reply) or not step.tool_calls:
        return step
    calls = tuple(
        dataclasses.replace(c, arguments=json.loads(json.dumps(c.arguments).replace(old, new)))
        for c in step.tool_calls
    )
    return dataclasses.replace(step, tool_calls=calls)


def record(cli: str, name: str, steps: list[Any], opts: dict[str, Any]) -> None:
    fake_cls = FakeResponsesServer if cli == "codex" else FakeGeminiServer
    with fake_cls() as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "work")
        work.mkdir()
        # a tool call's path must lie in this run's workspace: WORK stands for it
        fake.script(*(json_replace(s, "WORK", str(work)) for s in steps))
        if cli == "codex":
            env = fake.env(Path(tmp, "home"))  # type: ignore[attr-defined]
            provider: Any = CodexProvider()
            model = None
        else:
            env = {**fake.gemini_env(tmp), "OAUTHPY_GEMINI_BINARY": GEMINI_BIN}  # type: ignore[attr-defined]
            provider, model = GeminiProvider(), "gemini-2.5-flash"
            opts = {"yolo": True, **opts}
        req = build_request(f"scenario {name}", cwd=work, model=model, provider_options=opts)
        inv = provider.build(req, merged_env(env))
        proc = subprocess.run(
            inv.argv, input=inv.stdin, capture_output=True, cwd=inv.cwd, env=inv.env, timeout=90
        )
        inv.cleanup()
        lines = proc.stdout.decode().replace(tmp, "/tmp/REC").splitlines()
        out = ROOT / "tests" / "recordings" / cli / f"{name}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n")
        print(f"{cli} {name}: rc={proc.returncode}, {len(lines)} lines", file=sys.stderr)


def record_app(name: str, steps: list[Any], opts: dict[str, Any]) -> None:
    """One turn on a real ``codex app-server``: the lines it writes, from initialize to turn end."""
    with FakeResponsesServer() as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "work")
        work.mkdir()
        fake.script(*steps)
        env = merged_env(fake.env(Path(tmp, "home")))
        req = build_request(f"scenario {name}", cwd=work, provider_options=opts)
        inv = CodexProvider().launch(req, env)
        peer = RawPeer(inv.argv, inv.env, inv.cwd)
        try:
            peer.request("initialize", {"clientInfo": CLIENT_INFO, "capabilities": {"experimentalApi": True}})
            peer.send({"method": "initialized"})
            thread_id = peer.request("thread/start", thread_params(req))["thread"]["id"]
            peer.call("turn/start", turn_params(thread_id, req))
            peer.read_until(lambda m: m.get("method") == "turn/completed")
        finally:
            peer.close(wait_s=0)
        lines = peer.lines
        text_out = "\n".join(lines).replace(tmp, "/tmp/REC")
        out = ROOT / "tests" / "recordings" / "codex-app" / f"{name}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text_out + "\n")
        print(f"codex-app {name}: {len(lines)} lines", file=sys.stderr)


GEMINI_ACP: dict[str, tuple[list[Any], dict[str, Any]]] = {
    "plain": ([text("Hello from the fake, in pieces.", usage=Tokens(input=321, cached=21, output=9))], {}),
    "shell": (
        [Reply(text="Running it.", tool_calls=shell_call("echo hi-tool").tool_calls), text("finished")],
        {"yolo": True},
    ),
    "write": ([write_call("WORK/a.txt", "x\n"), text("written")], {"yolo": True}),
    "cut": ([Cut("half an ans")], {}),
    "http_401": ([HttpError(401, "API key not valid")], {}),
    "http_429": ([HttpError(429, "Resource exhausted")], {}),
    "http_500": ([HttpError(500, "boom")], {}),
    "quota": ([quota_exceeded(resets_in=3600)], {}),
}


def record_acp(name: str, steps: list[Any], opts: dict[str, Any]) -> None:
    """One prompt on a real ``gemini --acp``: every line it writes, from initialize to the answer."""
    from oauthpy._agents.gemini.acp import GEMINI
    from oauthpy._transports.acp.turn import INIT_PARAMS, prompt_params, session_params

    with FakeGeminiServer() as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "work")
        work.mkdir()
        fake.script(*(json_replace(s, "WORK", str(work)) for s in steps))
        env = merged_env({**fake.gemini_env(tmp), "OAUTHPY_GEMINI_BINARY": GEMINI_BIN})
        req = build_request(f"scenario {name}", cwd=work, model="gemini-2.5-flash", provider_options=opts)
        peer = RawPeer([GEMINI_BIN, "--acp"], env, str(work), jsonrpc2=True)
        try:
            peer.request("initialize", INIT_PARAMS)
            sid = peer.request("session/new", session_params(req))["sessionId"]
            peer.request("session/set_model", {"sessionId": sid, "modelId": req.model})
            mode = GEMINI.mode_of(req)
            if mode:
                peer.request("session/set_mode", {"sessionId": sid, "modeId": mode})
            rid = peer.call("session/prompt", prompt_params(sid, req.prompt))
            peer.read_until(lambda m: m.get("id") == rid and "method" not in m)  # errors recorded too
        finally:
            peer.close(wait_s=0)
        lines = peer.lines
        out = ROOT / "tests" / "recordings" / "gemini-acp" / f"{name}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines).replace(tmp, "/tmp/REC") + "\n")
        print(f"gemini-acp {name}: {len(lines)} lines", file=sys.stderr)


#: the ACP agents' spent quotas: with a reset time in the API's words, and without one
ACP_QUOTA = {"quota": quota_exceeded(resets_in=3600), "quota_unsaid": quota_exceeded(resets_in=None)}


def record_acp_quota(agent: str, name: str, step: Any) -> None:
    """One prompt on a real ``<agent> --acp`` against its fake, pointed there as the test suites
    point it: every message both ways, ``{"dir": "out"|"in", "msg": ...}`` a line."""
    from oauthpy import _registry as registry
    from oauthpy._transports.acp.turn import INIT_PARAMS, prompt_params, session_params
    from oauthpy.testing import fake_for

    entry = registry.get(agent)
    with fake_for(agent) as fake, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "work")
        work.mkdir()
        fake.script(step)
        env = merged_env(entry.fake_environment(fake, Path(tmp, agent), defaults=False))
        # the pinned program the test installer put aside (scripts/test)
        env[f"OAUTHPY_{agent.upper()}_BINARY"] = str(entry.load_provision().pinned_program(ROOT))
        profile = entry.make_provider().profile
        req = build_request(f"scenario {name}", cwd=work, provider_options={})
        peer = _LoggedPeer(profile.argv(req, env), profile.environment(env, req), str(work), jsonrpc2=True)
        try:
            peer.request("initialize", INIT_PARAMS)
            sid = peer.request("session/new", session_params(req))["sessionId"]
            rid = peer.call("session/prompt", prompt_params(sid, req.prompt))
            peer.read_until(lambda m: m.get("id") == rid and "method" not in m)
        finally:
            peer.close(wait_s=5)
        text_out = "\n".join(json.dumps(x) for x in peer.log).replace(tmp, "/tmp/REC")
        out = ROOT / "tests" / "recordings" / f"{agent}-acp" / f"{name}.jsonl"
        out.write_text(text_out + "\n")
        print(f"{agent}-acp {name}: {len(peer.log)} messages", file=sys.stderr)


class _LoggedPeer(RawPeer):
    """A `RawPeer` that keeps what it sent too, in order with what it read."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.log: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.log.append({"dir": "out", "msg": {"jsonrpc": "2.0", **message}})
        super().send(message)

    def read(self) -> dict[str, Any]:
        message = super().read()
        self.log.append({"dir": "in", "msg": message})
        return message


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "codex"
    only = set(sys.argv[2:])

    def chosen(scenarios: dict[str, Any]) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in scenarios.items() if not only or k in only]

    if which == "acp-quota":
        for agent in ("copilot", "opencode", "qwen"):
            for scenario, step in chosen(ACP_QUOTA):
                record_acp_quota(agent, scenario, step)
    elif which == "gemini-acp":
        for scenario, (script, options) in chosen(GEMINI_ACP):
            record_acp(scenario, script, options)
    elif which == "codex-app":
        for scenario, (script, options) in chosen(CODEX):
            record_app(scenario, script, options)
    else:
        for scenario, (script, options) in chosen(CODEX if which == "codex" else GEMINI):
            record(which, scenario, script, options)
