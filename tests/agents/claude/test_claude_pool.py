"""Warm claude processes inside ``with Client("claude")``: reused with ``/clear``, as isolated as
a fresh run, and never reused when the last run left something behind (real pinned CLI)."""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
import os
import re
import signal
import time
from typing import Any

import pytest

from oauthpy import Client, TimeoutExceededError
from oauthpy._agents.claude.pool import ClaudeAgent
from oauthpy.testing import Hang, Reply, ToolCall, call_tool, text
from oauthpy.testing.anthropic import bash
from tests.support import assert_no_leftovers

#: the three text blocks in which Claude Code records a ``/clear`` in the next conversation
CLEAR_RECORD = (
    "<local-command-caveat>",
    "<command-name>/clear</command-name>",
    "<local-command-stdout></local-command-stdout>",
)


def dialogue(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] in ("user", "assistant")]


def normalized(body: dict[str, Any]) -> dict[str, Any]:
    """A model request without what differs between any two fresh runs (the session id, a
    version hash) and the record of the ``/clear``."""
    b = copy.deepcopy(body)
    b.get("metadata", {}).pop("user_id", None)
    for block in b.get("system") or []:
        if isinstance(block, dict) and isinstance(block.get("text"), str):
            block["text"] = re.sub(r"cc_version=[^;]*;", "cc_version=X;", block["text"])
    first = b["messages"][0]
    if isinstance(first.get("content"), list):
        first["content"] = [
            x
            for x in first["content"]
            if not (x.get("type") == "text" and x["text"].lstrip().startswith(CLEAR_RECORD))
        ]
    return b


def counts(client: Client) -> tuple[int, int]:
    pool = client._runner.pool
    assert pool is not None
    return pool.started, pool.reused


