"""``Session.context()`` on ACP agents: the agent's last ``usage_update`` (the test agent sends
one after each model call, as Qwen Code does), through its own registry entry and the generic
``Client("acp", command=[...])``; an agent that sent none says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, NotSupportedError, SessionIdleError
from oauthpy.testing import Tokens, call_tool, text
from tests.support import ACP_TEST_AGENT, Rig, assert_no_leftovers, open_rig

BOUND_S = 60
#: what agent.py reports as its model's window, and the variable that silences its reports
CONTEXT_WINDOW = 131072
NO_USAGE_VAR = "ACP_TEST_AGENT_NO_USAGE"


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Rig]:
    with open_rig("acp-test", tmp_path) as rig:
        yield rig


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def test_context_is_the_agents_last_usage_update(agent: Rig) -> None:
    agent.fake.script(
        text("first", usage=Tokens(input=300, output=40)),
        call_tool("add", {"a": 1, "b": 2}),
        text("second", usage=Tokens(input=900, output=60)),
    )
    with agent.client().session(cwd=agent.work, tools=[add], timeout=BOUND_S) as chat:
        with pytest.raises(SessionIdleError):
            chat.context()  # no turn yet: the agent has said nothing
        chat.run("one")
        first = chat.context()
        result = chat.run("two")
        second = chat.context()
    assert (first.used_tokens, first.window_tokens) == (340, CONTEXT_WINDOW)
    assert first.left_tokens == CONTEXT_WINDOW - 340
    assert first.raw["sessionUpdate"] == "usage_update"
    # the turn's last model call is what the context holds now
    assert (second.used_tokens, second.window_tokens) == (960, CONTEXT_WINDOW)
    assert result.text == "second"
    assert_no_leftovers(agent.env)


def test_an_acp_agent_that_reported_no_usage_says_so(agent: Rig) -> None:
    agent.fake.script(text("quiet"))
    client = Client("acp-test", auth_source="external", env={**agent.env, NO_USAGE_VAR: "1"})
    with client.session(cwd=agent.work, timeout=BOUND_S) as chat:
        chat.run("one")
        with pytest.raises(NotSupportedError, match="reported no usage"):
            chat.context()
    assert_no_leftovers(agent.env)


def test_any_acp_agent_by_its_command_reports_its_context(agent: Rig) -> None:
    agent.fake.script(text("hello", usage=Tokens(input=500, output=25)))
    client = Client("acp", command=ACP_TEST_AGENT, env=agent.env)  # type: ignore[arg-type]
    with client.session(cwd=agent.work, timeout=BOUND_S) as chat:
        events = list(chat.stream_sync("hi"))
        usage = chat.context()
    assert events[-1].kind is EventKind.DONE
    assert (usage.used_tokens, usage.window_tokens) == (525, CONTEXT_WINDOW)
    assert_no_leftovers(agent.env)
