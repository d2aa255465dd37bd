"""The MCP server of a run's tools, and the endpoint gemini reaches it by: only a request with
the run's secret gets through. Also the fakes' ``call_tool`` lookup of vendor tool names."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from oauthpy._events import Event
from oauthpy._mcp_tools import ToolEndpoint, structured
from oauthpy._tools import build_tools
from oauthpy.testing import HttpError, Reply, call_tool
from oauthpy.testing.script import resolve_tool

pytestmark = pytest.mark.fast


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def post(url: str, message: dict[str, Any], authorization: str | None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    headers["MCP-Protocol-Version"] = "2025-06-18"
    if authorization is not None:
        headers["Authorization"] = authorization
    req = urllib.request.Request(url, data=json.dumps(message).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def serve_and_post(
    messages: list[tuple[dict[str, Any], str | None]],
) -> tuple[str, list[tuple[int, Any]], list[Event]]:
    events: list[Event] = []

    async def main() -> tuple[str, list[tuple[int, Any]]]:
        endpoint = ToolEndpoint(build_tools([add]), events.append)
        await endpoint.start()
        try:
            auth = f"Bearer {endpoint.secret}"
            answers = []
            for message, given in messages:
                header = auth if given == "secret" else given
                answers.append(await asyncio.to_thread(post, endpoint.url, message, header))
            return endpoint.url, answers
        finally:
            await endpoint.aclose()

    url, answers = asyncio.run(main())
    return url, answers, events


CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "add", "arguments": {"a": 2, "b": 40}},
}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


def test_a_request_without_the_runs_secret_is_refused_and_runs_nothing() -> None:
    url, answers, events = serve_and_post([(CALL, None), (CALL, "Bearer guessed"), (LIST, "secret ")])
    assert url.startswith("http://127.0.0.1:")  # loopback only
    assert [status for status, _ in answers] == [401, 401, 401]
    assert events == []  # the tool never ran


def test_with_the_secret_the_tools_are_listed_and_called_and_each_call_is_reported() -> None:
    _, answers, events = serve_and_post([(LIST, "secret"), (CALL, "secret")])
    (list_status, listed), (call_status, called) = answers
    assert (list_status, call_status) == (200, 200)
    [declared] = listed["result"]["tools"]
    assert declared["name"] == "add" and declared["description"] == "Add two integers."
    assert declared["inputSchema"]["required"] == ["a", "b"]
    assert called["result"]["content"] == [{"type": "text", "text": "42"}]
    assert called["result"]["isError"] is False
    assert [(e.tool_name, e.status, e.output) for e in events] == [
        ("add", "in_progress", None),
        ("add", "completed", "42"),
    ]


def test_json_results_also_go_as_structured_content_an_object_always() -> None:
    assert structured("42") == {"result": 42}
    assert structured('{"norm": 7}') == {"norm": 7}
    assert structured('["a"]') == {"result": ["a"]}
    assert structured("plain words") is None


@pytest.mark.parametrize(
    ("declared", "called"),
    [
        (["exec_command", "add"], "add"),  # codex: the name as given
        (["Bash", "mcp__oauthpy__add"], "mcp__oauthpy__add"),  # claude
        (["run_shell_command", "mcp_oauthpy_add"], "mcp_oauthpy_add"),  # gemini
        (["mcp_x_add", "mcp__y__add", "add"], "add"),  # the exact name first
        (["mcp_x_add", "mcp__y__add"], "mcp__y__add"),  # then the MCP form
    ],
)
def test_call_tool_finds_the_users_tool_under_the_vendors_name(declared: list[str], called: str) -> None:
    reply = resolve_tool(call_tool("add", {"a": 1}, call_id="c1"), declared)
    assert isinstance(reply, Reply)
    [call] = reply.tool_calls
    assert (call.name, call.arguments, call.call_id) == (called, {"a": 1}, "c1")


def test_call_tool_of_an_undeclared_tool_answers_400_naming_what_was_declared() -> None:
    reply = resolve_tool(call_tool("add"), ["Bash", "Read"])
    assert isinstance(reply, HttpError) and reply.status == 400
    assert reply.message == "call_tool: no tool named 'add' in the request; declared: Bash, Read"