def test_a_warm_run_is_as_isolated_as_a_fresh_one_and_pays_its_own_cost(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(text("one"), text("two"), text("fresh"))
    with Client("claude", auth_source="external", env=claude_env) as client:
        first = client.run("remember TOKEN-A", cwd=workdir)
        second = client.run("what was the token? TOKEN-B", cwd=workdir)
        assert counts(client) == (1, 1)  # one process served both
    fresh = Client("claude", auth_source="external", env=claude_env).run(
        "what was the token? TOKEN-B", cwd=workdir
    )
    pooled_body, fresh_body = (r.body for r in anthropic_fake.model_requests()[1:])
    assert (first.text, second.text, fresh.text) == ("one", "two", "fresh")
    assert first.session_id != second.session_id  # a conversation of its own
    assert "TOKEN-A" not in json.dumps(pooled_body)
    (only,) = dialogue(pooled_body)  # one user message, ending in the run's prompt
    assert only["role"] == "user" and only["content"][-1]["text"] == "what was the token? TOKEN-B"
    assert normalized(pooled_body) == normalized(fresh_body)
    # the CLI's running cost starts again: the second run pays for itself alone
    assert second.usage.cost_usd == fresh.usage.cost_usd == first.usage.cost_usd > 0
    assert_no_leftovers(claude_env)


def test_each_warm_run_asks_its_own_callback_and_allow_always_lasts_one_run(
    anthropic_fake, claude_env, workdir
):
    anthropic_fake.script(
        bash("echo one > one.txt"),
        text("first done"),
        bash("echo two > two.txt", call_id="2"),
        text("second done"),
    )
    asked: list[str] = []

    def always(request: object) -> str:
        asked.append("first")
        return "allow_always"

    def once(request: object) -> str:
        asked.append("second")
        return "deny"

    with Client("claude", auth_source="external", env=claude_env) as client:
        client.run("one", cwd=workdir, on_permission=always)
        client.run("two", cwd=workdir, on_permission=once)
        assert counts(client) == (1, 1)
    # the second run was asked (allow_always of the first did not carry over), by its own callback
    assert asked == ["first", "second"]
    assert (workdir / "one.txt").exists() and not (workdir / "two.txt").exists()
    assert_no_leftovers(claude_env)


def test_a_run_that_leaves_a_background_shell_does_not_give_its_process_back(
    anthropic_fake, claude_env, workdir
):
    background = ToolCall(
        "Bash", {"command": "sleep 30", "run_in_background": True, "description": "bg"}, "bg1"
    )
    anthropic_fake.script(Reply(tool_calls=(background,)), text("started"), text("next"))
    options = {"allowed_tools": ["Bash"]}
    with Client("claude", auth_source="external", env=claude_env) as client:
        client.run("start it", cwd=workdir, provider_options=options)
        assert client.run("next", cwd=workdir, provider_options=options).text == "next"
        assert counts(client) == (2, 0)  # its shell would speak in the next conversation
    assert_no_leftovers(claude_env)


def test_a_run_that_schedules_a_cron_does_not_give_its_process_back(anthropic_fake, claude_env, workdir):
    cron = ToolCall("CronCreate", {"cron": "*/5 * * * *", "prompt": "ping", "recurring": True}, "cr1")
    anthropic_fake.script(Reply(tool_calls=(cron,)), text("scheduled"), text("next"))
    options = {"allowed_tools": ["CronCreate"]}
    with Client("claude", auth_source="external", env=claude_env) as client:
        client.run("schedule it", cwd=workdir, provider_options=options)
        assert client.run("next", cwd=workdir, provider_options=options).text == "next"
        assert counts(client) == (2, 0)  # crons survive /clear
    assert_no_leftovers(claude_env)


def test_a_slash_command_runs_on_a_process_of_its_own(anthropic_fake, claude_env, workdir):
    anthropic_fake.script(text("one"), text("two"))
    with Client("claude", auth_source="external", env=claude_env) as client:
        client.run("one", cwd=workdir)
        client.run("/model claude-haiku-4-5", cwd=workdir)  # would change the process's model
        client.run("two", cwd=workdir)
        assert counts(client) == (1, 1)  # the warm one served the first and last run only
    assert (
        anthropic_fake.model_requests()[-1].body["model"] == anthropic_fake.model_requests()[0].body["model"]
    )
    assert_no_leftovers(claude_env)


def test_a_timed_out_run_closes_its_process_and_the_next_starts_a_new_one(
    anthropic_fake, claude_env, workdir
):
    anthropic_fake.script(Hang(30), text("next"))
    with Client("claude", auth_source="external", env=claude_env) as client:
        with pytest.raises(TimeoutExceededError):
            client.run("q", cwd=workdir, idle_timeout=3)
        assert client.run("q2", cwd=workdir).text == "next"
        assert counts(client) == (2, 0)
    assert_no_leftovers(claude_env)


def test_runs_with_other_settings_get_other_processes(anthropic_fake, claude_env, workdir):
    other = workdir / "other"
    other.mkdir()
    anthropic_fake.script(text("a"), text("b"), text("c"))
    with Client("claude", auth_source="external", env=claude_env) as client:
        client.run("a", cwd=workdir)
        client.run("b", cwd=other)  # the folder is fixed when the CLI starts
        client.run("c", cwd=workdir, provider_options={"reasoning_effort": "high"})
        assert counts(client) == (3, 0)
    bodies = [r.body for r in anthropic_fake.model_requests()]
    assert str(other) in json.dumps(bodies[1]) and bodies[2]["output_config"]["effort"] == "high"
    assert_no_leftovers(claude_env)


def test_a_batch_shares_one_warm_process_per_worker_and_keeps_every_item_apart(
    anthropic_fake, claude_env, workdir
):
    prompts = [f"item TOKEN-{i}" for i in range(8)]
    anthropic_fake.script(*(text("ok") for _ in prompts))
    with Client("claude", auth_source="external", env=claude_env) as client:
        results = client.map(prompts, concurrency=2, cwd=workdir)
        started, reused = counts(client)
    assert started <= 2 and started + reused == 8  # each worker's process served its items
    assert [r.text for r in results] == ["ok"] * 8  # type: ignore[union-attr]
    for request in anthropic_fake.model_requests():
        (only,) = dialogue(request.body)
        assert len(re.findall(r"TOKEN-\d", json.dumps(only))) == 1  # its own prompt, no other
    assert_no_leftovers(claude_env)


TENANT: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="none")


