"""``fallback=``: when one agent's plan runs out (or it is not installed, not logged in), the next
agent takes the work. The real CLIs against their fakes, each fake answering the first agent with
its vendor's own usage-limit shape (`oauthpy.testing.quota_exceeded`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import (
    Client,
    CommandExecutionError,
    Event,
    InvalidOptionsError,
    QuotaExceededError,
    SessionNotFoundError,
)
from oauthpy.testing import shell, text
from oauthpy.testing.script import quota_exceeded
from tests.git_repos import USERS_EDIT_WARNED, git, make_repo
from tests.support import Rig, assert_no_leftovers, open_rig

ALLOW = {"on_permission": lambda request: True}


@contextlib.contextmanager
def two(first: str, second: str, root: Path) -> Iterator[tuple[Rig, Rig]]:
    with open_rig(first, root / first) as a, open_rig(second, root / second) as b:
        yield a, b
        assert_no_leftovers(a.env)
        assert_no_leftovers(b.env)


@pytest.mark.parametrize(
    ("first", "second"), [("codex", "claude"), ("claude", "gemini"), ("gemini", "codex")]
)
def test_a_spent_plan_hands_the_work_to_the_next_agent(first: str, second: str, tmp_path: Path):
    with two(first, second, tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(text(f"{second} answers"))
        result = a.client().run("hi", cwd=a.work, fallback=[b.client()])
        assert result.text == f"{second} answers"
        assert result.provider == second
        [failed] = result.attempts
        assert failed.provider == first and failed.error_type == "QuotaExceededError"
        assert len(a.model_bodies()) == 1  # the spent plan was asked once, never retried


@USERS_EDIT_WARNED
def test_with_a_worktree_the_next_agent_never_sees_the_failed_agents_edits(tmp_path: Path):
    # provider_options go to every agent alike: two agents whose commands may write without any
    with two("claude", "gemini", tmp_path) as (a, b):
        repo = make_repo(a.work)
        a.fake.script(shell("touch half-made.txt"), quota_exceeded(resets_in=3600))
        b.fake.script(b.provision.shell("ls > seen.txt"), text("done"))
        result = a.client().run("work", cwd=repo, workspace="worktree", fallback=[b.client()], **ALLOW)
        assert result.provider == "gemini" and result.text == "done"
        assert [c.path for c in result.changes] == ["seen.txt"]
        assert "half-made.txt" not in result.diff  # gemini's listing of its own worktree
        assert result.attempts[0].changes_discarded
        assert not (repo / "half-made.txt").exists() and not (repo / "seen.txt").exists()
        assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_an_agent_that_is_not_installed_is_skipped_and_recorded(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(text("claude answers"))
        missing = Client("acp", command=[str(tmp_path / "no-such-agent")], auth_source="external")
        result = a.client().run("hi", cwd=a.work, fallback=[missing, b.client()])
        assert result.provider == "claude"
        assert [(f.provider, f.error_type) for f in result.attempts] == [
            ("codex", "QuotaExceededError"),
            ("acp", "ProviderNotInstalledError"),
        ]


def test_a_stream_says_who_takes_the_work_before_that_agents_events(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(text("claude answers"))
        seen: list[Event] = []
        events = list(a.client().stream_sync("hi", cwd=a.work, fallback=[b.client()], on_event=seen.append))
        switch = [i for i, e in enumerate(events) if e.status == "failover"]
        assert len(switch) == 1
        note = events[switch[0]]
        assert "codex" in note.text and "claude takes the work" in note.text
        assert note.raw["failover"] == {"from": "codex", "to": "claude", "error": "QuotaExceededError"}
        assert events[-1].text == "claude answers" and switch[0] < len(events) - 1
        assert [e.status for e in seen].count("failover") == 1  # on_event saw it too


def test_when_every_agent_fails_the_last_error_says_what_the_others_did(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(quota_exceeded(resets_in=3600))
        with pytest.raises(QuotaExceededError) as caught:
            a.client().run("hi", cwd=a.work, fallback=[b.client()])
        assert [f.provider for f in caught.value.failed_over] == ["codex", "claude"]
        assert "tried before: codex: QuotaExceededError" in (caught.value.hint or "")


def test_a_fault_that_is_not_the_agents_plan_does_not_fail_over(tmp_path: Path):
    from oauthpy.testing import HttpError

    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(HttpError(400, "bad request"))
        with pytest.raises(CommandExecutionError) as caught:
            a.client().run("hi", cwd=a.work, fallback=[b.client()])
        assert not isinstance(caught.value, QuotaExceededError)
        assert b.fake.requests == []  # claude was never asked
        a.fake.script(HttpError(400, "bad request"))
        b.fake.script(text("claude answers"))
        wider = a.client().run("hi", cwd=a.work, fallback=[b.client()], fallback_on=["crash"])
        assert wider.provider == "claude"


def test_a_denied_permission_does_not_fail_over(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(shell("touch x"), text("I was not allowed"))
        result = a.client().run("hi", cwd=a.work, fallback=[b.client()], on_permission=lambda request: False)
        assert result.provider == "codex" and result.attempts == ()
        assert b.fake.requests == []


def test_bad_input_with_a_fallback_starts_nothing(tripwire, tripwire_client, tmp_path: Path):
    _, fired = tripwire
    first = tripwire_client("codex")
    second = tripwire_client("claude")
    with pytest.raises(InvalidOptionsError, match="timeout"):
        first.run("hi", cwd=tmp_path, timeout=-1, fallback=[second])
    with pytest.raises(
        InvalidOptionsError, match="fallback agent claude: unknown provider_options key 'sandbox'"
    ):
        # one of codex's own options: the same options go to every agent
        first.run("hi", cwd=tmp_path, fallback=[second], provider_options={"sandbox": "read-only"})
    with pytest.raises(InvalidOptionsError, match="fallback names codex"):
        first.run("hi", cwd=tmp_path, fallback=["codex"])
    assert not fired.exists()


def test_a_client_default_goes_to_map_and_every_item_answers(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600), quota_exceeded(resets_in=3600))
        b.fake.script(text("one"), text("two"))
        client = Client("codex", auth_source="external", env=a.env, fallback=[b.client()])
        results = client.map(["first", "second"], cwd=a.work, concurrency=1)
        assert sorted(r.text for r in results) == ["one", "two"]  # type: ignore[union-attr]
        assert {r.provider for r in results} == {"claude"}  # type: ignore[union-attr]


def test_async_run_fails_over_too(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(text("claude answers"))
        result = asyncio.run(a.client().arun("hi", cwd=a.work, fallback=[b.client()]))
        assert result.provider == "claude"


def test_a_session_whose_second_turn_runs_out_goes_on_with_the_next_agent(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(text("Paris."), quota_exceeded(resets_in=3600))
        b.fake.script(text("About two million people."))
        client = Client("codex", auth_source="external", env=a.env, fallback=[b.client()])
        with client.session(cwd=a.work) as chat:
            assert chat.run("What is the capital of France?").text == "Paris."
            events = list(chat.stream_sync("How many people live there?"))
            assert chat.provider == "claude"
            assert [e.status for e in events].count("failover") == 1
            assert events[-1].text == "About two million people."
            [body] = b.model_bodies()
            assert "What is the capital of France?" in body and "Paris." in body
            assert "How many people live there?" in body
            third = chat.run("And its river?")  # the conversation stays on claude
        assert third.provider == "claude" and len(b.fake.requests) == 2


def test_a_sessions_first_turn_fails_over_like_a_run(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(text("claude answers"))
        with a.client().session(cwd=a.work, fallback=[b.client()]) as chat:
            result = chat.run("hi")
            assert result.provider == "claude" == chat.provider
            assert [f.error_type for f in result.attempts] == ["QuotaExceededError"]
            assert result.session_id is not None and chat.session_id == result.session_id


def test_oauthpy_run_with_fallback_prints_the_next_agents_answer_and_one_line_that_says_so(tmp_path: Path):
    from tests.cli.test_cli import oauthpy

    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(text("claude answers"))
        done = oauthpy(
            "run",
            "-p",
            "codex",
            "--source",
            "external",
            "--fallback",
            "claude",
            "--cwd",
            str(a.work),
            "hi",
            env={**a.env, **b.env},
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == "claude answers\n"
        [line] = [line for line in done.stderr.splitlines() if "takes the work" in line]
        assert line.startswith("oauthpy: ") and "codex" in line and "claude" in line


def test_oauthpy_batch_with_fallback_finishes_every_line_when_the_first_agent_runs_out_midway(
    tmp_path: Path,
):
    import json

    from tests.cli.test_cli import oauthpy

    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(text("first by codex"), quota_exceeded(resets_in=3600), quota_exceeded(resets_in=3600))
        b.fake.script(text("second by claude"), text("third by claude"))
        items = tmp_path / "items.jsonl"
        items.write_text("".join(json.dumps({"id": i, "prompt": f"item {i}"}) + "\n" for i in range(3)))
        out = tmp_path / "out.jsonl"
        done = oauthpy(
            "batch",
            "-p",
            "codex",
            "--source",
            "external",
            "--fallback",
            "claude",
            "-j",
            "1",
            "--cwd",
            str(a.work),
            str(items),
            "-o",
            str(out),
            "--quiet",
            env={**a.env, **b.env},
        )
        assert done.returncode == 0, done.stderr
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert sorted(line["text"] for line in lines) == [
            "first by codex",
            "second by claude",
            "third by claude",
        ]
        moved = [line for line in lines if line.get("provider") == "claude"]
        assert len(moved) == 2 and all(
            line["failed_over"][0]["error_type"] == "QuotaExceededError" for line in moved
        )


def test_mcp_serve_with_fallback_answers_a_tool_call_with_the_next_agent(tmp_path: Path):
    from tests.mcp_client import McpClient

    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600))
        b.fake.script(text("claude answers"))
        served = ["-p", "codex", "--fallback", "claude", "--source", "external", "--cwd", str(a.work)]
        with McpClient(served, {**a.env, **b.env}) as mcp:
            answer = mcp.call("codex", {"prompt": "hi"})
        assert not answer["isError"] and answer["content"] == [{"type": "text", "text": "claude answers"}]
        assert answer["structuredContent"]["provider"] == "claude"


def test_the_first_agents_client_budget_is_charged_by_the_agent_that_answered(tmp_path: Path):
    from oauthpy import BudgetExceededError

    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(quota_exceeded(resets_in=3600), quota_exceeded(resets_in=3600))
        b.fake.script(text("claude answers"))
        client = Client("codex", auth_source="external", env=a.env, budget_usd=0.0005, fallback=[b.client()])
        first = client.run("hi", cwd=a.work)
        assert first.provider == "claude" and first.cost_usd and first.cost_usd > 0.0005
        with pytest.raises(BudgetExceededError) as spent:  # claude's cost was the client's
            client.run("again", cwd=a.work)
        assert spent.value.spent_usd == pytest.approx(first.cost_usd)
        assert len(a.model_bodies()) == 1 and len(b.model_bodies()) == 1


def test_a_conversation_that_failed_over_resumes_through_the_first_agents_client(tmp_path: Path):
    with two("codex", "claude", tmp_path) as (a, b):
        a.fake.script(text("Paris."), quota_exceeded(resets_in=3600))
        b.fake.script(text("About two million people."), text("The Seine."))
        client = Client("codex", auth_source="external", env=a.env, fallback=[b.client()])
        with client.session(cwd=a.work) as chat:
            chat.run("What is the capital of France?")
            chat.run("How many people live there?")
            assert chat.provider == "claude"
            kept = chat.session_id
        # later, the same client: codex does not know the id, claude (its fallback) has it
        with client.session(cwd=a.work, resume=kept) as again:
            result = again.run("And its river?")
            assert again.provider == "claude" and again.session_id == kept
        assert result.provider == "claude" and result.text == "The Seine."
        assert result.attempts == ()  # nothing failed over: codex was only asked for the id
        assert len(a.fake.requests) == 2  # and its model was not called for it
        body = b.model_bodies()[-1]  # claude's own resume: the conversation, then the question
        assert "How many people live there?" in body and "And its river?" in body


def test_an_id_no_agent_of_the_session_knows_is_session_not_found(tmp_path: Path):
    unknown = "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"
    with two("codex", "claude", tmp_path) as (a, b):
        client = Client("codex", auth_source="external", env=a.env, fallback=[b.client()])
        with client.session(cwd=a.work, resume=unknown) as chat, pytest.raises(SessionNotFoundError):
            chat.run("hi")
        assert not a.fake.requests and not b.fake.requests
