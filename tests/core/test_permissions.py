"""on_permission without processes: each vendor's translation of its real permission requests
(recorded: tests/recordings/permissions/) and of the verdicts, and what oauthpy sends, against the
pinned codex's experimental schema and the ACP schema. Reading answers and remembering
allow_always: test_permissions_answers.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from oauthpy import Decision, EventKind, PermissionRequest
from oauthpy._agents.claude.asks import permission_of as claude_permission
from oauthpy._agents.codex import app_requests as codex
from oauthpy._agents.gemini.acp import GEMINI, mcp_title
from oauthpy._permissions import Verdict
from oauthpy._tools import ToolResult
from oauthpy._transports.acp.asks import AcpAsks, choose
from oauthpy._transports.acp.turn import AcpTurn
from tests.paths import RECORDINGS

pytestmark = pytest.mark.fast

RECORDED = RECORDINGS / "permissions"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


# -- codex app-server ---------------------------------------------------------------------------


def test_codex_command_approval_becomes_a_command_request_and_each_verdict_its_decision() -> None:
    params = recorded("codex-command")
    request = codex.permission_of(codex.COMMAND, params, {}, "/work/dir")
    assert request is not None and request.kind == "command"
    assert request.command == "touch made.txt"  # shown without codex's shell wrapper
    assert request.cwd == "/work/dir" and request.raw is params
    answer = codex.approval_answer
    assert answer(codex.COMMAND, params, Verdict(Decision.ALLOW)) == {"decision": "accept"}
    assert answer(codex.COMMAND, params, Verdict(Decision.DENY, "no")) == {"decision": "decline"}
    # "for the session" only where codex offers it
    offered = {**params, "availableDecisions": ["accept", "acceptForSession", "cancel"]}
    assert answer(codex.COMMAND, offered, Verdict(Decision.ALLOW_ALWAYS)) == {"decision": "acceptForSession"}
    narrow = {**params, "availableDecisions": ["accept", "cancel"]}
    assert answer(codex.COMMAND, narrow, Verdict(Decision.ALLOW_ALWAYS)) == {"decision": "accept"}


def test_codex_file_change_approval_names_the_files_of_its_item() -> None:
    params = recorded("codex-file_change")
    paths = {params["itemId"]: ("/work/dir/new.txt",)}
    request = codex.permission_of(codex.FILE_CHANGE, params, paths, "/work/dir")
    assert request is not None and request.kind == "file_change"
    assert request.paths == ("/work/dir/new.txt",)
    assert codex.approval_answer(codex.FILE_CHANGE, params, Verdict(Decision.DENY)) == {"decision": "decline"}


def test_codex_permission_and_elicitation_requests_and_what_is_not_a_question() -> None:
    grant = {"threadId": "t", "itemId": "i", "cwd": "/w", "permissions": {"network": {"enabled": True}}}
    request = codex.permission_of(codex.PERMISSIONS, grant, {})
    assert request is not None and request.kind == "other"
    assert codex.approval_answer(codex.PERMISSIONS, grant, Verdict(Decision.DENY)) == {
        "permissions": {},
        "scope": "turn",
    }
    assert codex.approval_answer(codex.PERMISSIONS, grant, Verdict(Decision.ALLOW_ALWAYS)) == {
        "permissions": {"network": {"enabled": True}},
        "scope": "session",
    }
    assert codex.permission_of("item/tool/requestUserInput", {}, {}) is None
    assert codex.tool_call_of(codex.TOOL_CALL, {"tool": "add", "arguments": {"a": 1}}) == ("add", {"a": 1})
    assert codex.tool_call_of(codex.COMMAND, {}) is None
    assert codex.tool_answer(ToolResult("boom", is_error=True)) == {
        "contentItems": [{"type": "inputText", "text": "boom"}],
        "success": False,
    }


@pytest.mark.parametrize(
    ("wrapped", "shown"),
    [
        ("/bin/bash -lc 'touch a.txt'", "touch a.txt"),
        ("/bin/bash -c 'echo hi && ls'", "echo hi && ls"),
        ("/usr/bin/zsh -lc ls", "ls"),
        ("python3 -c 'print(1)'", "python3 -c 'print(1)'"),
        ("unbalanced 'quote", "unbalanced 'quote"),
    ],
)
def test_codex_commands_are_shown_without_the_shell_codex_wraps_them_in(wrapped: str, shown: str) -> None:
    assert codex.shown_command(wrapped) == shown


# -- gemini ACP ---------------------------------------------------------------------------------


def test_gemini_permission_requests_become_commands_and_file_changes() -> None:
    asks = AcpAsks(GEMINI, "/work/dir")
    command = asks.permission("session/request_permission", recorded("gemini-command"))
    assert command is not None and (command.kind, command.command) == ("command", "touch made.txt")
    change = asks.permission("session/request_permission", recorded("gemini-file_change"))
    assert change is not None and change.kind == "file_change"
    assert change.paths == ("/work/dir/new.txt",)
    assert asks.permission("fs/read_text_file", {}) is None


def test_gemini_answers_pick_the_offered_option_of_the_decisions_kind_and_never_an_always_one() -> None:
    params = recorded("gemini-command")

    def picked(decision: Decision) -> str:
        return choose(params, decision)["outcome"]["optionId"]

    # allow_always is oauthpy's to keep, exactly: gemini's own "always" covers more than the request
    assert (picked(Decision.ALLOW), picked(Decision.ALLOW_ALWAYS), picked(Decision.DENY)) == (
        "proceed_once",
        "proceed_once",
        "cancel",
    )
    assert choose({"options": MCP_OPTIONS}, Decision.ALLOW_ALWAYS)["outcome"]["optionId"] == "proceed_once"
    # only "always" options offered: refused rather than widened
    only_always = {"options": MCP_OPTIONS[:2]}
    assert choose(only_always, Decision.ALLOW) == {"outcome": {"outcome": "cancelled"}}
    assert choose({"options": []}, Decision.ALLOW) == {"outcome": {"outcome": "cancelled"}}


MCP_OPTIONS = [
    {"optionId": "proceed_always_server", "kind": "allow_always"},
    {"optionId": "proceed_always_tool", "kind": "allow_always"},
    {"optionId": "cancel", "kind": "reject_once"},
    {"optionId": "proceed_once", "kind": "allow_once"},
]
SHELL_OPTIONS = [
    {"optionId": "proceed_always", "kind": "allow_always"},
    {"optionId": "proceed_once", "kind": "allow_once"},
    {"optionId": "cancel", "kind": "reject_once"},
]


def _content(text: str) -> list[dict[str, object]]:
    return [{"type": "content", "content": {"type": "text", "text": text}}]


def test_gemini_mcp_tool_requests_name_the_tool_and_its_arguments() -> None:
    call = {"toolCallId": "mcp_calc_add__c1", "title": "add (calc MCP Server)", "kind": "other"}
    asks = AcpAsks(GEMINI, "/w", frozenset({"add"}))
    params = {"options": MCP_OPTIONS, "toolCall": {**call, "content": _content('{"a": 2}')}}
    request = asks.permission("session/request_permission", params)
    assert request is not None and (request.kind, request.tool_name, request.tool_input) == (
        "tool",
        "add",
        {"a": 2},
    )
    assert not asks.own_tool(request)  # another server's tool of the same name
    assert mcp_title("touch a (b") is None


def own_call(**over: object) -> dict[str, object]:
    call = {"toolCallId": "call_1", "title": "add (oauthpy MCP Server)", "kind": "other"}
    return {"options": MCP_OPTIONS, "toolCall": {**call, "content": _content('{"a": 2, "b": 3}'), **over}}


def test_gemini_own_tools_are_the_ones_oauthpy_registered_never_a_title_the_model_wrote() -> None:
    asks = AcpAsks(GEMINI, "/w", frozenset({"add"}))

    def own(params: dict[str, object], asks: AcpAsks = asks) -> bool:
        request = asks.permission("session/request_permission", params)
        return request is not None and asks.own_tool(request)

    assert own(own_call())
    assert own(own_call(content=_content("[Payload omitted due to length with parameters: a, b]")))
    mimics = [
        # a shell command or a file whose title reads like one of ours
        {"options": SHELL_OPTIONS, "toolCall": {"title": "add (oauthpy MCP Server)", "kind": "execute"}},
        {
            "options": SHELL_OPTIONS,
            "toolCall": {"title": "touch x # (oauthpy MCP Server)", "kind": "execute"},
        },
        {"options": SHELL_OPTIONS, "toolCall": {"title": "x (oauthpy MCP Server)", "kind": "edit"}},
        # not an MCP tool's confirmation (another gemini tool of kind "other")
        {**own_call(), "options": SHELL_OPTIONS},
        # a tool oauthpy did not register, or another server
        own_call(title="rm (oauthpy MCP Server)"),
        own_call(title="add (evil MCP Server)"),
        # an MCP tool whose `command` argument (the model's text) gemini shows as the title
        own_call(content=_content('{"command": "add (oauthpy MCP Server)"}')),
        own_call(content=_content("[Payload omitted due to length with parameters: command]")),
        own_call(content=_content("[Payload omitted due to length with parameters: a, b, c, d, e, ...]")),
        own_call(content=[]),
        # an id the model chose proves nothing
        own_call(title="touch x", kind="execute", toolCallId="mcp_oauthpy_add__1"),
    ]
    assert [own(m) for m in mimics] == [False] * len(mimics)
    assert not own(own_call(), AcpAsks(GEMINI, "/w"))  # no tools registered in this conversation


def test_gemini_events_of_a_mimicking_tool_call_are_shown_and_own_ones_left_to_oauthpy() -> None:
    turn = AcpTurn(GEMINI, "s", None, frozenset({"add"}))

    def shown(update: dict[str, object]) -> bool:
        events = turn.feed("session/update", {"update": {"sessionUpdate": "tool_call", **update}})
        return any(e.kind is not EventKind.MESSAGE for e in events)

    assert not shown({"toolCallId": "c1", "title": "add (oauthpy MCP Server)", "kind": "other"})
    assert shown({"toolCallId": "c2", "title": "touch x # (oauthpy MCP Server)", "kind": "execute"})
    assert shown({"toolCallId": "c1", "title": "touch y", "kind": "execute"})  # a reused id
    assert shown({"toolCallId": "mcp_oauthpy_add__c3", "title": "touch z", "kind": "execute"})


# -- claude -------------------------------------------------------------------------------------


def test_claude_tool_permissions_become_commands_file_changes_and_tools() -> None:
    command = claude_permission("Bash", {"command": "touch made.txt"}, "/w")
    assert (command.kind, command.command, command.cwd) == ("command", "touch made.txt", "/w")
    write = claude_permission("Write", {"file_path": "/w/new.txt", "content": "x"}, "/w")
    assert (write.kind, write.paths) == ("file_change", ("/w/new.txt",))
    fetch = claude_permission("WebFetch", {"url": "https://example.invalid"}, "/w")
    assert (fetch.kind, fetch.tool_name) == ("tool", "WebFetch")


# -- what oauthpy sends codex, against the pinned binary's experimental schema --------------------


@pytest.fixture(scope="module")
def experimental_schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess

    from oauthpy._agents.codex.provider import find_binary
    from oauthpy._options import merged_env

    out = tmp_path_factory.mktemp("codex-schema-experimental")
    binary = find_binary(merged_env({}))
    args = [binary, "app-server", "generate-json-schema", "--experimental", "--out", str(out)]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return out


def test_tools_approvals_and_answers_validate_against_codexs_experimental_schema(
    experimental_schemas: Path, tmp_path: Path
) -> None:
    import jsonschema

    from oauthpy._agents.codex.app_parser import thread_params, turn_params
    from oauthpy._options import build_request

    def validate(name: str, value: object) -> None:
        found = [p for p in (experimental_schemas / "v2" / name, experimental_schemas / name) if p.exists()]
        schema = json.loads(found[0].read_text())
        jsonschema.validate(value, schema)

    def add(a: int, b: int = 2) -> int:
        """Add."""
        return a + b

    request = build_request("hi", cwd=tmp_path, tools=[add], on_permission=lambda r: True)
    started = thread_params(request)
    assert started["approvalPolicy"] == "untrusted" and started["approvalsReviewer"] == "user"
    assert [t["name"] for t in started["dynamicTools"]] == ["add"]
    validate("ThreadStartParams.json", started)
    validate("TurnStartParams.json", turn_params("01a202eb-b1a9-7800-944a-667769ecda10", request))
    command = recorded("codex-command")
    for verdict in (Verdict(Decision.ALLOW), Verdict(Decision.ALLOW_ALWAYS), Verdict(Decision.DENY)):
        validate(
            "CommandExecutionRequestApprovalResponse.json",
            codex.approval_answer(codex.COMMAND, command, verdict),
        )
        validate(
            "FileChangeRequestApprovalResponse.json",
            codex.approval_answer(codex.FILE_CHANGE, recorded("codex-file_change"), verdict),
        )
        validate(
            "PermissionsRequestApprovalResponse.json",
            codex.approval_answer(codex.PERMISSIONS, {"permissions": {}}, verdict),
        )
    validate("DynamicToolCallResponse.json", codex.tool_answer(ToolResult("42")))
    # without a callback nothing changes: codex asks nobody
    assert thread_params(build_request("hi", cwd=tmp_path))["approvalPolicy"] == "never"


def test_the_tool_endpoint_and_permission_answers_validate_against_the_acp_schema(tmp_path: Path) -> None:
    from acp import schema

    from oauthpy._mcp_tools import ToolEndpoint
    from oauthpy._options import build_request
    from oauthpy._transports.acp.turn import session_params

    endpoint = ToolEndpoint((), lambda e: None)
    endpoint.url = "http://127.0.0.1:9/mcp"
    params = session_params(build_request("hi", cwd=tmp_path), [endpoint.acp_server()])
    new = schema.NewSessionRequest.model_validate(params)
    [server] = new.mcp_servers
    assert server.url == endpoint.url and server.headers[0].value == f"Bearer {endpoint.secret}"
    for decision in Decision:
        answer = schema.RequestPermissionResponse.model_validate(choose(recorded("gemini-command"), decision))
        assert answer.outcome.outcome == "selected"


def test_gemini_a_failed_own_call_announced_in_its_permission_request_is_left_to_oauthpy() -> None:
    # gemini's update for a failed call has no title: the id oauthpy saw in the permission
    # request it recognized is what tells
    turn = AcpTurn(GEMINI, "s", None, frozenset({"add"}))
    asks = AcpAsks(GEMINI, "/w", frozenset({"add"}), turn.own_calls)
    request = asks.permission("session/request_permission", own_call(toolCallId="call_7"))
    assert request is not None and asks.own_tool(request)
    failed = {
        "sessionUpdate": "tool_call_update",
        "toolCallId": "call_7",
        "status": "failed",
        "kind": "other",
    }
    assert turn.feed("session/update", {"update": failed}) == []
    other = {**failed, "toolCallId": "call_8"}
    shown = turn.feed("session/update", {"update": other})
    assert shown and all(e.kind is EventKind.TOOL for e in shown)


def test_claude_allow_always_never_hands_the_cli_its_suggestions_and_is_remembered_exactly() -> None:
    from types import SimpleNamespace

    from oauthpy._agents.claude.asks import ClaudeAsks

    asked: list[str | None] = []

    def callback(request: PermissionRequest) -> str:
        asked.append(request.command)
        return "allow_always"

    asks = ClaudeAsks(SimpleNamespace(cwd="/w", tools=(), on_permission=callback, on_question=None))  # type: ignore[arg-type]
    suggestions = [
        {
            "type": "addRules",
            "rules": [{"toolName": "Bash", "ruleContent": "touch:*"}],
            "destination": "localSettings",
        },
        {"type": "setMode", "mode": "acceptEdits", "destination": "session"},
    ]
    context = SimpleNamespace(suggestions=suggestions)

    async def main() -> list[object]:
        return [
            await asks.can_use_tool("Bash", {"command": command}, context)
            for command in ("touch a.txt", "touch a.txt", "touch b.txt")
        ]

    answers = asyncio.run(main())
    assert [getattr(a, "updated_permissions", "?") for a in answers] == [None, None, None]
    assert asked == ["touch a.txt", "touch b.txt"]  # the same command from memory, another asked
