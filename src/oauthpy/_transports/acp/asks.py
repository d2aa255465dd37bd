"""Pure translator of what an ACP agent asks its client: ``session/request_permission``.

A question names a tool call: ``kind`` ``execute`` is a shell command (the command as the
call's ``title``, or in ``rawInput.command``), ``edit``/``delete``/``move`` a file change (the
files in ``locations``), anything else a tool (the agent's own, an MCP server's, or one of the
run's, which the profile recognizes). The answer picks one of the offered options by its
``kind``, never an "always" one: an agent's "for the session" covers more than the request
(gemini: every later edit, any command starting with the same program, every tool of an MCP
server). ``allow_always`` is oauthpy's to keep, exactly (`Permissions`).
"""

from __future__ import annotations

from typing import Any

from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._permissions import Decision, PermissionRequest, Verdict
from oauthpy._tools import ToolResult
from oauthpy._transports.acp.profile import AcpProfile

REQUEST_PERMISSION = "session/request_permission"
_FILE_KINDS = ("edit", "delete", "move")
#: option kinds, in the order tried, for each decision (never the agent's ``allow_always``)
_OPTION_KINDS = {
    Decision.ALLOW: ("allow_once",),
    Decision.ALLOW_ALWAYS: ("allow_once",),
    Decision.DENY: ("reject_once", "reject_always"),
}


class AcpAsks:
    """What an ACP turn is asked, for `live_asks.serve`."""

    def __init__(
        self,
        profile: AcpProfile,
        cwd: str,
        own: frozenset[str] = frozenset(),
        own_calls: set[Any] | None = None,
    ) -> None:
        self._profile = profile
        self._cwd = cwd
        #: the names of the tools oauthpy registered with the agent for this conversation
        self._own = own
        #: where the ids of the calls found to be own tools go: their later updates (a failure
        #: may come with no title) are the parser's to leave out (`AcpTurn.own_calls`)
        self._own_calls = own_calls if own_calls is not None else set()

    def permission(self, method: str, params: Any) -> PermissionRequest | None:
        if method != REQUEST_PERMISSION:
            return None
        name = self._profile.name
        call = as_dict(as_dict(params).get("toolCall"))
        kind, title = as_str(call.get("kind")), as_str(call.get("title"))
        if kind == "execute":
            command = self._profile.command_of(call) or title
            return PermissionRequest(name, "command", command=command or None, cwd=self._cwd, raw=params)
        if kind in _FILE_KINDS:
            paths = tuple(
                p for p in (as_str(as_dict(x).get("path")) for x in as_list(call.get("locations"))) if p
            )
            return PermissionRequest(name, "file_change", cwd=self._cwd, paths=paths, raw=params)
        tool = self._profile.tool_of_permission(call)
        if tool is not None:
            return PermissionRequest(name, "tool", tool_name=tool[0], tool_input=tool[1], raw=params)
        return PermissionRequest(name, "other", tool_name=title or None, raw=params)

    def answer(self, method: str, params: Any, verdict: Verdict) -> Any:
        return choose(params, verdict.decision)

    def told(self, params: Any, verdict: Verdict) -> Verdict:
        if not verdict.allowed or _offered(params, "allow_once"):
            return verdict
        return Verdict(Decision.DENY, "the agent offered no way to allow it once: it was refused")

    def own_tool(self, ask: PermissionRequest) -> bool:
        if ask.kind != "tool" or not self._profile.own_permission(ask.raw, self._own):
            return False
        self._own_calls.add(as_dict(as_dict(ask.raw).get("toolCall")).get("toolCallId"))
        return True

    def tool_call(self, method: str, params: Any) -> tuple[str, Any] | None:
        return None  # ACP agents call the run's tools over MCP (oauthpy._mcp_tools)

    def tool_answer(self, result: ToolResult) -> Any:
        raise NotImplementedError


def _offered(params: Any, kind: str) -> bool:
    options = (as_dict(o) for o in as_list(as_dict(params).get("options")))
    return any(o.get("kind") == kind and isinstance(o.get("optionId"), str) for o in options)


def choose(params: Any, decision: Decision) -> dict[str, Any]:
    """The answer selecting the offered option for ``decision``; a refusal when none fits (the
    ``cancelled`` outcome, which also leaves the tool unrun). ACP carries no reason."""
    options = [as_dict(o) for o in as_list(as_dict(params).get("options"))]
    for kind in _OPTION_KINDS[decision]:
        for option in options:
            if option.get("kind") == kind and isinstance(option.get("optionId"), str):
                return {"outcome": {"outcome": "selected", "optionId": option["optionId"]}}
    if decision is Decision.DENY:
        return {"outcome": {"outcome": "cancelled"}}
    return choose(params, Decision.DENY)
