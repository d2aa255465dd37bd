"""A fake OpenAI chat-completions API (``POST /v1/chat/completions``, SSE and JSON).

The wire most other agents speak to a model they are pointed at: OpenCode
(``@ai-sdk/openai-compatible``), Qwen Code, goose, Copilot (``COPILOT_PROVIDER_WIRE_API=completions``).
The generic `shell` and `write_file` steps become a call of whichever fitting tool the request
declares (`oauthpy.testing.chat_tools`).
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from oauthpy.testing.chat_tools import tool_schemas, vendor_call, workdir_of
from oauthpy.testing.script import (
    Cut,
    HttpError,
    QuotaExceeded,
    Reply,
    SseError,
    Step,
    ToolCall,
    VendorStep,
    chunk,
    insufficient_quota,
    retry_headers,
)
from oauthpy.testing.server import FakeServer, Handler, RecordedRequest

DEFAULT_MODEL = "fake-model"
#: what ``GET /v1/models`` lists
MODELS = ("fake-model", "fake-model-large")
#: OpenAI's error ``type`` and ``code`` by status (a 429 really says ``"type": "requests"``)
_ERRORS: dict[int, tuple[str, str | None]] = {
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


class FakeChatServer(FakeServer):
    """Speaks enough of the chat-completions API for OpenAI-compatible agents to run turns.

    Any bearer token is accepted. Streamed answers always carry usage: as a last chunk with no
    choices when the request sets ``stream_options.include_usage`` (as OpenAI does), else on the
    chunk with the ``finish_reason`` (as several compatible servers do).
    """

    #: what an aside request (see ``aside``) is answered with
    aside_reply: Reply = Reply(text="Fake title", chunks=1)

    def __init__(
        self, steps: Iterable[Step] = (), *, aside: Callable[[RecordedRequest], bool] | None = None
    ) -> None:
        """``aside`` picks out an agent's side requests (OpenCode's title request: `without_tools`);
        they get ``aside_reply``, take no step and are not model requests."""
        self._aside = aside
        # random, so the key cannot occur in scripted text (Copilot masks its value in output)
        self._api_key = f"fake-chat-key-{secrets.token_hex(8)}"
        super().__init__(steps)

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (ends in ``/v1``) that agent configs point at."""
        return f"{self.url}/v1"

    @property
    def api_key(self) -> str:
        """A fake key for the agent's config (any bearer is accepted)."""
        return self._api_key

    def env(self, root: str | os.PathLike[str], *, api_key: str | None = None) -> dict[str, str]:
        """The generic OpenAI-compatible environment; ``root`` is created (agent profiles put
        their own config and state there)."""
        Path(root).mkdir(parents=True, exist_ok=True)
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": api_key or self.api_key}

    def is_model_request(self, req: RecordedRequest) -> bool:
        return self._is_completion(req) and not (self._aside is not None and self._aside(req))

    @staticmethod
    def _is_completion(req: RecordedRequest) -> bool:
        return req.method == "POST" and _route(req) == "/chat/completions"

    def declared_tools(self, req: RecordedRequest) -> list[str]:
        return [name for name, _ in tool_schemas(req.body)]

    def vendor_reply(self, step: VendorStep) -> Reply:
        req = self.answering()
        if req is None:
            return vendor_call(step, [])
        return vendor_call(step, tool_schemas(req.body), workdir_of(req.body_text))

    def handle(self, h: Handler, req: RecordedRequest) -> None:
        route = _route(req)
        if req.method == "GET" and route == "/models":
            h.send_json(200, {"object": "list", "data": [_model(m) for m in MODELS]})
            return
        if req.method == "GET" and route.startswith("/models/") and route[8:] in MODELS:
            h.send_json(200, _model(route[8:]))
            return
        if not self._is_completion(req):
            h.send_json(404, _error(404, f"no route {req.method} {req.path}", "unknown_url"))
            return
        body = req.body if isinstance(req.body, dict) else {}
        model = str(body.get("model") or DEFAULT_MODEL)
        stream = bool(body.get("stream"))
        options = body.get("stream_options")
        own_usage_chunk = isinstance(options, dict) and bool(options.get("include_usage"))
        step = self.next_step(req) if self.is_model_request(req) else self.aside_reply
        if isinstance(step, HttpError):
            h.send_json(
                step.status,
                _error(step.status, step.message, step.code),
                {**retry_headers(step), **self.error_headers},
            )
        elif isinstance(step, QuotaExceeded):
            headers = {**retry_headers(HttpError(429)), **self.error_headers}
            h.send_json(429, insufficient_quota(step), headers)
        elif isinstance(step, Reply):
            if stream:
                self._stream(_Sse(h), step, model, own_usage_chunk)
            else:
                h.send_json(200, _completion(step, model))
        elif isinstance(step, Cut):
            if not stream:
                h.close_connection = True
                return  # nothing at all: the connection drops
            sse, cid = _Sse(h), _id()
            sse.send(_chunk(cid, model, {"role": "assistant", "content": ""}))
            for piece in chunk(step.text, 2):
                sse.send(_chunk(cid, model, {"content": piece}))
            # no closing chunk: the client sees the body break off, not a short reply
        elif isinstance(step, SseError):
            err = {"message": step.message, "type": step.kind, "param": None, "code": step.kind}
            if not stream:
                h.send_json(500, {"error": err})
                return
            sse, cid = _Sse(h), _id()
            sse.send(_chunk(cid, model, {"role": "assistant", "content": ""}))
            sse.send({"error": err})
            sse.end()
        else:
            h.hang(step.seconds)

    def _stream(self, sse: _Sse, r: Reply, model: str, own_usage_chunk: bool) -> None:
        cid = _id()
        sse.send(_chunk(cid, model, {"role": "assistant", "content": ""}))
        for piece in chunk(r.reasoning, 2):
            sse.send(_chunk(cid, model, {"reasoning_content": piece}))
        for piece in chunk(r.text, r.chunks):
            self.mark_first_delta()
            sse.send(_chunk(cid, model, {"content": piece}))
            if r.chunk_delay_s:
                time.sleep(r.chunk_delay_s)
        for index, call in enumerate(r.tool_calls):
            head = _tool_call(call)
            if call.freeform is None:  # the arguments follow in pieces, as OpenAI streams them
                head["function"]["arguments"] = ""
                sse.send(_chunk(cid, model, {"tool_calls": [{"index": index, **head}]}))
                for piece in chunk(json.dumps(call.arguments), 2):
                    delta = {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
                    sse.send(_chunk(cid, model, delta))
            else:
                sse.send(_chunk(cid, model, {"tool_calls": [{"index": index, **head}]}))
        last = _chunk(cid, model, {}, _finish(r))
        if own_usage_chunk:
            sse.send(last)
            sse.send({**_chunk(cid, model, {}), "choices": [], "usage": _usage(r)})
        else:
            sse.send({**last, "usage": _usage(r)})
        sse.done()


class _Sse:
    """Server-sent events in a chunked body. A cut then lacks the closing chunk, which every HTTP
    client reports as an error; a body that ends by closing the connection looks complete."""

    def __init__(self, h: Handler) -> None:
        self._h = h
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True

    def send(self, data: Any) -> None:
        self._write(f"data: {json.dumps(data)}\n\n".encode())

    def done(self) -> None:
        self._write(b"data: [DONE]\n\n")
        self.end()

    def end(self) -> None:
        self._h.wfile.write(b"0\r\n\r\n")
        self._h.wfile.flush()

    def _write(self, data: bytes) -> None:
        self._h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self._h.wfile.flush()


def without_tools(req: RecordedRequest) -> bool:
    """An ``aside`` for agents whose side requests (titles, summaries) declare no tools."""
    return not tool_schemas(req.body)


def _route(req: RecordedRequest) -> str:
    """The path without query and ``/v1`` prefix: ``/v1/chat/completions`` -> ``/chat/completions``."""
    path = req.path.split("?")[0].rstrip("/")
    return path[3:] if path.startswith("/v1/") else path


def _id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def _model(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "oauthpy"}


def _error(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    kind, default_code = _ERRORS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    return {"error": {"message": message, "type": kind, "param": None, "code": code or default_code}}


def _finish(r: Reply) -> str:
    return "tool_calls" if r.tool_calls else "stop"


def _usage(r: Reply) -> dict[str, Any]:
    u = r.usage  # OpenAI counts cached tokens within the prompt, reasoning within the completion
    return {
        "prompt_tokens": u.input,
        "completion_tokens": u.output,
        "total_tokens": u.input + u.output,
        "prompt_tokens_details": {"cached_tokens": u.cached},
        "completion_tokens_details": {"reasoning_tokens": u.reasoning},
    }


def _tool_call(call: ToolCall) -> dict[str, Any]:
    if call.freeform is not None:  # a custom (freeform) tool
        return {"id": call.call_id, "type": "custom", "custom": {"name": call.name, "input": call.freeform}}
    fn = {"name": call.name, "arguments": json.dumps(call.arguments)}
    return {"id": call.call_id, "type": "function", "function": fn}


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
    }


def _completion(r: Reply, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": r.text or None, "refusal": None}
    if r.reasoning:
        message["reasoning_content"] = r.reasoning
    if r.tool_calls:
        message["tool_calls"] = [_tool_call(c) for c in r.tool_calls]
    return {
        "id": _id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": _finish(r)}],
        "usage": _usage(r),
    }
