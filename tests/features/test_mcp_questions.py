"""``oauthpy mcp serve`` forwards an agent's question to its client as an MCP elicitation, and
declines it for a client without elicitation. The client is the ``mcp`` library's own, over the
server's stdio; the agent is the real Claude Code asking with ``AskUserQuestion`` (fake model)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp.types as mt
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from oauthpy import Question, QuestionOption
from oauthpy._mcp_serve.questions import answer_of, form, message
from oauthpy._questions import DECLINED
from oauthpy.testing import ask_user_question, text
from tests.support import Rig, assert_no_leftovers, open_rig

QUESTION = "Which language should the script use?"
ASK = ask_user_question(QUESTION, ["Python", "Go"], header="Language")
WAIT_S = 120


def tool_result(rig: Rig) -> str:
    """The text of the ``tool_result`` the model got for its question."""
    last = rig.fake.model_requests()[-1].body["messages"][-1]
    [block] = [b for b in last["content"] if b.get("type") == "tool_result"]
    content = block["content"]
    return content if isinstance(content, str) else "".join(c.get("text", "") for c in content)


def call(rig: Rig, elicitation: Any) -> mt.CallToolResult:
    """One ``tools/call`` of the claude tool by an ``mcp`` client (offering elicitation when
    ``elicitation`` is a callback), the server a process of its own."""
    server = StdioServerParameters(
        command=sys.executable,
        args=[
            "-m",
            "oauthpy.cli",
            "mcp",
            "serve",
            "--agent",
            "claude",
            "--source",
            "external",
            "--cwd",
            str(rig.work),
        ],
        env={**os.environ, **rig.env},
    )

    async def main() -> mt.CallToolResult:
        with anyio.fail_after(WAIT_S):
            async with Client(server, mode="legacy", elicitation_callback=elicitation) as client:
                return await client.call_tool("claude", {"prompt": "write me a script"})

    return anyio.run(main)


@pytest.fixture
def claude(tmp_path: Path) -> Any:
    with open_rig("claude", tmp_path) as rig:
        yield rig
    assert_no_leftovers(rig.env)


def test_a_question_is_an_elicitation_and_the_persons_answer_goes_back_to_the_agent(claude: Rig):
    claude.fake.script(ASK, text("Go it is."))
    asked: list[Any] = []

    async def elicit(context: Any, params: Any) -> mt.ElicitResult:
        asked.append(params)
        return mt.ElicitResult(action="accept", content={"answer": "Go"})

    result = call(claude, elicit)
    assert not result.is_error, result
    [params] = asked
    assert QUESTION in params.message and "- Python: Python." in params.message
    assert params.requested_schema["properties"]["answer"]["enum"] == ["Python", "Go"]
    said = tool_result(claude)
    assert f'"{QUESTION}"="Go"' in said and DECLINED not in said
    assert result.structured_content is not None
    assert result.structured_content["text"] == "Go it is."


def test_a_declined_elicitation_or_a_client_without_elicitation_is_a_declined_question(
    claude: Rig,
):
    claude.fake.script(ASK, text("I will pick one myself."), ASK, text("Picked myself again."))
    asked: list[Any] = []

    async def decline(context: Any, params: Any) -> mt.ElicitResult:
        asked.append(params)
        return mt.ElicitResult(action="decline")

    assert not call(claude, decline).is_error
    assert len(asked) == 1 and tool_result(claude) == DECLINED
    # a client that offers no elicitation is not asked (the mcp client would answer an error)
    assert not call(claude, None).is_error
    assert tool_result(claude) == DECLINED


@pytest.mark.fast
def test_the_form_offers_the_options_or_own_words_and_reads_the_answer_back():
    one = Question("Pick \x1b[2J one", (QuestionOption("a", "first"), QuestionOption("b")), header="H")
    several = Question("Pick some", (QuestionOption("a"), QuestionOption("b")), multiple=True)
    assert form(one)["properties"]["answer"] == {"type": "string", "title": "Answer", "enum": ["a", "b"]}
    assert form(several)["properties"]["answer"]["items"]["enum"] == ["a", "b"]
    assert form(Question("Name it?"))["required"] == ["answer"]
    shown = message("Claude Code", one)
    assert "\x1b" not in shown and "\\x1b[2J" in shown and "- a: first" in shown
    assert answer_of({"answer": "b"}) == "b"
    assert answer_of({"answer": ["a", "b"]}) == ["a", "b"]
    assert answer_of({"answer": "a", "own_words": "neither, use c"}) == "neither, use c"
    assert answer_of({}) is None and answer_of({"answer": []}) is None and answer_of(None) is None
