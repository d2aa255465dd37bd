"""A fake Anthropic Messages API (``POST /v1/messages``, SSE and JSON); each agent's wiring for it
is in its own package (``_agents/<name>/testing.py``)."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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

FAKE_ANTHROPIC_KEY = "sk-ant-oauthpy-fake-key-0000"
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


#: Claude Code's window names -> the abbreviations of their ``anthropic-ratelimit-unified-*`` headers
_LIMIT_HEADERS = {
    "five_hour": "5h",
    "seven_day": "7d",
    "seven_day_overage_included": "7d_oi",
    "overage": "overage",
}


@dataclass(frozen=True)
class LimitWindow:
    """One window of a Claude subscription's limits, as the API's headers say it."""

    #: the fraction used (0.82 = 82 %)
    utilization: float
    #: when it starts again, Unix seconds (the CLI drops windows whose reset has passed)
    resets_at: float
    #: ``allowed``, ``allowed_warning`` or ``rejected`` (None: not sent)
    status: str | None = None
    surpassed_threshold: float | None = None


def rate_limit_headers(
    windows: Mapping[str, LimitWindow], *, status: str = "allowed", claim: str | None = None
) -> dict[str, str]:
    """The ``anthropic-ratelimit-unified-*`` headers that make Claude Code (subscription logins
    only) emit a ``rate_limit_event``: the overall ``status``, the window it is about (``claim``,
    default the first) with its reset, and each window's utilization, reset and status."""
    pre = "anthropic-ratelimit-unified-"
    headers = {pre + "status": status}
    claim = claim or next(iter(windows), None)
    if claim is not None:
        headers[pre + "representative-claim"] = claim
        if claim in windows:
            headers[pre + "reset"] = f"{windows[claim].resets_at:.0f}"
    for name, w in windows.items():
        abbr = f"{pre}{_LIMIT_HEADERS.get(name, name)}-"
        headers[abbr + "utilization"] = f"{w.utilization:g}"
        headers[abbr + "reset"] = f"{w.resets_at:.0f}"
        if w.status is not None:
            headers[abbr + "status"] = w.status
        if w.surpassed_threshold is not None:
            headers[abbr + "surpassed-threshold"] = f"{w.surpassed_threshold:g}"
    return headers


#: the API's words to an API key whose organization has no credits left (Claude Code's "Credit
#: balance is too low", its ``billing_error``)
NO_CREDITS = (
    "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to "
    "upgrade or purchase credits."
)
#: the API's words when a subscription's window is spent (Claude Code words it itself)
WINDOW_SPENT = "This request would exceed your account's rate limit. Please try again later."


