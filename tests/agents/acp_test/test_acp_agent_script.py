"""The test-only ACP agent (tests/agents/acp_test/agent.py) driven over raw JSON-RPC on its stdio
(the client: agent_client.py), against the fake chat-completions server: it must behave like a
well-made real agent, since the generic ACP layer is proven against it. Every read is bounded;
every agent is killed at the end."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from oauthpy.testing import Hang, HttpError, Tokens, text
from oauthpy.testing.chat import FakeChatServer
from oauthpy.testing.processes import live_processes_in_group
from oauthpy.testing.script import Cut, call_tool, shell, write_file
from tests.agents.acp_test.agent_client import (
    READ_S,
    TEST_S,
    Agent,
    agent_env,
    drive,
    pid_written,
    tool_messages,
)
from tests.support import group_left

OPTIONS = ["allow", "always", "reject"]
REFUSED = "the user refused the command"


@pytest.fixture(scope="module")
def chat_server() -> Any:
    with FakeChatServer() as server:
        yield server


@pytest.fixture
def fake(chat_server: FakeChatServer) -> FakeChatServer:
    """The module's fake, emptied: one server for all, as each stop costs ~0.4 s."""
    with chat_server._lock:
        chat_server.requests.clear()
    return chat_server.script()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


def test_text_turn_streams_chunks_in_order_and_answers_end_turn_with_usage(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(text("hello brave new world", chunks=4, reasoning="let me think", usage=Tokens(11, 3, 7, 2)))

    async def body(agent: Agent) -> None:
        init = await agent.result("initialize", {"protocolVersion": 1, "clientCapabilities": {}})
        assert init["protocolVersion"] == 1
        assert init["agentCapabilities"]["loadSession"] is True
        assert init["agentCapabilities"]["mcpCapabilities"] == {"http": True, "sse": False}
        assert init["agentInfo"] == {"name": "acp-test-agent", "version": "1.0.0"}
        assert [m["id"] for m in init["authMethods"]] == ["openai-api-key", "test-login", "test-terminal"]
        new = await agent.result("session/new", {"cwd": str(work), "mcpServers": []})
        assert new["models"]["currentModelId"] == "fake-model"
        assert new["modes"]["currentModeId"] == "default"
        answer = await agent.prompt(new["sessionId"], "say hello")
        assert answer["result"]["stopReason"] == "end_turn"
        assert answer["result"]["usage"] == {
            "inputTokens": 11,
            "outputTokens": 7,
            "totalTokens": 18,
            "thoughtTokens": 2,
            "cachedReadTokens": 3,
        }
        chunks = [u["content"]["text"] for u in agent.kinds("agent_message_chunk")]
        assert len(chunks) == 4 and "".join(chunks) == "hello brave new world"
        assert "".join(u["content"]["text"] for u in agent.kinds("agent_thought_chunk")) == "let me think"

    drive(fake, tmp_path, body)
    [req] = fake.model_requests()
    assert req.headers["authorization"] == f"Bearer {fake.api_key}"
    assert req.body["stream"] is True and req.body["stream_options"] == {"include_usage": True}
    assert [t["function"]["name"] for t in req.body["tools"]] == ["shell", "write_file"]
    assert [m["role"] for m in req.body["messages"]] == ["system", "user"]
    assert req.body["messages"][1]["content"] == "say hello"


def test_allowed_shell_command_runs_in_the_session_folder_and_always_allow_sticks(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(shell("echo made > by-shell.txt", call_id="call_sh"), text("done"))

    async def body(agent: Agent) -> None:
        sid = await agent.open_session(work)
        assert (await agent.prompt(sid, "make a file"))["result"]["stopReason"] == "end_turn"
        [asked] = agent.asked
        assert (
            asked["toolCall"]["kind"] == "execute"
            and asked["toolCall"]["title"] == "echo made > by-shell.txt"
        )
        assert [o["optionId"] for o in asked["options"]] == OPTIONS
        start = agent.kinds("tool_call")[0]
        assert (start["toolCallId"], start["status"], start["kind"]) == ("call_sh", "pending", "execute")
        done = agent.kinds("tool_call_update")
        assert [u["status"] for u in done] == ["in_progress", "completed"]
        assert done[-1]["rawOutput"] == {"exit_code": 0}
        agent.choice = "always"  # asked once more, then never again in this session
        fake.script(shell("echo 1 > one.txt"), shell("echo 2 > two.txt"), text("done"))
        assert (await agent.prompt(sid, "two more"))["result"]["stopReason"] == "end_turn"
        assert len(agent.asked) == 2

    drive(fake, tmp_path, body)
    assert (work / "one.txt").exists() and (work / "two.txt").exists()
    assert (work / "by-shell.txt").read_text() == "made\n"
    assert tool_messages(fake)[0]["tool_call_id"] == "call_sh"


def test_refused_shell_command_does_not_run_and_the_model_is_told(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(shell("touch refused.txt"), text("ok then"), shell("touch refused.txt"), text("fine"))

    async def body(agent: Agent) -> None:
        sid = await agent.open_session(work)
        for choice in ("reject", None):  # None: the client answers "cancelled"
            agent.choice = choice
            assert (await agent.prompt(sid, "make a file"))["result"]["stopReason"] == "end_turn"
        assert len(agent.asked) == 2
        updates = agent.kinds("tool_call_update")
        assert [u["status"] for u in updates] == ["failed", "failed"]
        assert {u["content"][0]["content"]["text"] for u in updates} == {REFUSED}

    drive(fake, tmp_path, body)
    assert not (work / "refused.txt").exists()
    told = [m["content"] for m in fake.model_requests()[-1].body["messages"] if m["role"] == "tool"]
    assert told == [REFUSED, REFUSED]


def test_allowed_write_file_writes_it_and_reports_a_diff(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(write_file("notes/a.txt", "written\n"), text("wrote it"))
    target = str(work / "notes" / "a.txt")

    async def body(agent: Agent) -> None:
        sid = await agent.open_session(work)
        assert (await agent.prompt(sid, "write"))["result"]["stopReason"] == "end_turn"
        [asked] = agent.asked
        assert asked["toolCall"]["kind"] == "edit" and asked["toolCall"]["title"] == "Write notes/a.txt"
        assert agent.kinds("tool_call")[0]["locations"] == [{"path": target}]
        final = agent.kinds("tool_call_update")[-1]
        assert final["status"] == "completed"
        assert final["content"] == [{"type": "diff", "path": target, "oldText": None, "newText": "written\n"}]

    drive(fake, tmp_path, body)
    assert Path(target).read_text() == "written\n"


def test_cancel_while_the_model_hangs_answers_cancelled_at_once(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(Hang(60))

    async def body(agent: Agent) -> None:
        sid = await agent.open_session(work)
        pending = asyncio.ensure_future(agent.prompt(sid, "take your time"))
        await asyncio.to_thread(fake.wait_for_model_request, READ_S)
        await agent.send({"method": "session/cancel", "params": {"sessionId": sid}})
        answer = await asyncio.wait_for(pending, 3.0)
        assert answer["result"]["stopReason"] == "cancelled"

    drive(fake, tmp_path, body)


def test_cancel_during_a_shell_command_kills_its_process_group(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(shell("echo $$ > pid; sleep 60"), text("never"))

    async def body(agent: Agent) -> None:
        sid = await agent.open_session(work)
        pending = asyncio.ensure_future(agent.prompt(sid, "wait"))
        pgid = await pid_written(work / "pid")  # the command is running once it wrote its pid
        assert live_processes_in_group(pgid)
        await agent.send({"method": "session/cancel", "params": {"sessionId": sid}})
        answer = await asyncio.wait_for(pending, 3.0)
        assert answer["result"]["stopReason"] == "cancelled"
        assert not group_left(pgid)

    drive(fake, tmp_path, body)
    assert len(fake.model_requests()) == 1


def test_a_second_process_loads_the_session_and_replays_its_history(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(text("first answer"), text("second answer"))
    sids: list[str] = []

    async def first(agent: Agent) -> None:
        sids.append(await agent.open_session(work))
        assert (await agent.prompt(sids[0], "first question"))["result"]["stopReason"] == "end_turn"

    async def second(agent: Agent) -> None:
        await agent.result("initialize", {"protocolVersion": 1, "clientCapabilities": {}})
        params = {"sessionId": sids[0], "cwd": str(work), "mcpServers": []}
        loaded = await agent.result("session/load", params)
        assert loaded["models"]["currentModelId"] == "fake-model"
        replay = [(u["sessionUpdate"], u["content"]["text"]) for u in agent.updates]
        assert replay == [("user_message_chunk", "first question"), ("agent_message_chunk", "first answer")]
        assert (await agent.prompt(sids[0], "second question"))["result"]["stopReason"] == "end_turn"

    drive(fake, tmp_path, first)
    drive(fake, tmp_path, second)
    last = fake.model_requests()[-1].body["messages"]
    assert [(m["role"], m["content"]) for m in last[1:]] == [
        ("user", "first question"),
        ("assistant", "first answer"),
        ("user", "second question"),
    ]


def test_protocol_errors_have_their_acp_codes(fake: FakeChatServer, tmp_path: Path, work: Path) -> None:
    fake.script(text("on the large model"))

    async def body(agent: Agent) -> None:
        sid = await agent.open_session(work)
        unknown = "6f1c3f50-0000-4000-8000-000000000000"
        load = await agent.call("session/load", {"sessionId": unknown, "cwd": str(work), "mcpServers": []})
        assert load["error"]["code"] == -32002
        assert load["error"]["message"] == f"Resource not found: {unknown}"
        assert (await agent.call("session/fork", {"sessionId": sid}))["error"]["code"] == -32601
        bad = await agent.call("session/set_model", {"sessionId": sid, "modelId": "no-such-model"})
        assert bad["error"]["code"] == -32602
        assert (
            await agent.result("session/set_model", {"sessionId": sid, "modelId": "fake-model-large"}) == {}
        )
        assert (await agent.prompt(sid, "hi"))["result"]["stopReason"] == "end_turn"

    drive(fake, tmp_path, body)
    assert fake.model_requests()[-1].body["model"] == "fake-model-large"


def test_no_api_key_is_authentication_required(fake: FakeChatServer, tmp_path: Path, work: Path) -> None:
    async def body(agent: Agent) -> None:
        await agent.result("initialize", {"protocolVersion": 1, "clientCapabilities": {}})
        answer = await agent.call("session/new", {"cwd": str(work), "mcpServers": []})
        assert answer["error"]["code"] == -32000
        assert answer["error"]["message"] == "Authentication required"

    drive(fake, tmp_path, body, OPENAI_API_KEY="")
    assert fake.model_requests() == []


def test_model_api_failures_answer_the_prompt_with_errors(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(HttpError(429, "slow down", retry_after=7), HttpError(401, "bad key"), Cut("partial"))

    async def body(agent: Agent) -> None:
        sid = await agent.open_session(work)
        limited = (await agent.prompt(sid, "one"))["error"]
        assert (limited["code"], limited["message"]) == (-32603, "model API error 429: slow down")
        assert limited["data"] == {"status": 429, "retryAfter": 7}
        refused = (await agent.prompt(sid, "two"))["error"]
        assert (refused["code"], refused["message"], refused["data"]) == (
            -32000,
            "Authentication required",
            {"status": 401},
        )
        cut = (await agent.prompt(sid, "three"))["error"]
        assert (cut["code"], cut["message"], cut["data"]) == (
            -32603,
            "model stream ended early",
            {"status": None},
        )

    drive(fake, tmp_path, body)
    assert len(fake.model_requests()) == 3  # no retries


def test_end_of_input_exits_zero_and_kills_a_running_command(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    fake.script(shell("echo $$ > pid; sleep 60"), text("never"))

    async def main() -> None:
        agent = await Agent.start(agent_env(fake, tmp_path), tmp_path)
        try:
            sid = await agent.open_session(work)
            await agent.send(
                {"id": 99, "method": "session/prompt", "params": {"sessionId": sid, "prompt": []}}
            )
            while not agent.kinds("tool_call_update"):  # in_progress: the command is starting
                msg = await agent.read()
                if msg.get("method") == "session/update":
                    agent.updates.append(msg["params"]["update"])
                elif msg.get("method") == "session/request_permission":
                    await agent.send(
                        {"id": msg["id"], "result": {"outcome": {"outcome": "selected", "optionId": "allow"}}}
                    )
            pgid = await pid_written(work / "pid")
            assert agent.proc.stdin is not None
            agent.proc.stdin.close()
            assert await asyncio.wait_for(agent.proc.wait(), READ_S) == 0
            assert not group_left(pgid)
            assert not group_left(agent.proc.pid)
        finally:
            err = await agent.stop()
        assert err == ""

    asyncio.run(asyncio.wait_for(main(), TEST_S))


def test_mcp_server_tools_are_offered_and_called_without_asking(
    fake: FakeChatServer, tmp_path: Path, work: Path
) -> None:
    from oauthpy._mcp_tools import ToolEndpoint
    from oauthpy._tools import build_tools

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    fake.script(call_tool("add", {"a": 2, "b": 3}, call_id="call_mcp"), text("five"))

    async def body(agent: Agent) -> None:
        endpoint = ToolEndpoint(build_tools([add]), lambda event: None)
        await endpoint.start()
        try:
            await agent.result("initialize", {"protocolVersion": 1, "clientCapabilities": {}})
            params = {"cwd": str(work), "mcpServers": [endpoint.acp_server()]}
            sid = (await agent.result("session/new", params))["sessionId"]
            assert (await agent.prompt(sid, "add"))["result"]["stopReason"] == "end_turn"
            assert agent.asked == []
            [start] = agent.kinds("tool_call")
            assert (start["toolCallId"], start["kind"], start["title"]) == ("call_mcp", "other", "add")
            assert (start["status"], start["rawInput"]) == ("in_progress", {"a": 2, "b": 3})
            [done] = agent.kinds("tool_call_update")
            assert done["status"] == "completed" and done["content"][0]["content"]["text"] == "5"
        finally:
            await endpoint.aclose()

    drive(fake, tmp_path, body)
    declared = {t["function"]["name"]: t["function"] for t in fake.model_requests()[0].body["tools"]}
    assert declared["mcp__oauthpy__add"]["parameters"]["required"] == ["a", "b"]
    assert tool_messages(fake)[0]["content"] == "5"
