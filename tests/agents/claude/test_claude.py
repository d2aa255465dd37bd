"""The real claude CLI bundled in claude-agent-sdk (pinned) through Client("claude"), against the fake."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import BaseModel

from oauthpy import (
    Client,
    CommandExecutionError,
    EventKind,
    InvalidOptionsError,
    PermissionRequest,
    StructuredOutputError,
)
from oauthpy.testing import Reply, Tokens, call_tool, text
from oauthpy.testing.anthropic import bash, structured, write_file
from tests.support import assert_no_leftovers, user_mcp_server

claude = Client("claude", auth_source="external")


def prompt_texts(body: dict) -> str:
    return str([m for m in body.get("messages", []) if m.get("role") == "user"])


def test_exact_text_arrives_in_deltas_before_the_result(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(text("Streamed answer from the fake.", chunks=4))
    events = list(claude.stream_sync("hello", cwd=workdir, env=claude_env))
    kinds = [(e.kind, e.delta) for e in events if e.kind in (EventKind.MESSAGE, EventKind.DONE)]
    assert kinds == [(EventKind.MESSAGE, True)] * 4 + [(EventKind.MESSAGE, False), (EventKind.DONE, False)]
    assert "".join(e.text for e in events if e.delta) == "Streamed answer from the fake."
    assert events[-1].text == "Streamed answer from the fake."
    assert_no_leftovers(claude_env)


def test_defaults_are_claude_codes_own_and_prompt_goes_to_the_model(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(text("ok"))
    result = claude.run("--a prompt with dashes", cwd=workdir, env=claude_env)
    body = anthropic_fake.model_requests()[0].body
    assert body["model"] == result.model == "claude-opus-5-5"  # what bare `claude -p` sends here
    assert body["output_config"]["effort"] == "medium"
    assert "--a prompt with dashes" in prompt_texts(body)
    assert result.transport == "sdk" and result.session_id


def test_model_and_effort_can_be_overridden(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(text("ok"))
    claude.run("hi", cwd=workdir, env=claude_env, model="opus", provider_options={"reasoning_effort": "high"})
    assert anthropic_fake.model_requests()[0].body["output_config"]["effort"] == "high"


def test_usage_and_cost_follow_the_fake_token_counts(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(text("a", usage=Tokens(input=1000, cached=400, output=50)))
    one = claude.run("hi", cwd=workdir, env=claude_env)
    anthropic_fake.script(text("b", usage=Tokens(input=2000, cached=800, output=100)))
    two = claude.run("hi", cwd=workdir, env=claude_env)
    u = one.usage
    assert (u.input_tokens, u.cached_input_tokens, u.output_tokens, u.total_tokens) == (1000, 400, 50, 1050)
    assert one.usage.cost_usd and one.usage.cost_usd > 0
    assert two.usage.cost_usd == pytest.approx(2 * one.usage.cost_usd)  # cost is linear in the counts


def test_bash_tool_becomes_a_command_event_with_output(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(bash("echo hello-from-bash"), text("ran it"))
    result = claude.run("run", cwd=workdir, env=claude_env)
    done_cmd = [e for e in result.events if e.kind is EventKind.COMMAND and e.status == "completed"]
    assert [(e.command, e.output) for e in done_cmd] == [("echo hello-from-bash", "hello-from-bash")]
    assert result.text == "ran it"


def test_write_tool_becomes_a_file_change_with_the_path(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(write_file(str(workdir / "notes.txt"), "one\n"), text("written"))
    result = claude.run(
        "write", cwd=workdir, env=claude_env, provider_options={"permission_mode": "acceptEdits"}
    )
    changes = [e for e in result.events if e.kind is EventKind.FILE_CHANGE and e.status == "completed"]
    assert [c.changes[0].path for c in changes] == [str(workdir / "notes.txt")]
    assert (workdir / "notes.txt").read_text() == "one\n"


class Answer(BaseModel):
    answer: str
    confidence: int


def test_structured_output_is_parsed_into_the_pydantic_model(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(structured({"answer": "yes", "confidence": 9}))
    result = claude.run("judge", cwd=workdir, env=claude_env, output_schema=Answer)
    assert result.output == Answer(answer="yes", confidence=9)
    assert result.text == '{"answer":"yes","confidence":9}'
    tools = [t["name"] for t in anthropic_fake.model_requests()[0].body["tools"]]
    assert "StructuredOutput" in tools


def test_output_format_spelling_works_too(anthropic_fake, claude_env, workdir):
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    anthropic_fake.script(structured({"n": 4}))
    opts = {"output_format": {"type": "json_schema", "schema": schema}}
    assert claude.run("n", cwd=workdir, env=claude_env, provider_options=opts).text == '{"n":4}'


def test_invalid_structured_output_raises(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(structured({"wrong": "shape"}))
    with pytest.raises(StructuredOutputError):
        claude.run("judge", cwd=workdir, env=claude_env, output_schema=Answer, timeout=60)


def test_inherited_claudecode_variable_does_not_break_a_nested_run(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(text("nested ok"))
    assert claude.run("hi", cwd=workdir, env={**claude_env, "CLAUDECODE": "1"}).text == "nested ok"


def test_options_are_checked_before_anything_starts(anthropic_fake, claude_env, workdir):
    with pytest.raises(InvalidOptionsError, match="valid keys"):
        claude.run("hi", cwd=workdir, env=claude_env, provider_options={"turns": 3})
    with pytest.raises(InvalidOptionsError, match="must be int"):
        claude.run("hi", cwd=workdir, env=claude_env, provider_options={"max_turns": "3"})
    with pytest.raises(InvalidOptionsError, match="does not support option 'no_such_field'"):
        claude.run("hi", cwd=workdir, env=claude_env, provider_options={"sdk_options": {"no_such_field": 1}})
    with pytest.raises(InvalidOptionsError, match="low, medium, high, xhigh, max"):
        claude.run("hi", cwd=workdir, env=claude_env, provider_options={"reasoning_effort": "minimal"})
    assert anthropic_fake.requests == []


def test_max_turns_reached_has_its_own_message(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(bash("echo again"))
    with pytest.raises(CommandExecutionError, match="turn limit"):
        claude.run("loop", cwd=workdir, env=claude_env, provider_options={"max_turns": 1})


CLOSED_EARLY_IN_ASYNCIO_RUN = """
import asyncio, contextlib, sys
from oauthpy import Client

