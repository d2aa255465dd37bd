"""Qwen Code 0.24 over ``qwen --acp``: what it does beyond the protocol's letter (facts from
runs against the Responses fake: tools/qwen/PROBE.md, tests/recordings/qwen-acp/).

* It authenticates with an API key only (its OAuth login ended in 2026-04): ``OPENAI_API_KEY``
  with ``OPENAI_BASE_URL``/``OPENAI_MODEL``, or ``security.auth`` in its settings. With none,
  ``session/new`` answers ``-32000`` at once.
* Its default mode is ``auto`` (an LLM classifier decides); with an ``on_permission``
  callback oauthpy opens every session in ``default``, where it asks before a command that is
  not read-only and before an edit (the question comes with no ``tool_call`` before it).
* A refused call ends its turn (``end_turn``, no further model call).
* Usage comes on a last empty ``agent_message_chunk`` of each model request (``_meta.usage``),
  never in the prompt's answer.
* The launcher starts the CLI, which relaunches itself: ``QWEN_CODE_NO_RELAUNCH`` keeps it to two
  processes. A stop signals the CLI first, so that the launcher reaps it (else the CLI is left
  to PID 1: a zombie a run in a container without an init).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from oauthpy._agents.qwen.sessions import session_folders
from oauthpy._agents.qwen.workspace import refuse_preapprovals
from oauthpy._errors import OauthPyError
from oauthpy._events import Usage
from oauthpy._fields import as_dict, as_str
from oauthpy._mcp_tools import SERVER_NAME
from oauthpy._options import RunRequest
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.acp.provider import AcpProvider
from oauthpy._transports.base import Opt, as_int

#: how it passes on a failed model request's status
_API_ERROR = re.compile(r"API error (\d{3}):?")
#: what its shell tool reports of a command
_SHELL_RESULT = re.compile(
    r"Command: .*?\nDirectory: .*?\nOutput: (?P<out>.*?)\nError: (?P<err>.*?)\nExit Code: (?P<code>\S+)",
    re.DOTALL,
)
#: the name inside one of its model ids
_MODEL_ID = re.compile(r"^(?:.*\|)?([^|()]+)\([^()]*\)$")
KEY_HINT = (
    "Qwen Code takes an API key (its OAuth login ended in 2026-04): set OPENAI_API_KEY, with "
    "OPENAI_BASE_URL and OPENAI_MODEL for the endpoint and model (a Coding Plan key too), or "
    "security.auth in ~/.qwen/settings.json (read with auth_source='external'); to try oauthpy "
    "with no account, OAUTHPY_OFFLINE=1"
)


class QwenAcp(AcpProfile):
    name = "qwen"
    title = "qwen --acp"
    #: one process serves a batch's workers, a session each (`AgentPool.share`)
    sessions_side_by_side = True
    #: ``qwen`` is a launcher that runs the CLI as its child and waits for it
    launcher = True
    install_hint = "npm install -g @qwen-code/qwen-code (or set OAUTHPY_QWEN_BINARY)"
    login_hint = KEY_HINT
    #: oauthpy's approval modes -> Qwen Code's ACP modes
    modes: Mapping[str, str] = {
        "default": "default",
        "plan": "plan",
        "auto_edit": "auto-edit",
        "yolo": "yolo",
    }
    #: its words for a failure its own retries did not cure (a stream cut or broken, the
    #: API's server error), beside the common ones ("fetch failed")
    transient_words = ("stream ended without a finish reason", "server_error", "overloaded")
    #: its own words for a spent quota: it stops retrying at once on a 429 whose message says
    #: when the quota resets, and passes it on as "Quota exhausted: <message>"; any other 429
    #: it reports as "Rate limit exceeded. Try again later.", whatever the API said
    quota_words = (*AcpProfile.quota_words, "quota exhausted:")
    has_lean = True
    options: Mapping[str, Opt] = {
        "approval_mode": Opt((str,), ("default", "plan", "auto_edit", "yolo"), help="Qwen Code's mode"),
        "extra_args": Opt((list, tuple), items=str, help="more argv"),
    }

    def check(self, request: RunRequest) -> None:
        super().check(request)
        from oauthpy._lean import refuse

        refuse("qwen", request, permission=True, tools=True)
        if request.on_permission is not None:
            refuse_preapprovals(request.cwd)

    def argv(self, request: RunRequest, env: Mapping[str, str]) -> list[str]:
        if request.lean:
            from oauthpy._agents.qwen.lean import args

            return [self.program("qwen", env), "--acp", *args()]
        return [self.program("qwen", env), "--acp"]

    def environment(self, env: Mapping[str, str], request: RunRequest) -> dict[str, str]:
        # one relaunch less (a process and ~0.7 s a start); no title requests of its own; the
        # MCP servers (the run's Python tools) connected before the first prompt, not after it
        return {
            "QWEN_CODE_NO_RELAUNCH": "true",
            "QWEN_DISABLE_AUTO_TITLE": "1",
            "QWEN_CODE_LEGACY_MCP_BLOCKING": "1",
            **env,
            **(_lean_env(env) if request.lean else {}),
        }

    def session_folders(self, env: Mapping[str, str]) -> list[str] | None:
        # its session/list without cwd lists the folder it runs in only
        return session_folders(env)

    def mode_of(self, request: RunRequest) -> str | None:
        chosen = super().mode_of(request)
        if chosen is None and request.on_permission is not None:
            return "default"  # not its "auto", where a classifier answers instead of the callback
        return chosen

    def classify(self, code: int | None, message: str, data: Any, auth_methods: str = "") -> OauthPyError:
        # a failed model request is -32603 "Internal error" with the API's answer in
        # data.details: "Responses API error 401: {"error": {"message": ...}}"
        said = as_str(as_dict(data).get("details"))
        found = _API_ERROR.search(said)
        if found is None:  # a broken stream or connection: its words are in data.details
            return super().classify(code, said or message, data, auth_methods)
        body = said[found.end() :].strip()
        try:
            inner = as_str(as_dict(as_dict(json.loads(body)).get("error")).get("message")) or body
        except ValueError:
            inner = body
        status = int(found.group(1))
        return super().classify(code, inner, {**as_dict(data), "status": status}, auth_methods)

    # -- tool calls: their tool is in ``_meta.toolName`` (its registered name); the title of an
    # MCP tool's call is the arguments the model wrote

    def own_tool_name(self, call: Any, own: frozenset[str]) -> str | None:
        return _own_tool(call, own)

    def own_permission(self, params: Any, own: frozenset[str]) -> bool:
        # the registered name Qwen Code fills in, under the MCP server oauthpy gave the session
        return _own_tool(as_dict(params).get("toolCall"), own) is not None

    def command_result(self, text: str) -> tuple[str | None, int | None]:
        # its shell tool reports "Command: ...\nDirectory: ...\nOutput: ...\nError: ...\nExit Code: N..."
        found = _SHELL_RESULT.match(text)
        if found is None:
            return super().command_result(text)
        output = "" if found["out"] == "(empty)" else found["out"]
        if found["err"] not in ("(none)", ""):
            output = f"{output}\n{found['err']}" if output else found["err"]
        code = found["code"]
        return output, int(code) if code.lstrip("-").isdigit() else None

    def tool_of_permission(self, call: Mapping[str, Any]) -> tuple[str, Any] | None:
        name = _tool_name(call)
        return (name, call.get("rawInput")) if name else super().tool_of_permission(call)

    def tool_name(self, call_id: str, update: Mapping[str, Any]) -> str | None:
        return _tool_name(update) or None

    def model_id(self, model: str, offered: tuple[str, ...]) -> str:
        # its ids wrap the name: "$runtime|openai-responses|qwen3-coder-plus(openai-responses)"
        if model in offered:
            return model
        return next((o for o in offered if self.model_name(o) == model), model)

    def model_name(self, model_id: str) -> str:
        return _MODEL_ID.sub(r"\1", model_id)

    def chunk_usage(self, update: Mapping[str, Any]) -> Usage | None:
        usage = as_dict(as_dict(update.get("_meta")).get("usage"))
        if not usage:
            return None
        inp, out = as_int(usage.get("inputTokens")), as_int(usage.get("outputTokens"))
        cached = as_int(usage.get("cachedReadTokens"))
        return Usage(input_tokens=inp, cached_input_tokens=cached, output_tokens=out, total_tokens=inp + out)


def provider() -> AcpProvider:
    return AcpProvider(QwenAcp())


def _tool_name(call: Any) -> str:
    return as_str(as_dict(as_dict(call).get("_meta")).get("toolName"))


def _own_tool(call: Any, own: frozenset[str]) -> str | None:
    """The run's own tool a call is of: ``mcp__oauthpy__<name>`` in its ``_meta.toolName``."""
    name = _tool_name(call)
    prefix = f"mcp__{SERVER_NAME}__"
    return name[len(prefix) :] if name.startswith(prefix) and name[len(prefix) :] in own else None


def _lean_env(env: Mapping[str, str]) -> dict[str, str]:
    from oauthpy._agents.qwen.lean import environment

    return environment(env)
