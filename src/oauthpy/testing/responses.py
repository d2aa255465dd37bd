"""A fake OpenAI Responses API (``POST /v1/responses``, SSE); each agent's wiring for it is in
its own package (``_agents/<name>/testing.py``)."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from typing import Any

from oauthpy._agents.codex import fake_chatgpt as chatgpt_backend
from oauthpy.testing.script import (
    Cut,
    HttpError,
    QuotaExceeded,
    Reply,
    Shell,
    SseError,
    VendorStep,
    chunk,
    insufficient_quota,
    retry_headers,
)
from oauthpy.testing.server import FakeServer, Handler, RecordedRequest

FAKE_OPENAI_KEY = "sk-oauthpy-fake-openai-key-0000"
KEY_VAR = "OAUTHPY_FAKE_OPENAI_KEY"
#: a slug from codex's bundled catalog, so codex adds no "metadata not found" item
DEFAULT_MODEL = "gpt-5.5"


class FakeResponsesServer(FakeServer):
    """Speaks enough of the Responses API for a real ``codex`` to run turns against it."""

    #: the ChatGPT account its backend routes report (`account`); None: they answer 401
    chatgpt: chatgpt_backend.ChatGptAccount | None = None

    def account(
        self, plan: str = "plus", windows: Iterable[chatgpt_backend.UsageWindow] = (), **more: Any
    ) -> chatgpt_backend.ChatGptAccount:
        """Script the ChatGPT account codex reads (``account/read``, ``account/rateLimits/read``):
        its plan and usage windows (primary, then secondary), and ``credits``/``status`` of
        `chatgpt_backend.ChatGptAccount`. `chatgpt_backend.log_in` logs a codex home in to it."""
        self.chatgpt = chatgpt_backend.ChatGptAccount(plan, tuple(windows), **more)
        return self.chatgpt

    def is_model_request(self, req: RecordedRequest) -> bool:
        return req.method == "POST" and req.path.rstrip("/").endswith("/responses")

    def declared_tools(self, req: RecordedRequest) -> list[str]:
        names: list[str] = []
        for entry in _tools_of(req):
            names += [str(t.get("name")) for t in entry.get("tools") or () if isinstance(t, dict)]
            if entry.get("name"):
                names.append(str(entry["name"]))
        return names

    def handle(self, h: Handler, req: RecordedRequest) -> None:
        if req.method == "GET" and req.path.endswith("/responses"):
            h.send_json(426, {"error": {"message": "use HTTP"}})  # refuse WebSocket upgrades
            return
        if chatgpt_backend.serve(self, h, req):  # codex's account requests (a ChatGPT login)
            return
        if not self.is_model_request(req):
            h.send_json(404, {"error": {"message": f"no route {req.path}"}})
            return
        step = self.next_step(req)
        if isinstance(step, HttpError) and step.code == chatgpt_backend.USAGE_LIMIT:
            answer = chatgpt_backend.usage_limit_answer(step.message, step.retry_after, self.chatgpt)
            h.send_json(step.status, *answer)
            return
        if isinstance(step, QuotaExceeded):
            if chatgpt_backend.asks_as_codex(req):
                answer = chatgpt_backend.usage_limit_answer(step.message, step.resets_in, self.chatgpt)
                h.send_json(429, *answer)
            else:  # as the platform API answers any other client
                headers = {**retry_headers(HttpError(429)), **self.error_headers}
                h.send_json(429, insufficient_quota(step), headers)
            return
        if isinstance(step, HttpError):
            err = {"message": step.message, "type": "fake_error", "code": step.code}
            h.send_json(step.status, {"error": err}, {**retry_headers(step), **self.error_headers})
            return
        if isinstance(step, Reply):
            self._reply(h, step)
        elif isinstance(step, Cut):
            h.start_sse()
            rid = "resp_cut"
            h.sse({"type": "response.created", "response": {"id": rid}}, "response.created")
            self._message_items(h, step.text, 2, "msg_cut", complete=False)
        elif isinstance(step, SseError):
            h.start_sse()
            h.sse({"type": "response.created", "response": {"id": "resp_err"}}, "response.created")
            failed = {"id": "resp_err", "error": {"code": "server_error", "message": step.message}}
            h.sse({"type": "response.failed", "response": failed}, "response.failed")
        else:
            h.hang(step.seconds)

    def _message_items(
        self, h: Handler, text: str, parts: int, mid: str, *, complete: bool, delay: float = 0
    ) -> dict[str, Any] | None:
        h.sse(
            {
                "type": "response.output_item.added",
                "item": {"type": "message", "role": "assistant", "id": mid, "content": []},
            },
            "response.output_item.added",
        )
        for piece in chunk(text, parts):
            self.mark_first_delta()
            h.sse(
                {"type": "response.output_text.delta", "item_id": mid, "delta": piece},
                "response.output_text.delta",
            )
            if delay:
                time.sleep(delay)
        if complete:
            item = {
                "type": "message",
                "role": "assistant",
                "id": mid,
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
            h.sse({"type": "response.output_item.done", "item": item}, "response.output_item.done")
            return item
        return None

    def _reply(self, h: Handler, r: Reply) -> None:
        h.start_sse()
        rid = f"resp_{uuid.uuid4().hex[:12]}"
        h.sse({"type": "response.created", "response": {"id": rid}}, "response.created")
        #: every finished item again in the completed response, as the API does (copilot reads
        #: them there; codex reads the items as they finish)
        output: list[dict[str, Any]] = []
        if r.reasoning:
            item = {
                "type": "reasoning",
                "id": f"rs_{rid}",
                "summary": [{"type": "summary_text", "text": r.reasoning}],
            }
            h.sse({"type": "response.output_item.done", "item": item}, "response.output_item.done")
            output.append(item)
        if r.text:
            message = self._message_items(
                h, r.text, r.chunks, f"msg_{rid}", complete=True, delay=r.chunk_delay_s
            )
            output += [message] if message else []
        for call in r.tool_calls:
            if call.freeform is not None:
                item = {
                    "type": "custom_tool_call",
                    "id": f"ctc_{call.call_id}",
                    "call_id": call.call_id,
                    "name": call.name,
                    "input": call.freeform,
                    "status": "completed",
                }
            else:
                item = {
                    "type": "function_call",
                    "id": f"fc_{call.call_id}",
                    "call_id": call.call_id,
                    "name": call.name,
                    "arguments": json.dumps(call.arguments),
                    "status": "completed",
                }
            h.sse({"type": "response.output_item.done", "item": item}, "response.output_item.done")
            output.append(item)
        u = r.usage
        usage = {
            "input_tokens": u.input,
            "input_tokens_details": {"cached_tokens": u.cached},
            "output_tokens": u.output,
            "output_tokens_details": {"reasoning_tokens": u.reasoning},
            "total_tokens": u.input + u.output,
        }
        done = {"id": rid, "status": "completed", "output": output, "usage": usage}
        h.sse({"type": "response.completed", "response": done}, "response.completed")

    def vendor_reply(self, step: VendorStep) -> Reply:
        other = self.other_agent_call(step, ("exec_command", "shell", "apply_patch"))
        if other is not None:
            return other
        if isinstance(step, Shell):
            return exec_command(step.command, call_id=step.call_id or "call_1", say=step.say)
        body = "".join(f"+{line}\n" for line in step.content.splitlines())
        patch = f"*** Begin Patch\n*** Add File: {step.path}\n{body}*** End Patch\n"
        return apply_patch(patch, call_id=step.call_id or "call_patch")

    # -- pointing a real agent at this server ------------------------------------------------

    def env(self, root: str | os.PathLike[str], *, api_key: str = FAKE_OPENAI_KEY) -> dict[str, str]:
        """The environment that sends the real CLI of the first agent of the registry that speaks
        this API (codex) here, its state under ``root``; ``api_key`` the key it sends."""
        return self.agent_env(root, api_key=api_key)


def _tools_of(req: RecordedRequest) -> list[dict[str, Any]]:
    tools = req.body.get("tools") if isinstance(req.body, dict) else None
    return [t for t in tools or () if isinstance(t, dict)]


def exec_command(cmd: str, *, call_id: str = "call_1", say: str = "") -> Reply:
    """A codex ``exec_command`` call that runs ``cmd`` (without a login shell, for clean output).
    `oauthpy.testing.shell` is the same for every fake."""
    from oauthpy.testing.script import ToolCall

    return Reply(text=say, tool_calls=(ToolCall("exec_command", {"cmd": cmd, "login": False}, call_id),))


def apply_patch(patch: str, *, call_id: str = "call_patch") -> Reply:
    """A codex freeform ``apply_patch`` call with ``patch`` as its input."""
    from oauthpy.testing.script import ToolCall

    return Reply(tool_calls=(ToolCall("apply_patch", {}, call_id, freeform=patch),))


def request_user_input(
    question: str,
    options: Iterable[str] = (),
    *,
    header: str = "Question",
    question_id: str = "q1",
    call_id: str = "call_rui",
) -> Reply:
    """A codex ``request_user_input`` call: the model asks the user ``question``, offering
    ``options`` (labels), which reaches ``on_question``."""
    from oauthpy.testing.script import ToolCall

    asked = {
        "id": question_id,
        "header": header,
        "question": question,
        "options": [{"label": label, "description": f"{label}."} for label in options],
    }
    return Reply(tool_calls=(ToolCall("request_user_input", {"questions": [asked]}, call_id),))