async def main():
    events = Client("claude", auth_source="external").stream("hi", cwd=sys.argv[1], timeout=60)
    async with contextlib.aclosing(events):
        async for _event in events:
            return

asyncio.run(main())
import gc
gc.collect()  # the program goes on: what the run left behind is collected now
"""


def test_a_stream_closed_early_inside_asyncio_run_closes_its_pipes_before_the_loop_ends(
    anthropic_fake, claude_env, workdir
):
    # The SDK leaves an early-ended run's pipes to the garbage collector; if that came after
    # asyncio.run() closed its loop, the transport's __del__ would print "Event loop is closed".
    anthropic_fake.script(Reply(text="many slow parts of an answer", chunks=8, chunk_delay_s=1.0))
    done = subprocess.run(
        [sys.executable, "-c", CLOSED_EARLY_IN_ASYNCIO_RUN, str(workdir)],
        env={**os.environ, **claude_env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Event loop is closed" not in done.stderr and "is closed" not in done.stderr, done.stderr
    assert_no_leftovers(claude_env)


def test_a_users_own_mcp_server_named_oauthpy_still_reaches_on_permission(
    anthropic_fake, claude_env, workdir, tmp_path
):
    # a server of the user's own named oauthpy (`claude mcp add oauthpy -- oauthpy mcp serve`):
    # its tools are mcp__oauthpy__<name> like the run's own; only the run's own skip on_permission
    server = {"type": "stdio", **user_mcp_server(tmp_path, workdir)}
    asked: list[PermissionRequest] = []

    def refuse(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    anthropic_fake.script(call_tool("touch", {"name": "unasked.txt"}), text("done"))
    claude.run(
        "go",
        cwd=workdir,
        env={**claude_env, "ENABLE_TOOL_SEARCH": "false"},  # its MCP tools in the request itself
        on_permission=refuse,
        provider_options={"mcp_servers": {"oauthpy": server}},
        timeout=120,
    )
    assert not (workdir / "unasked.txt").exists()
    assert [(r.kind, r.tool_name) for r in asked] == [("tool", "mcp__oauthpy__touch")]
    assert_no_leftovers(claude_env)
