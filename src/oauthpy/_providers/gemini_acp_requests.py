"""Pure translator of what ``gemini --acp`` asks its client: ``session/request_permission``.

Gemini 0.61 asks before a shell command (``kind: execute``, the command only as the tool call's
``title``), a file edit (``edit``/``delete``/``move``, the files in ``locations``) and every MCP
tool call (``title`` ``"<tool> (<server> MCP Server)"``, the arguments as JSON text in
``content``). Read-only commands such as ``echo`` run without asking. The answer picks one of
the offered options by its ``kind``. Recorded messages: tests/recordings/gemini-acp/.
"""

from __future__ import annotations

import json
from typing import Any

from .._mcp_tools import SERVER_NAME
from .._permissions import Decision, PermissionRequest, Verdict
from .._tools import ToolResult

REQUEST_PERMISSION = "session/request_permission"
_MCP_SUFFIX = " MCP Server)"
_FILE_KINDS = ("edit", "delete", "move")
#: option kinds, in the order tried, for each decision
_OPTION_KINDS = {
    Decision.ALLOW: ("allow_once", "allow_always"),
    Decision.ALLOW_ALWAYS: ("allow_always", "allow_once"),
    Decision.DENY: ("reject_once", "reject_always"),
}


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def mcp_title(title: str) -> tuple[str, str] | None:
    """(tool, server) of an MCP tool call's title ``"<tool> (<server> MCP Server)"``."""
    if not title.endswith(_MCP_SUFFIX) or " (" not in title:
        return None
    tool, _, rest = title.rpartition(" (")
    return tool, rest[: -len(_MCP_SUFFIX)]


def is_own_tool_call(update: Any) -> bool:
    """Whether a tool call (a ``tool_call`` update or a permission's ``toolCall``) is one of the
    run's own tools: oauthpy reports those itself, under the user's name. Known by its title,
    or (an update that carries none) by its id, ``mcp_<server>_<tool>__<call id>``."""
    found = mcp_title(_s(_d(update).get("title")))
    if found is not None:
        return found[1] == SERVER_NAME
    return _s(_d(update).get("toolCallId")).startswith(f"mcp_{SERVER_NAME}_")


def _arguments(content: Any) -> Any:
    for block in _l(content):
        text = _s(_d(_d(block).get("content")).get("text"))
        if text:
            try:
                return json.loads(text)
            except ValueError:
                return text
    return None


class GeminiAsks:
    """What a gemini ACP turn is asked, for `live.serve`."""

    def __init__(self, cwd: str) -> None:
        self._cwd = cwd

    def permission(self, method: str, params: Any) -> PermissionRequest | None:
        if method != REQUEST_PERMISSION:
            return None
        call = _d(_d(params).get("toolCall"))
        kind, title = _s(call.get("kind")), _s(call.get("title"))
        if kind == "execute":
            return PermissionRequest("gemini", "command", command=title or None, cwd=self._cwd, raw=params)
        if kind in _FILE_KINDS:
            paths = tuple(p for p in (_s(_d(x).get("path")) for x in _l(call.get("locations"))) if p)
            return PermissionRequest("gemini", "file_change", cwd=self._cwd, paths=paths, raw=params)
        mcp = mcp_title(title)
        if mcp is not None:
            return PermissionRequest(
                "gemini", "tool", tool_name=mcp[0], tool_input=_arguments(call.get("content")), raw=params
            )
        return PermissionRequest("gemini", "other", tool_name=title or None, raw=params)

    def answer(self, method: str, params: Any, verdict: Verdict) -> Any:
        return choose(params, verdict.decision)

    def own_tool(self, ask: PermissionRequest) -> bool:
        return is_own_tool_call(_d(ask.raw).get("toolCall"))

    def tool_call(self, method: str, params: Any) -> tuple[str, Any] | None:
        return None  # gemini calls the run's tools over MCP (oauthpy._mcp_tools)

    def tool_answer(self, result: ToolResult) -> Any:
        raise NotImplementedError


def choose(params: Any, decision: Decision) -> dict[str, Any]:
    """The answer selecting the offered option for ``decision``; a refusal when none fits (the
    ``cancelled`` outcome, which also leaves the tool unrun). ACP carries no reason."""
    # the narrowest "always" first: for an MCP tool, the tool before its whole server
    options = sorted(
        (_d(o) for o in _l(_d(params).get("options"))), key=lambda o: "server" in _s(o.get("optionId"))
    )
    for kind in _OPTION_KINDS[decision]:
        for option in options:
            if option.get("kind") == kind and isinstance(option.get("optionId"), str):
                return {"outcome": {"outcome": "selected", "optionId": option["optionId"]}}
    if decision is Decision.DENY:
        return {"outcome": {"outcome": "cancelled"}}
    return choose(params, Decision.DENY)
