"""The chat-completions fake (`oauthpy.testing.chat`), driven over plain HTTP: every shared step
as the wire shape OpenAI-compatible agents parse, and the tool each generic step picks."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oauthpy.testing import (
    Cut,
    Echo,
    FakeGitHubApi,
    HttpError,
    Match,
    SseError,
    Tokens,
    call_tool,
    shell,
    text,
    write_file,
)
from oauthpy.testing.chat import FakeChatServer, without_tools
from oauthpy.testing.script import Reply

pytestmark = pytest.mark.fast

BASH = {  # OpenCode's bash tool
    "type": "function",
    "function": {
        "name": "bash",
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "string"},
                "timeout": {"type": "number"},
                "description": {"type": "string"},
            },
            "required": ["command", "description"],
        },
    },
}
ARGV_SHELL = {  # codex's shell tool: the command is an argv array
    "type": "function",
    "function": {
        "name": "shell",
        "parameters": {
            "type": "object",
            "properties": {"command": {"type": "array", "items": {"type": "string"}}},
            "required": ["command"],
        },
    },
}
WRITE = {  # OpenCode's write tool
    "type": "function",
    "function": {
        "name": "write",
        "parameters": {
            "type": "object",
            "properties": {"filePath": {"type": "string"}, "content": {"type": "string"}},
            "required": ["filePath", "content"],
        },
    },
}


def _fn(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeChatServer]:
    with FakeChatServer() as server:  # one for the module: each close waits out a 0.5 s poll
        yield server


@pytest.fixture
def fake(_server: FakeChatServer) -> FakeChatServer:
    with _server._lock:
        _server.requests.clear()
    return _server.script()


def _post(
    fake: FakeChatServer, body: dict[str, Any], path: str = "/v1/chat/completions"
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    headers = {"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"}
    conn.request("POST", path, json.dumps(body), headers)
    resp = conn.getresponse()
    return resp, resp.read()


def _chat(stream: bool = True, tools: tuple[dict[str, Any], ...] = (), **extra: Any) -> dict[str, Any]:
    messages = [{"role": "user", "content": "hi"}]
    return {"model": "fake-model", "messages": messages, "stream": stream, "tools": list(tools), **extra}


def _events(raw: bytes) -> list[Any]:
    return [
        line[6:] if line == "data: [DONE]" else json.loads(line[6:])
        for line in raw.decode().split("\n")
        if line.startswith("data: ")
    ]


def _calls(events: list[Any]) -> list[dict[str, Any]]:
    """The streamed tool calls, their argument pieces joined as a client does."""
    calls: dict[int, dict[str, Any]] = {}
    for ev in events[:-1]:
        for part in ev["choices"][0]["delta"].get("tool_calls", []) if ev["choices"] else []:
            call = calls.setdefault(part["index"], {"pieces": 0, "arguments": ""})
            call.update({k: part[k] for k in ("id", "type") if k in part})
            call.setdefault("name", part["function"].get("name"))
            call["arguments"] += part["function"]["arguments"]
            call["pieces"] += 1
    return [{**c, "arguments": json.loads(c["arguments"])} for c in calls.values()]


def test_text_streams_in_chunks_then_finish_usage_and_done(fake: FakeChatServer):
    usage = Tokens(input=50, cached=10, output=7, reasoning=2)
    fake.script(text("Hello there, world", chunks=3, usage=usage))
    resp, raw = _post(fake, _chat(stream_options={"include_usage": True}))
    assert resp.status == 200 and resp.getheader("Content-Type") == "text/event-stream"
    events = _events(raw)
    assert events[-1] == "[DONE]"
    assert events[0]["object"] == "chat.completion.chunk" and events[0]["model"] == "fake-model"
    assert events[0]["choices"][0]["delta"]["role"] == "assistant"
    pieces = [e["choices"][0]["delta"]["content"] for e in events[1:-3]]
    assert pieces == ["Hello ", "there,", " world"]
    assert events[-3]["choices"][0]["finish_reason"] == "stop" and "usage" not in events[-3]
    assert events[-2]["choices"] == []
    assert events[-2]["usage"] == {
        "prompt_tokens": 50,
        "completion_tokens": 7,
        "total_tokens": 57,
        "prompt_tokens_details": {"cached_tokens": 10},
        "completion_tokens_details": {"reasoning_tokens": 2},
    }
    # not asked for its own chunk: the usage rides on the finishing one
    _, raw = _post(fake, _chat())
    last = _events(raw)[-2]
    assert last["choices"][0]["finish_reason"] == "stop" and last["usage"]["total_tokens"] == 57


def test_reasoning_streams_as_reasoning_content_before_the_text(fake: FakeChatServer):
    fake.script(text("Answer.", chunks=1, reasoning="Let me think."))
    events = _events(_post(fake, _chat())[1])
    deltas = [e["choices"][0]["delta"] for e in events[1:-2]]
    assert "".join(d.get("reasoning_content", "") for d in deltas) == "Let me think."
    assert [d.get("content") for d in deltas] == [None, None, "Answer."]


def test_shell_calls_opencodes_bash_with_a_description_streaming_the_arguments(fake: FakeChatServer):
    fake.script(shell("echo made-by-shell", say="Running it."))
    events = _events(_post(fake, _chat(tools=(WRITE, BASH)))[1])
    (call,) = _calls(events)
    assert call["name"] == "bash" and call["type"] == "function" and call["id"].startswith("call_")
    assert call["arguments"]["command"] == "echo made-by-shell"
    assert call["arguments"]["description"]  # required by the schema: a non-empty text
    assert "timeout" not in call["arguments"]  # optional: left out
    assert call["pieces"] > 2  # the head, then the arguments in pieces
    assert events[1]["choices"][0]["delta"]["content"]
    assert events[-2]["choices"][0]["finish_reason"] == "tool_calls"


def test_shell_gives_an_argv_array_where_the_schema_wants_one(fake: FakeChatServer):
    fake.script(shell("echo hi"))
    _, raw = _post(fake, _chat(stream=False, tools=(_fn("read"), ARGV_SHELL)))
    (call,) = json.loads(raw)["choices"][0]["message"]["tool_calls"]
    assert call["function"]["name"] == "shell"
    assert json.loads(call["function"]["arguments"]) == {"command": ["bash", "-c", "echo hi"]}


def test_write_file_fills_opencodes_write_tool(fake: FakeChatServer):
    fake.script(write_file("made.txt", "hello\n"))
    (call,) = _calls(_events(_post(fake, _chat(tools=(BASH, WRITE)))[1]))
    assert call["name"] == "write"
    assert call["arguments"] == {"filePath": "made.txt", "content": "hello\n"}


def test_a_step_with_no_fitting_tool_is_a_400_naming_the_declared_tools(fake: FakeChatServer):
    fake.script(shell("echo hi"))
    resp, raw = _post(fake, _chat(tools=(WRITE, _fn("read"))))
    assert resp.status == 400
    assert "no shell tool" in json.loads(raw)["error"]["message"]
    assert "declared: write, read" in json.loads(raw)["error"]["message"]


@pytest.mark.parametrize("declared", ["mcp__oauthpy__add", "oauthpy_add"])
def test_call_tool_finds_the_users_tool_under_the_agents_name(fake: FakeChatServer, declared: str):
    fake.script(call_tool("add", {"a": 2, "b": 3}))
    (call,) = _calls(_events(_post(fake, _chat(tools=(BASH, _fn(declared))))[1]))
    assert call["name"] == declared and call["arguments"] == {"a": 2, "b": 3}


def test_http_error_429_has_retry_after_and_an_openai_error_body(fake: FakeChatServer):
    fake.script(HttpError(429, "slow down", retry_after=2))
    resp, raw = _post(fake, _chat())
    assert resp.status == 429 and resp.getheader("Retry-After") == "2"
    error = json.loads(raw)["error"]
    assert error["message"] == "slow down" and error["code"] == "rate_limit_exceeded" and error["type"]


def test_cut_breaks_the_body_off_without_done(fake: FakeChatServer):
    fake.script(Cut("partial answer"))
    with pytest.raises(http.client.IncompleteRead) as broke:
        _post(fake, _chat())
    events = _events(broke.value.partial)
    assert "".join(e["choices"][0]["delta"]["content"] for e in events) == "partial answer"
    assert b"[DONE]" not in broke.value.partial


def test_sse_error_is_an_error_chunk_in_the_stream(fake: FakeChatServer):
    fake.script(SseError("server_error", "boom"))
    events = _events(_post(fake, _chat())[1])
    assert events[-1] == {
        "error": {"message": "boom", "type": "server_error", "param": None, "code": "server_error"}
    }


def test_non_streaming_answer_is_one_chat_completion(fake: FakeChatServer):
    fake.script(Reply(text="Done.", reasoning="hm", usage=Tokens(input=5, output=3)))
    resp, raw = _post(fake, _chat(stream=False), path="/chat/completions")
    body = json.loads(raw)
    assert resp.status == 200 and body["object"] == "chat.completion"
    (choice,) = body["choices"]
    assert choice["message"]["content"] == "Done." and choice["message"]["reasoning_content"] == "hm"
    assert choice["finish_reason"] == "stop" and body["usage"]["total_tokens"] == 8


def test_match_and_echo_answer_by_the_prompt(fake: FakeChatServer):
    fake.script(Match("fail-me", HttpError(400), otherwise=Echo()))
    assert _post(fake, _chat(messages=[{"role": "user", "content": "fail-me"}]))[0].status == 400
    events = _events(_post(fake, _chat(messages=[{"role": "user", "content": "token-ab12"}]))[1])
    assert "".join(e["choices"][0]["delta"].get("content", "") for e in events[:-1]) == "echo token-ab12"


def test_model_requests_are_the_completions_only_and_models_are_listed(fake: FakeChatServer):
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    conn.request("GET", "/v1/models")
    ids = [m["id"] for m in json.loads(conn.getresponse().read())["data"]]
    assert ids == ["fake-model", "fake-model-large"]
    _post(fake, _chat(), path="/v1/embeddings")
    _post(fake, _chat())
    assert [r.path for r in fake.model_requests()] == ["/v1/chat/completions"]
    assert len(fake.requests) == 3


def test_env_points_at_v1_with_a_random_key_and_creates_root(fake: FakeChatServer, tmp_path: Path):
    env = fake.env(tmp_path / "agent")
    assert (tmp_path / "agent").is_dir()
    assert env == {"OPENAI_BASE_URL": f"{fake.url}/v1", "OPENAI_API_KEY": fake.api_key}
    assert fake.base_url == env["OPENAI_BASE_URL"] and fake.api_key.startswith("fake-chat-key-")
    with FakeChatServer() as other:
        assert other.api_key != fake.api_key


def test_an_aside_request_takes_no_step_and_is_no_model_request():
    # OpenCode's title request declares no tools; it must not eat the step its turn was scripted
    with FakeChatServer([text("scripted turn")], aside=without_tools) as fake:
        title = _events(_post(fake, _chat())[1])
        turn = _events(_post(fake, _chat(tools=(BASH,)))[1])
        assert title[1]["choices"][0]["delta"]["content"] == fake.aside_reply.text
        assert "".join(e["choices"][0]["delta"].get("content", "") for e in turn[:-1]) == "scripted turn"
        assert len(fake.model_requests()) == 1 and len(fake.requests) == 2


def test_a_wait_for_a_model_request_that_times_out_says_what_did_arrive(fake: FakeChatServer):
    with pytest.raises(TimeoutError, match=r"in 0\.01 s; it got no request$"):
        fake.wait_for_model_request(timeout=0.01)
    with FakeChatServer([text("scripted turn")], aside=without_tools) as titled:
        _post(titled, _chat())  # a title request: no model request
        with pytest.raises(TimeoutError, match=r"it got 1 other request: POST /v1/chat/completions$"):
            titled.wait_for_model_request(timeout=0.01)
        with pytest.raises(TimeoutError, match=r"0 of 2 model requests arrived in 0\.01 s; it got 1 other"):
            titled.wait_for_model_requests(2, timeout=0.01)


@pytest.mark.parametrize(
    ("make", "server_attribute"),
    [(FakeChatServer, "_httpd"), (FakeGitHubApi, "_server")],
    ids=["model-fake", "github-api-fake"],
)
def test_an_agent_that_hangs_up_leaves_no_traceback_but_a_real_error_still_shows(
    make: Any, server_attribute: str, capsys: pytest.CaptureFixture[str]
):
    # an agent killed mid-run resets its kept-alive connection while a handler reads for its
    # next request; `oauthpy run` in offline mode printed that traceback after a Ctrl-C (CI89).
    # Copilot's account proxy in the tests (FakeGitHubApi) is such a server too.
    with make() as fake:
        server = getattr(fake, server_attribute)
        for error, shown in ((ConnectionResetError(104, "reset"), False), (ValueError("a bug"), True)):
            try:
                raise error
            except Exception:
                server.handle_error(None, ("127.0.0.1", 1))
            assert ("Traceback" in capsys.readouterr().err) is shown, error