def quota_answer(step: QuotaExceeded, req: RecordedRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The status, body and headers of a spent quota, as the API answers the login the request
    carries. A subscription (a bearer token): a 429 whose ``anthropic-ratelimit-unified-*``
    headers say the five-hour window is rejected until ``resets_in`` from now, which Claude Code
    turns into its ``rate_limit_event`` and "You've hit your 5-hour limit". An API key (Claude
    Code never reads plan headers for one): the 400 of an organization out of credits."""
    if "x-api-key" in req.headers:
        error = {"type": "invalid_request_error", "message": step.message or NO_CREDITS}
        return 400, {"type": "error", "error": error}, {"x-should-retry": "false"}
    resets_at = step.resets_at()
    pre = "anthropic-ratelimit-unified-"
    headers = {
        pre + "status": "rejected",
        pre + "representative-claim": "five_hour",
        pre + "5h-utilization": "1",
        pre + "5h-status": "rejected",
        "x-should-retry": "false",
    }
    if resets_at is not None:
        window = {"five_hour": LimitWindow(1.0, resets_at, status="rejected")}
        headers |= rate_limit_headers(window, status="rejected") | {"retry-after": f"{step.resets_in:.0f}"}
    error = {"type": "rate_limit_error", "message": step.message or WINDOW_SPENT}
    return 429, {"type": "error", "error": error}, headers


class FakeAnthropicServer(FakeServer):
    """Speaks enough of the Messages API for the real Claude Code CLI to run turns against it.

    Tolerates ``role: "system"`` entries in ``messages`` (the CLI sends them) and answers both
    streaming and non-streaming requests (the CLI falls back to the latter after a stream fails).
    `rate_limits` scripts a subscription's limits into every answer's headers.
    """

    #: headers every Messages answer carries (`rate_limits`); reassigned, never mutated
    limit_headers: Mapping[str, str] = {}

    def rate_limits(
        self, windows: Mapping[str, LimitWindow], *, status: str = "allowed", claim: str | None = None
    ) -> FakeAnthropicServer:
        """Send these limits (`rate_limit_headers`) with every model answer from now on, errors
        included. Claude Code passes them on as a ``rate_limit_event`` only when it runs with a
        subscription login (`subscription_env`), never with an API key."""
        self.limit_headers = rate_limit_headers(windows, status=status, claim=claim)
        return self

    def _start_sse(self, h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Connection", "close")
        for k, v in self.limit_headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.close_connection = True

    def is_model_request(self, req: RecordedRequest) -> bool:
        return req.method == "POST" and req.path.split("?")[0].rstrip("/").endswith("/v1/messages")

    def declared_tools(self, req: RecordedRequest) -> list[str]:
        tools = req.body.get("tools") if isinstance(req.body, dict) else None
        return [str(t["name"]) for t in tools or () if isinstance(t, dict) and t.get("name")]

    def handle(self, h: Handler, req: RecordedRequest) -> None:
        if not self.is_model_request(req):
            if req.method == "HEAD":
                h.send_response(200)
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            h.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": req.path}})
            return
        body = req.body if isinstance(req.body, dict) else {}
        model = str(body.get("model") or "fake-model")
        stream = bool(body.get("stream"))
        step = self.next_step(req)
        if isinstance(step, HttpError):
            headers = {"x-should-retry": "false", **self.limit_headers}
            if step.retry_after is not None:
                headers["retry-after"] = f"{step.retry_after:g}"
            err = {"type": _ERROR_TYPES.get(step.status, "api_error"), "message": step.message}
            h.send_json(step.status, {"type": "error", "error": err}, {**headers, **self.error_headers})
        elif isinstance(step, QuotaExceeded):
            status, body, headers = quota_answer(step, req)
            h.send_json(status, body, {**self.limit_headers, **headers, **self.error_headers})
        elif isinstance(step, Reply):
            if stream:
                self._stream(h, step, model)
            else:
                h.send_json(200, self._message(step, model), dict(self.limit_headers))
        elif isinstance(step, Cut):
            if not stream:
                h.close_connection = True
                return  # nothing at all: the connection drops
            h.start_sse()
            h.sse(self._start(model, Reply()), "message_start")
            h.sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
            h.sse(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": step.text},
                }
            )
        elif isinstance(step, SseError):
            if not stream:
                err = {"type": step.kind, "message": step.message}
                h.send_json(529, {"type": "error", "error": err}, {"x-should-retry": "false"})
                return
            h.start_sse()
            h.sse(self._start(model, Reply()), "message_start")
            h.sse({"type": "error", "error": {"type": step.kind, "message": step.message}}, "error")
        else:
            h.hang(step.seconds)

    # -- rendering ------------------------------------------------------------------------------

    @staticmethod
    def _usage(r: Reply) -> dict[str, int]:
        u = r.usage
        return {
            "input_tokens": u.input - u.cached,
            "cache_read_input_tokens": u.cached,
            "cache_creation_input_tokens": 0,
            "output_tokens": u.output,
        }

    def _start(self, model: str, r: Reply) -> dict[str, Any]:
        usage = {**self._usage(r), "output_tokens": 1}
        message: dict[str, Any] = {
            "id": f"msg_{uuid.uuid4().hex[:16]}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage,
        }
        return {"type": "message_start", "message": message}

    @staticmethod
    def _tool_block(call: ToolCall) -> dict[str, Any]:
        return {"type": "tool_use", "id": f"toolu_{call.call_id}", "name": call.name, "input": call.arguments}

    def _message(self, r: Reply, model: str) -> dict[str, Any]:
        content: list[dict[str, Any]] = []
        if r.reasoning:
            content.append({"type": "thinking", "thinking": r.reasoning, "signature": "fake-signature"})
        if r.text:
            content.append({"type": "text", "text": r.text})
        content += [self._tool_block(c) for c in r.tool_calls]
        return {
            **self._start(model, r)["message"],
            "content": content,
            "stop_reason": "tool_use" if r.tool_calls else "end_turn",
            "usage": self._usage(r),
        }

    def _stream(self, h: Handler, r: Reply, model: str) -> None:
        self._start_sse(h)
        h.sse(self._start(model, r), "message_start")
        index = 0

        def block(start: dict[str, Any], deltas: list[dict[str, Any]]) -> None:
            nonlocal index
            h.sse(
                {"type": "content_block_start", "index": index, "content_block": start}, "content_block_start"
            )
            for delta in deltas:
                if delta.get("type") == "text_delta":
                    self.mark_first_delta()
                h.sse({"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta")
                if r.chunk_delay_s:
                    time.sleep(r.chunk_delay_s)
            h.sse({"type": "content_block_stop", "index": index}, "content_block_stop")
            index += 1

        if r.reasoning:
            thinking = [{"type": "thinking_delta", "thinking": p} for p in chunk(r.reasoning, 2)]
            thinking.append({"type": "signature_delta", "signature": "fake-signature"})
            block({"type": "thinking", "thinking": "", "signature": ""}, thinking)
        if r.text:
            block(
                {"type": "text", "text": ""},
                [{"type": "text_delta", "text": p} for p in chunk(r.text, r.chunks)],
            )
        for call in r.tool_calls:
            start = {**self._tool_block(call), "input": {}}
            block(start, [{"type": "input_json_delta", "partial_json": json.dumps(call.arguments)}])
        stop = "tool_use" if r.tool_calls else "end_turn"
        h.sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": r.usage.output},
            },
            "message_delta",
        )
        h.sse({"type": "message_stop"}, "message_stop")

    def vendor_reply(self, step: VendorStep) -> Reply:
        other = self.other_agent_call(step, ("Bash", "Write"))
        if other is not None:
            return other
        if isinstance(step, Shell):
            return bash(step.command, call_id=step.call_id or "1", say=step.say)
        return write_file(step.path, step.content, call_id=step.call_id or "w1")

    # -- pointing a real agent at this server ---------------------------------------------------

    def env(self, root: str | os.PathLike[str], *, api_key: str = FAKE_ANTHROPIC_KEY) -> dict[str, str]:
        """The environment that sends the real CLI of the first agent of the registry that speaks
        this API (Claude Code) here, its state under ``root``; ``api_key`` the key it sends."""
        return self.agent_env(root, api_key=api_key)


def bash(command: str, *, call_id: str = "1", say: str = "") -> Reply:
    """A Claude ``Bash`` tool call (`oauthpy.testing.shell` is the same for every fake)."""
    return Reply(
        text=say, tool_calls=(ToolCall("Bash", {"command": command, "description": "run"}, call_id),)
    )


def write_file(path: str, content: str, *, call_id: str = "w1") -> Reply:
    """A Claude ``Write`` tool call (`oauthpy.testing.write_file` is the same for every fake)."""
    return Reply(tool_calls=(ToolCall("Write", {"file_path": path, "content": content}, call_id),))


def structured(value: dict[str, Any], *, call_id: str = "so1") -> Reply:
    """A ``StructuredOutput`` tool call carrying ``value`` (what the CLI asks for with a schema)."""
    return Reply(tool_calls=(ToolCall("StructuredOutput", value, call_id),))


def ask_user_question(
    question: str,
    options: Iterable[str],
    *,
    header: str = "Question",
    multi_select: bool = False,
    call_id: str = "ask1",
) -> Reply:
    """A Claude ``AskUserQuestion`` call: the model asks the user ``question``, offering
    ``options`` (labels, 2 to 4), which reaches ``on_question``. Claude Code offers the tool
    only to a run with ``on_question`` or ``on_permission``."""
    asked = {
        "question": question,
        "header": header,
        "options": [{"label": label, "description": f"{label}."} for label in options],
        "multiSelect": multi_select,
    }
    return Reply(tool_calls=(ToolCall("AskUserQuestion", {"questions": [asked]}, call_id),))