def test_each_warm_run_calls_its_own_tool_functions_in_its_own_contextvars(
    anthropic_fake, claude_env, workdir
):
    anthropic_fake.script(call_tool("whoami", {}), text("one"), call_tool("whoami", {}), text("two"))
    seen: list[tuple[str, str]] = []

    def tool_of(run: str) -> Any:
        def whoami() -> str:
            """Say who is asking."""
            seen.append((run, TENANT.get()))
            return TENANT.get()

        return whoami  # a new function per run, as a closure made per request would be

    async def main() -> tuple[int, int]:
        async with Client("claude", auth_source="external", env=claude_env) as client:

            async def run_as(tenant: str) -> None:
                TENANT.set(tenant)
                await client.arun(f"for {tenant}", cwd=workdir, tools=[tool_of(tenant)])

            await asyncio.create_task(run_as("alice"))
            await asyncio.create_task(run_as("bob"))
            return counts(client)

    assert asyncio.run(main()) == (1, 1)  # the same warm process served both
    assert seen == [("alice", "alice"), ("bob", "bob")]  # bob's own function, in bob's context
    assert_no_leftovers(claude_env)


def test_a_run_cancelled_during_its_clear_leaves_no_process(anthropic_fake, claude_env, workdir, monkeypatch):
    anthropic_fake.script(text("one"))
    clearing: list[asyncio.Event] = []

    async def held(self: ClaudeAgent) -> bool:
        clearing[0].set()
        await asyncio.get_running_loop().create_future()  # never answers: the run is cancelled here
        return True

    monkeypatch.setattr(ClaudeAgent, "clear", held)

    async def main() -> None:
        clearing.append(asyncio.Event())
        async with Client("claude", auth_source="external", env=claude_env) as client:
            run = asyncio.create_task(client.arun("one", cwd=workdir))
            await asyncio.wait_for(clearing[0].wait(), 60)
            run.cancel()
            with pytest.raises(asyncio.CancelledError):
                await run
            assert_no_leftovers(claude_env, within_s=5)  # before the block closes the pool

    asyncio.run(main())
    assert_no_leftovers(claude_env)


def test_a_warm_process_that_died_while_idle_unnoticed_costs_the_next_run_nothing(
    anthropic_fake, claude_env, workdir, monkeypatch
):
    # Checkout trusts a process the event loop has not yet seen exit (`ClaudeAgent.usable`):
    # here it never sees it, so the run itself meets the dead process and goes on a fresh one.
    anthropic_fake.script(text("one"), text("two"))
    with Client("claude", auth_source="external", env=claude_env) as client:
        assert client.run("first", cwd=workdir).text == "one"
        pool = client._runner.pool
        assert pool is not None
        (idle,) = [entry.agent for entry in pool._idle]
        assert isinstance(idle, ClaudeAgent) and idle.cli is not None
        pid = idle.cli.client._transport._process.pid
        os.kill(pid, signal.SIGKILL)
        for _ in range(500):  # bounded: until it has exited (a zombie, or reaped)
            if idle.exited():
                break
            time.sleep(0.01)
        assert idle.exited()
        monkeypatch.setattr(ClaudeAgent, "usable", property(lambda self: not self._closed))
        second = client.run("second", cwd=workdir)
        assert second.text == "two"
        assert counts(client) == (2, 1)  # the dead one was checked out, then a new one started
    first_body, second_body = (json.dumps(r.body) for r in anthropic_fake.model_requests())
    assert '"first"' in first_body and '"second"' in second_body and '"first"' not in second_body
    assert_no_leftovers(claude_env)
