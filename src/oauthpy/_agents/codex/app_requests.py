"""Pure translator of what ``codex app-server`` asks its client (protocol v2 of codex 0.163).

Approval requests become `PermissionRequest` and a
`Verdict` becomes codex's decision; ``item/tool/call`` (a dynamic
tool, the user's Python function) names the tool and its arguments, and a
`ToolResult` becomes its answer; the model's ``request_user_input``
(``item/tool/requestUserInput``) becomes a `Question` per question, answered by
label or free text. Recorded messages: tests/recordings/codex-app/.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oauthpy._agents.codex.exec_parser import unwrap_shell
from oauthpy._fields import as_dict, as_list, as_str, opt_str
from oauthpy._permissions import Decision, PermissionRequest, Verdict
from oauthpy._questions import DECLINED, Question, options_of
from oauthpy._tools import Tool, ToolResult

COMMAND = "item/commandExecution/requestApproval"
FILE_CHANGE = "item/fileChange/requestApproval"
PERMISSIONS = "item/permissions/requestApproval"
ELICITATION = "mcpServer/elicitation/request"
TOOL_CALL = "item/tool/call"
USER_INPUT = "item/tool/requestUserInput"
#: ``thread/start``'s ``config``: without this feature codex answers the model's
#: ``request_user_input`` itself ("unavailable in Default mode") and never asks the client.
#: A dotted key: a ``features`` table would replace the features the process was started with.
#: The feature is "under development": codex's warning about it would be in every run's events.
QUESTION_CONFIG: dict[str, Any] = {
    "features.default_mode_request_user_input": True,
    "suppress_unstable_features_warning": True,
}


#: ``touch a.txt`` for codex's ``/bin/bash -lc 'touch a.txt'``, as the command events show it
shown_command = unwrap_shell


def thread_tools(tools: tuple[Tool, ...]) -> list[dict[str, Any]]:
    """``thread/start.dynamicTools``: each tool in the model's own tool list (not deferred)."""
    return [
        {"type": "function", "name": t.name, "description": t.description, "inputSchema": t.input_schema}
        for t in tools
    ]


def permission_of(
    method: str, params: Any, paths: Mapping[str, tuple[str, ...]], cwd: str | None = None
) -> PermissionRequest | None:
    """The question in an approval request (None: not one). ``paths``: the files each
    ``fileChange`` item of the turn touches, by item id (the request itself names none);
    ``cwd``: the run's folder, for requests that do not name theirs."""
    p = as_dict(params)
    if method == COMMAND:
        command = opt_str(p.get("command"))
        return PermissionRequest(
            "codex",
            "command",
            command=shown_command(command) if command else None,
            cwd=opt_str(p.get("cwd")) or cwd,
            raw=params,
        )
    if method == FILE_CHANGE:
        return PermissionRequest(
            "codex", "file_change", cwd=cwd, paths=paths.get(str(p.get("itemId")), ()), raw=params
        )
    if method == PERMISSIONS:
        return PermissionRequest("codex", "other", cwd=opt_str(p.get("cwd")) or cwd, raw=params)
    if method == ELICITATION and as_dict(p.get("_meta")).get("codex_approval_kind") == "mcp_tool_call":
        meta = as_dict(p.get("_meta"))
        return PermissionRequest(
            "codex",
            "tool",
            cwd=cwd,
            tool_name=opt_str(meta.get("tool_name")) or opt_str(p.get("serverName")),
            tool_input=meta.get("tool_params"),
            raw=params,
        )
    return None


def approval_answer(method: str, params: Any, verdict: Verdict) -> dict[str, Any]:
    """codex's answer to an approval request for ``verdict``.

    ``decline`` lets the turn go on (the model is told "rejected by user"); codex carries no
    reason, so a denial's reason is not passed on.
    """
    p = as_dict(params)
    if method == PERMISSIONS:
        if not verdict.allowed:
            return {"permissions": {}, "scope": "turn"}
        scope = "session" if verdict.decision is Decision.ALLOW_ALWAYS else "turn"
        return {"permissions": as_dict(p.get("permissions")), "scope": scope}
    if method == ELICITATION:
        return {"action": "accept" if verdict.allowed else "decline"}
    if not verdict.allowed:
        return {"decision": "decline"}
    offered = p.get("availableDecisions")
    if verdict.decision is Decision.ALLOW_ALWAYS and (offered is None or "acceptForSession" in offered):
        return {"decision": "acceptForSession"}
    return {"decision": "accept"}


def tool_call_of(method: str, params: Any) -> tuple[str, Any] | None:
    """(tool name, arguments) of a dynamic tool call; None for any other request."""
    if method != TOOL_CALL:
        return None
    p = as_dict(params)
    return str(p.get("tool") or ""), p.get("arguments")


def tool_answer(result: ToolResult) -> dict[str, Any]:
    """The answer to ``item/tool/call``: the text the model gets, and whether it failed."""
    return {"contentItems": [{"type": "inputText", "text": result.text}], "success": not result.is_error}


def questions_of(method: str, params: Any) -> tuple[Question, ...] | None:
    """A `Question` per question of a ``request_user_input`` request; None for any other.
    codex offers no multiple choice: each answer is one label or free text."""
    if method != USER_INPUT:
        return None
    return tuple(
        Question(
            text=as_str(q.get("question")),
            options=options_of(q.get("options")),
            header=as_str(q.get("header")),
            raw=params,
        )
        for q in map(as_dict, as_list(as_dict(params).get("questions")))
    )


def questions_answer(params: Any, answers: list[tuple[str, ...] | None]) -> dict[str, Any]:
    """The answer to ``request_user_input``: each question's answers by its id. codex has no
    decline (an empty answer and an error both reach the model as ``{"answers":{}}``), so a
    declined question is answered with `DECLINED`, words the model cannot take for a choice."""
    ids = [as_str(as_dict(q).get("id")) for q in as_list(as_dict(params).get("questions"))]
    return {
        "answers": {
            qid: {"answers": list(answer) if answer is not None else [DECLINED]}
            for qid, answer in zip(ids, answers, strict=True)
        }
    }
