"""What acp-test-agent does inside a turn to think: ask the chat-completions model (`Model`), its
text and thoughts streamed to the client as they come. Imported as a top-level module, like
actions.py, by agent.py, which puts its folder on ``sys.path``."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx2
from actions import RpcError, Session, Update, _json

SYSTEM = "You are acp-test-agent, a coding agent. Act in the session's folder with your tools."
#: the wait for model bytes
MODEL_READ_TIMEOUT_S = 300.0


def _key() -> str:
    return os.environ.get("OPENAI_API_KEY") or ""


class Model:
    """Streamed calls of ``POST {OPENAI_BASE_URL}/chat/completions``."""

    def __init__(self, update: Update) -> None:
        self.update = update
        self._http: httpx2.AsyncClient | None = None

    def require_key(self) -> None:
        if not _key():
            raise RpcError(-32000, "Authentication required")

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def complete(
        self, s: Session, tools: list[dict[str, Any]], usage: dict[str, int]
    ) -> dict[str, Any]:
        """One model call, its deltas streamed to the client; the assistant message."""
        if self._http is None:  # the test env is loopback only: no proxies from the environment
            timeout = httpx2.Timeout(30.0, read=MODEL_READ_TIMEOUT_S)
            self._http = httpx2.AsyncClient(timeout=timeout, trust_env=False)
        base = (os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1").rstrip("/")
        body = {
            "model": s.model,
            "stream": True,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "system", "content": SYSTEM}, *s.history],
            "tools": tools,
        }
        calls: dict[int, dict[str, str]] = {}
        started = finished = done = False
        s.partial = ""
        try:
            headers = {"Authorization": f"Bearer {_key()}"}
            async with self._http.stream("POST", f"{base}/chat/completions", json=body, headers=headers) as r:
                if r.status_code >= 400:
                    raise _http_error(r.status_code, await r.aread(), r.headers.get("retry-after"))
                started = True
                async for line in r.aiter_lines():
                    data = line[5:].strip() if line.startswith("data:") else ""
                    if data == "[DONE]":
                        done = True
                        break
                    chunk = _json(data)
                    if isinstance(chunk.get("error"), dict):
                        message = _scrub(str(chunk["error"].get("message") or "error"))
                        raise RpcError(-32603, f"model API error: {message}", {"status": None})
                    _add_usage(usage, chunk.get("usage"))
                    for choice in chunk.get("choices") or []:
                        finished = finished or bool(choice.get("finish_reason"))
                        await self._delta(s, choice.get("delta") or {}, calls)
        except httpx2.HTTPError as exc:
            if not started:
                raise RpcError(
                    -32603, f"model API unreachable: {type(exc).__name__}", {"status": None}
                ) from None
        if not (done or finished):
            raise RpcError(-32603, "model stream ended early", {"status": None})
        message: dict[str, Any] = {"role": "assistant", "content": s.partial or None}
        s.partial = ""
        if calls:
            message["tool_calls"] = [
                {
                    "id": c["id"] or f"call_{uuid.uuid4().hex[:12]}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"] or "{}"},
                }
                for _, c in sorted(calls.items())
            ]
        return message

    async def _delta(self, s: Session, delta: dict[str, Any], calls: dict[int, dict[str, str]]) -> None:
        if delta.get("reasoning_content"):
            thought = {"type": "text", "text": str(delta["reasoning_content"])}
            await self.update(s.id, {"sessionUpdate": "agent_thought_chunk", "content": thought})
        if delta.get("content"):
            s.partial += str(delta["content"])
            text = {"type": "text", "text": str(delta["content"])}
            await self.update(s.id, {"sessionUpdate": "agent_message_chunk", "content": text})
        for tc in delta.get("tool_calls") or []:
            slot = calls.setdefault(int(tc.get("index") or 0), {"id": "", "name": "", "arguments": ""})
            fn = tc.get("function") or {}
            slot["id"] = str(tc.get("id") or slot["id"])
            slot["name"] = str(fn.get("name") or slot["name"])
            slot["arguments"] += str(fn.get("arguments") or "")


def _scrub(text: str) -> str:
    key = _key()
    return text.replace(key, "[redacted]") if key else text


def _add_usage(total: dict[str, int], usage: Any) -> None:
    if not isinstance(usage, dict):
        return
    total["inputTokens"] += int(usage.get("prompt_tokens") or 0)
    total["outputTokens"] += int(usage.get("completion_tokens") or 0)
    total["totalTokens"] += int(usage.get("total_tokens") or 0)
    for field_, key, name in (
        ("completion_tokens_details", "reasoning_tokens", "thoughtTokens"),
        ("prompt_tokens_details", "cached_tokens", "cachedReadTokens"),
    ):
        details = usage.get(field_)
        if isinstance(details, dict) and isinstance(details.get(key), int):
            total[name] = total.get(name, 0) + details[key]


def _http_error(status: int, raw: bytes, retry_after: str | None) -> RpcError:
    if status in (401, 403):
        return RpcError(-32000, "Authentication required", {"status": status})
    body = _json(raw.decode("utf-8", "replace"))
    error = body.get("error")
    message = error.get("message") if isinstance(error, dict) else error
    text = _scrub(str(message or raw.decode("utf-8", "replace")[:300] or "no body"))
    data: dict[str, Any] = {"status": status}
    try:
        seconds = float(retry_after) if retry_after is not None else None
    except ValueError:
        seconds = None  # an HTTP date: not worth parsing for a test agent
    if seconds is not None:
        data["retryAfter"] = int(seconds) if seconds.is_integer() else seconds
    return RpcError(-32603, f"model API error {status}: {text}", data)
