"""Which claude runs may share a warm process, and which settings make them need another."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from oauthpy._agents.claude.pool import pool_key, poolable
from oauthpy._options import build_request
from oauthpy._pool import AgentPool

pytestmark = pytest.mark.fast


def lookup(item: str) -> str:
    """Look an item up."""
    return item


def made_lookup(doc: str = "Look an item up elsewhere.") -> object:
    def lookup(item: str) -> str:
        return item

    lookup.__doc__ = doc
    return lookup


@pytest.mark.parametrize(
    ("prompt", "kw", "shared"),
    [
        ("summarize", {}, True),
        ("  /model claude-haiku-4-5", {}, False),  # a slash command changes the process
        ("/clear", {}, False),
        ("go on", {"resume": "80fb1d47-2d28-409b-9c3d-169e33f8e617"}, False),
        ("hi", {"provider_options": {"sdk_options": {"verbatim_prompts": True}}}, False),
        ("hi", {"provider_options": {"sdk_options": {"fork_session": True}}}, False),
        ("hi", {"provider_options": {"sdk_options": {"continue_conversation": True}}}, False),
        ("hi", {"provider_options": {"sdk_options": {"max_thinking_tokens": 1000}}}, True),
        # an MCP server of the user's keeps its own state past /clear
        ("hi", {"provider_options": {"mcp_servers": {"x": {"command": "srv"}}}}, False),
        ("hi", {"provider_options": {"sdk_options": {"mcp_servers": {"x": {"command": "srv"}}}}}, False),
    ],
)
def test_what_may_run_on_a_warm_process(tmp_path: Path, prompt: str, kw: dict[str, object], shared: bool):
    assert poolable(build_request(prompt, cwd=tmp_path, **kw)) is shared  # type: ignore[arg-type]


def test_the_key_holds_every_setting_fixed_at_start_and_no_secret(tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    env = {"ANTHROPIC_API_KEY": "sk-ant-secret-value"}

    def key(**kw: object) -> str:
        return pool_key(build_request("p", **{"cwd": tmp_path, **kw}), dict(kw.pop("env", env)))  # type: ignore[arg-type]

    base = key()
    assert "sk-ant-secret-value" not in base  # hashed
    assert key() == base
    # the prompt and the timeouts travel with the run
    assert pool_key(build_request("another prompt", cwd=tmp_path, timeout=5), env) == base
    changed = [
        key(cwd=other),
        key(model="sonnet"),
        key(provider_options={"reasoning_effort": "high"}),
        key(output_schema={"type": "object"}),
        key(env={"ANTHROPIC_API_KEY": "sk-ant-another"}),
        key(on_permission=lambda request: True),
        key(tools=[lookup]),
    ]
    assert len({base, *changed}) == len(changed) + 1
    # tools count by what the CLI was shown of them, not by the function object: a closure made
    # per call shares the process, and each run's calls go to its own function
    assert key(tools=[made_lookup()]) == key(tools=[made_lookup()])
    assert key(tools=[made_lookup()]) != key(tools=[made_lookup("Another description.")])


class FakeAgent:
    def __init__(self) -> None:
        self.closed = False

    @property
    def usable(self) -> bool:
        return not self.closed

    async def aclose(self) -> None:
        self.closed = True

    def kill_now(self) -> None:
        self.closed = True


def test_a_pool_keeps_at_most_max_idle_agents_closing_the_one_idle_longest():
    async def main() -> list[bool]:
        pool = AgentPool(keep_alive=60, max_idle=2)
        agents = [FakeAgent() for _ in range(4)]
        for number, agent in enumerate(agents):
            await pool.release(f"key-{number}", agent, reuse=True)  # each needs other settings
        await asyncio.sleep(0)  # the background closes
        closed = [a.closed for a in agents]
        await pool.aclose()
        return closed

    assert asyncio.run(main()) == [True, True, False, False]
