"""A fake Gemini API (``:streamGenerateContent?alt=sse``, ``:generateContent``) and the gemini wiring."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from oauthpy.testing.script import (
    Cut,
    HttpError,
    QuotaExceeded,
    Reply,
    Shell,
    SseError,
    ToolCall,
    VendorStep,
    chunk,
)
from oauthpy.testing.server import FakeServer, Handler, RecordedRequest

FAKE_GEMINI_KEY = "AIzaOauthpyFakeGeminiKey000000000000000"
DEFAULT_MODEL = "gemini-2.5-flash"
_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
_STATUS |= {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
#: what the CLI's model router (used when no model is given) asks for; it is not a scripted turn
_ROUTER_REPLY = json.dumps({"complexity_reasoning": "simple", "complexity_score": 1})


_RPC = "type.googleapis.com/google.rpc."
#: the API's words for any spent quota, per minute or per day alike (the quota id tells them apart)
QUOTA_MESSAGE = "You exceeded your current quota, please check your plan and billing details."
#: the free tier's daily request quota, as ``QuotaFailure`` names it: gemini stops at once on a
#: per-day id ("You have exhausted your daily quota on this model."), where it retries a
#: per-minute one for a minute
DAILY_QUOTA = "GenerateRequestsPerDayPerProjectPerModel-FreeTier"


def quota_error(step: QuotaExceeded, model: str) -> dict[str, Any]:
    """The 429 ``RESOURCE_EXHAUSTED`` body of a spent daily quota: its ``QuotaFailure`` names the
    daily quota, and its ``RetryInfo`` the wait when ``resets_in`` is given."""
    violation = {
        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "quotaId": DAILY_QUOTA,
        "quotaDimensions": {"location": "global", "model": model},
        "quotaValue": "250",
    }
    link = {
        "description": "Learn more about Gemini API quotas",
        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
    }
    details: list[dict[str, Any]] = [
        {"@type": _RPC + "QuotaFailure", "violations": [violation]},
        {"@type": _RPC + "Help", "links": [link]},
    ]
    if step.resets_in is not None:
        details.append({"@type": _RPC + "RetryInfo", "retryDelay": f"{step.resets_in:.0f}s"})
    message = step.message or QUOTA_MESSAGE
    return {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED", "details": details}}


class FakeGeminiServer(FakeServer):
    """Speaks enough of the Gemini API for the real Gemini CLI to run headless turns against it.

    Requests without tools (the CLI's router and other utility calls) get an auxiliary answer
    and do not use up a scripted step.
    """

    def is_model_request(self, req: RecordedRequest) -> bool:
        return req.method == "POST" and ":" in req.path and _has_tools(req.body)

    def declared_tools(self, req: RecordedRequest) -> list[str]:
        tools = req.body.get("tools") if isinstance(req.body, dict) else None
        return [
            str(d["name"])
            for t in tools or ()
            if isinstance(t, dict)
            for d in t.get("functionDeclarations") or ()
            if isinstance(d, dict) and d.get("name")
        ]

    def handle(self, h: Handler, req: RecordedRequest) -> None:
        path = req.path.split("?")[0]
        if req.method != "POST" or ":" not in path:
            h.send_json(404, {"error": {"code": 404, "message": f"no route {path}", "status": "NOT_FOUND"}})
            return
        streaming = path.endswith(":streamGenerateContent")
        if not _has_tools(req.body):
            self._respond(h, Reply(text=_ROUTER_REPLY, chunks=1), streaming)
            return
        step = self.next_step(req)
        if isinstance(step, HttpError):
            err = {
                "code": step.status,
                "message": step.message,
                "status": _STATUS.get(step.status, "UNKNOWN"),
            }
            headers = {"Retry-After": f"{step.retry_after:g}"} if step.retry_after is not None else {}
            h.send_json(step.status, {"error": err}, {**headers, **self.error_headers})
        elif isinstance(step, QuotaExceeded):
            model = path.rpartition("/")[2].partition(":")[0] or DEFAULT_MODEL
            h.send_json(429, quota_error(step, model), dict(self.error_headers))
        elif isinstance(step, Reply):
            self._respond(h, step, streaming)
        elif isinstance(step, (Cut, SseError)):
            h.start_sse()
            piece = step.text if isinstance(step, Cut) else "partial"
            h.sse({"candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}]})
        else:
            h.hang(step.seconds)

    def _respond(self, h: Handler, r: Reply, streaming: bool) -> None:
        chunks = self._chunks(r)
        if not streaming:
            parts = [p for c in chunks for p in c["candidates"][0]["content"]["parts"]]
            last = chunks[-1]
            merged = {
                **last,
                "candidates": [{**last["candidates"][0], "content": {"role": "model", "parts": parts}}],
            }
            h.send_json(200, merged)
            return
        h.start_sse()
        for c in chunks:
            if any("text" in p and not p.get("thought") for p in c["candidates"][0]["content"]["parts"]):
                self.mark_first_delta()
            h.sse(c)
            if r.chunk_delay_s:
                time.sleep(r.chunk_delay_s)

    @staticmethod
    def _chunks(r: Reply) -> list[dict[str, Any]]:
        parts: list[list[dict[str, Any]]] = []
        if r.reasoning:
            parts.append([{"text": r.reasoning, "thought": True}])
        parts += [[{"text": piece}] for piece in chunk(r.text, r.chunks)]
        calls = [
            {"functionCall": {"name": c.name, "args": c.arguments, "id": c.call_id}} for c in r.tool_calls
        ]
        if calls:
            parts.append(calls)
        if not parts:
            parts.append([{"text": ""}])
        u = r.usage
        usage = {
            "promptTokenCount": u.input,
            "candidatesTokenCount": u.output,
            "totalTokenCount": u.input + u.output,
            "cachedContentTokenCount": u.cached,
            "thoughtsTokenCount": u.reasoning,
        }
        out = []
        for i, group in enumerate(parts):
            cand: dict[str, Any] = {"content": {"role": "model", "parts": group}, "index": 0}
            item: dict[str, Any] = {"candidates": [cand]}
            if i == len(parts) - 1:
                cand["finishReason"] = "STOP"
                item["usageMetadata"] = usage
            out.append(item)
        return out

    def vendor_reply(self, step: VendorStep) -> Reply:
        if isinstance(step, Shell):
            reply = shell_call(step.command, call_id=step.call_id or "call_1")
            return Reply(text=step.say, tool_calls=reply.tool_calls) if step.say else reply
        return write_call(step.path, step.content, call_id=step.call_id or "call_w")

    # -- pointing a real gemini at this server ----------------------------------------------------

    def env(
        self, root: str | os.PathLike[str], *, api_key: str = FAKE_GEMINI_KEY, max_attempts: int = 1
    ) -> dict[str, str]:
        """The env that sends the real Gemini CLI here (see `gemini_env`)."""
        return self.gemini_env(root, api_key=api_key, max_attempts=max_attempts)

    def gemini_env(
        self, root: str | os.PathLike[str], *, api_key: str = FAKE_GEMINI_KEY, max_attempts: int = 1
    ) -> dict[str, str]:
        """The env that sends the real Gemini CLI here, with all its state under ``root``.

        Writes ``<root>/home/.gemini/settings.json`` (API-key auth, usage statistics, telemetry
        and auto-update off, ``general.maxAttempts``) and isolates ``GEMINI_CLI_HOME`` and
        ``TMPDIR``. The workspace is trusted through ``GEMINI_CLI_TRUST_WORKSPACE``. Node's
        compile cache is shared by every root (`shared_compile_cache`).
        """
        base = Path(root)
        home, tmp = base / "gemini-home", base / "gemini-tmp"
        write_settings(home, max_attempts=max_attempts)
        tmp.mkdir(parents=True, exist_ok=True)
        from oauthpy.testing.node_cache import shared_compile_cache

        return {
            **shared_compile_cache(),
            "GEMINI_CLI_HOME": str(home),
            "TMPDIR": str(tmp),
            "GEMINI_API_KEY": api_key,
            "GOOGLE_GEMINI_BASE_URL": self.url,
            "GEMINI_CLI_TRUST_WORKSPACE": "true",
            "NO_COLOR": "1",
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
        }


def write_settings(gemini_home: str | os.PathLike[str], *, max_attempts: int = 1) -> Path:
    """Write ``<gemini_home>/.gemini/settings.json`` for headless API-key runs; returns its path.

    ``gemini_home`` is what ``GEMINI_CLI_HOME`` points at. API-key auth is selected (env-only
    auth fails in gemini 0.61), usage statistics, telemetry and auto-update are off, and
    ``general.maxAttempts`` bounds the CLI's own retries.
    """
    settings = {
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "privacy": {"usageStatisticsEnabled": False},
        "telemetry": {"enabled": False},
        "general": {
            "enableAutoUpdate": False,
            "enableAutoUpdateNotification": False,
            "maxAttempts": max_attempts,
            # gemini 0.61: a resumed session that crosses a minute boundary is rewritten to a
            # file its own retention cleanup then deletes, with the session (docs/sessions.md)
            "sessionRetention": {"enabled": False},
        },
        "tools": {"useRipgrep": False},
    }
    path = Path(gemini_home) / ".gemini" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2))
    return path


def _has_tools(body: Any) -> bool:
    return isinstance(body, dict) and bool(body.get("tools"))


def shell_call(command: str, *, call_id: str = "call_1") -> Reply:
    """A gemini ``run_shell_command`` function call (`oauthpy.testing.shell` is the same
    for every fake)."""
    return Reply(tool_calls=(ToolCall("run_shell_command", {"command": command}, call_id),))


def write_call(path: str, content: str, *, call_id: str = "call_w") -> Reply:
    """A gemini ``write_file`` function call."""
    return Reply(tool_calls=(ToolCall("write_file", {"file_path": path, "content": content}, call_id),))
