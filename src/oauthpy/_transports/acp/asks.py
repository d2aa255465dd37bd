"""Pure translator of what an ACP agent asks its client: ``session/request_permission`` and
``elicitation/create``.

A question names a tool call: ``kind`` ``execute`` is a shell command (the command as the
call's ``title``, or in ``rawInput.command``), ``edit``/``delete``/``move`` a file change (the
files in ``locations``), anything else a tool (the agent's own, an MCP server's, or one of the
run's, which the profile recognizes). The answer picks one of the offered options by its
``kind``, never an "always" one: an agent's "for the session" covers more than the request
(gemini: every later edit, any command starting with the same program, every tool of an MCP
server). ``allow_always`` is oauthpy's to keep, exactly (`Permissions`).

An elicitation in form mode asks for a flat object: each of its fields is one `Question` (an
enum's values or titles are its options, a multi-select is ``multiple``, a boolean offers
``yes``/``no``); the answers go back as ``accept`` with the content, converted to each field's
type. A declined required field declines the whole form: ACP's ``decline``, which the agent
cannot take for an answer. URL mode is not advertised (`ELICITATION_CAPABILITY`) and is
declined unasked.
"""

from __future__ import annotations

from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._permissions import Decision, PermissionRequest, Verdict
from oauthpy._questions import Question, QuestionOption
from oauthpy._tools import ToolResult
from oauthpy._transports.acp.profile import AcpProfile

REQUEST_PERMISSION = "session/request_permission"
ELICITATION = "elicitation/create"
#: what oauthpy advertises in ``initialize``'s ``clientCapabilities``: forms, never URLs (a
#: URL is for the user's browser, with no answer for ``on_question`` to give)
ELICITATION_CAPABILITY: dict[str, Any] = {"form": {}}
#: the decline, the answer to any elicitation nobody answered
DECLINE: dict[str, Any] = {"action": "decline"}
_YES, _NO = ("yes", "true"), ("no", "false")
_KINDS = {"integer": "a whole number", "number": "a number"}
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

    def questions(self, method: str, params: Any) -> tuple[Question, ...] | None:
        return questions_of(method, params)

    def question_answer(self, method: str, params: Any, answers: list[tuple[str, ...] | None]) -> Any:
        return elicitation_answer(params, answers)


def _fields(params: Any) -> list[tuple[str, dict[str, Any], bool]]:
    """A form's fields: (name, its schema, whether it is required); none for a URL elicitation."""
    p = as_dict(params)
    if p.get("mode") != "form":
        return []
    schema = as_dict(p.get("requestedSchema"))
    required = {as_str(name) for name in as_list(schema.get("required"))}
    return [
        (name, as_dict(spec), name in required) for name, spec in as_dict(schema.get("properties")).items()
    ]


def _choices(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """A field's choices, (label, value): an enum's values, or ``oneOf``/``anyOf`` titles with
    their ``const`` (a multi-select has them in ``items``), ``yes``/``no`` for a boolean."""
    if spec.get("type") == "boolean":
        return [("yes", "true"), ("no", "false")]
    where = as_dict(spec.get("items")) if spec.get("type") == "array" else spec
    if isinstance(where.get("enum"), list):
        return [(as_str(v), as_str(v)) for v in where["enum"] if as_str(v)]
    titled = as_list(where.get("oneOf")) or as_list(where.get("anyOf"))
    found = [
        (as_str(o.get("title")) or as_str(o.get("const")), as_str(o.get("const")))
        for o in map(as_dict, titled)
    ]
    return [(label, value) for label, value in found if value]


def questions_of(method: str, params: Any) -> tuple[Question, ...] | None:
    """A `Question` per field of an elicitation form; None for any other request."""
    if method != ELICITATION:
        return None
    message = as_str(as_dict(params).get("message"))
    fields = _fields(params)
    if not fields:
        # a form with no field is a confirmation; a URL elicitation is declined unasked
        return (Question(text=message, raw=params),) if as_dict(params).get("mode") == "form" else ()
    asked = []
    for name, spec, _ in fields:
        title, about = as_str(spec.get("title")), as_str(spec.get("description"))
        text = message if len(fields) == 1 and not about else f"{message}\n{about or title or name}"
        options = tuple(
            QuestionOption(label, "" if label == value else value) for label, value in _choices(spec)
        )
        asked.append(Question(text, options, spec.get("type") == "array", title, params))
    return tuple(asked)


def elicitation_answer(params: Any, answers: list[tuple[str, ...] | None]) -> dict[str, Any]:
    """``accept`` with each answered field's value in its type, or `DECLINE` when nothing was
    asked or a required field was declined. Raises `InvalidOptionsError` for an answer its
    field cannot take (a label not offered, a word for a number)."""
    fields = _fields(params)
    if not fields:  # a confirmation (asked once), or a URL (never asked)
        return {"action": "accept", "content": {}} if answers and answers[0] is not None else DECLINE
    content: dict[str, Any] = {}
    for (name, spec, required), answer in zip(fields, answers, strict=True):
        if answer is None:
            if required:
                return DECLINE
            continue
        content[name] = _value(name, spec, answer)
    return {"action": "accept", "content": content}


def _value(name: str, spec: dict[str, Any], answer: tuple[str, ...]) -> Any:
    kind = spec.get("type")
    choices = _choices(spec)
    if choices:
        chosen = [_choice(name, choices, a) for a in answer]
        if kind == "boolean":
            return chosen[0] == "true"
        return chosen if kind == "array" else chosen[0]
    text = answer[0]
    if kind in ("number", "integer"):
        try:
            return int(text) if kind == "integer" else float(text)
        except ValueError:
            raise InvalidOptionsError(
                f"on_question answered {text!r:.40} to {name!r}, which takes {_KINDS[kind]}"
            ) from None
    return list(answer) if kind == "array" else text


def _choice(name: str, choices: list[tuple[str, str]], answer: str) -> str:
    for label, value in choices:
        if (
            answer in (label, value)
            or (value == "true" and answer.lower() in _YES)
            or (value == "false" and answer.lower() in _NO)
        ):
            return value
    offered = ", ".join(label for label, _ in choices)
    raise InvalidOptionsError(
        f"on_question answered {answer!r:.40} to {name!r}, which takes one of: {offered}"
    )


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
