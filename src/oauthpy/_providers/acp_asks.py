"""Pure translator of what ``gemini --acp`` asks its client: ``session/request_permission``.

Gemini 0.61 asks before a shell command (``kind: execute``, the command only as the tool call's
``title``), a file edit (``edit``/``delete``/``move``, the files in ``locations``) and every MCP
tool call (``title`` ``"<tool> (<server> MCP Server)"``, the arguments as JSON text in
``content``). Read-only commands such as ``echo`` run without asking. The answer picks one of
the offered options by its ``kind``, never an "always" one. Recorded messages: tests/recordings/gemini-acp/.
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
#: option kinds, in the order tried, for each decision. Never gemini's ``allow_always``: its
#: "for the session" covers more than the request (every later edit, any command starting with
#: the same program, every tool of an MCP server, and for MCP tools every session of the
#: process). ``allow_always`` is oauthpy's to keep, exactly (`Permissions`).
_OPTION_KINDS = {
    Decision.ALLOW: ("allow_once",),
    Decision.ALLOW_ALWAYS: ("allow_once",),
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


#: the option ids gemini offers only for an MCP tool's confirmation (fixed by the tool's class)
_MCP_OPTION_IDS = frozenset({"proceed_always_server", "proceed_always_tool"})


def own_tool_name(call: Any, own: frozenset[str]) -> str | None:
    """The name of the run's own tool that a tool call (a ``tool_call`` update or a permission's
    ``toolCall``) shows, else None.

    Only what gemini fills in from what oauthpy registered counts, never what the model writes:
    the call's ``kind`` comes from the tool's class (``other`` for an MCP tool; a shell command is
    ``execute``, a write ``edit``), and its title is the display name ``"<tool> (oauthpy MCP
    Server)"`` of a tool oauthpy registered in this conversation. The ``toolCallId`` is the
    model's own call id when it gives one: it proves nothing.
    """
    call = _d(call)
    if call.get("kind") != "other":
        return None
    found = mcp_title(_s(call.get("title")))
    if found is None or found[1] != SERVER_NAME or found[0] not in own:
        return None
    return found[0]


def own_permission(params: Any, own: frozenset[str]) -> bool:
    """Whether a ``session/request_permission`` asks about one of the run's own tools.

    Besides `own_tool_name`: the options must be an MCP tool's confirmation (gemini offers
    ``proceed_always_server``/``_tool`` for MCP tools only), and the arguments must hold no
    string ``command``, since gemini shows an MCP tool's ``command`` argument (the model's text)
    as its title in place of the display name.
    """
    options = {_s(_d(o).get("optionId")) for o in _l(_d(params).get("options"))}
    call = _d(_d(params).get("toolCall"))
    if not options & _MCP_OPTION_IDS or own_tool_name(call, own) is None:
        return False
    arguments = _arguments(call.get("content"))
    if isinstance(arguments, dict):
        return not isinstance(arguments.get("command"), str)
    return isinstance(arguments, str) and _plain_omitted(arguments)


def _plain_omitted(text: str) -> bool:
    """Whether gemini's placeholder for long arguments names all of them, none ``command``."""
    head = "[Payload omitted due to length"
    if not text.startswith(head) or not text.endswith("]") or text.endswith(", ...]"):
        return False
    _, _, names = text[len(head) : -1].partition("with parameters: ")
    return "command" not in (n.strip() for n in names.split(","))


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

    def __init__(
        self, cwd: str, own: frozenset[str] = frozenset(), own_calls: set[Any] | None = None
    ) -> None:
        self._cwd = cwd
        #: the names of the tools oauthpy registered with gemini for this conversation
        self._own = own
        #: where the ids of the calls found to be own tools go: their later updates (a failure
        #: comes with no title) are the parser's to leave out (`AcpTurn.own_calls`)
        self._own_calls = own_calls if own_calls is not None else set()

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
        if ask.kind != "tool" or not own_permission(ask.raw, self._own):
            return False
        self._own_calls.add(_d(_d(ask.raw).get("toolCall")).get("toolCallId"))
        return True

    def tool_call(self, method: str, params: Any) -> tuple[str, Any] | None:
        return None  # gemini calls the run's tools over MCP (oauthpy._mcp_tools)

    def tool_answer(self, result: ToolResult) -> Any:
        raise NotImplementedError


def choose(params: Any, decision: Decision) -> dict[str, Any]:
    """The answer selecting the offered option for ``decision``; a refusal when none fits (the
    ``cancelled`` outcome, which also leaves the tool unrun). ACP carries no reason."""
    options = [_d(o) for o in _l(_d(params).get("options"))]
    for kind in _OPTION_KINDS[decision]:
        for option in options:
            if option.get("kind") == kind and isinstance(option.get("optionId"), str):
                return {"outcome": {"outcome": "selected", "optionId": option["optionId"]}}
    if decision is Decision.DENY:
        return {"outcome": {"outcome": "cancelled"}}
    return choose(params, Decision.DENY)
