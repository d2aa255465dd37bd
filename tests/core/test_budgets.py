"""Cost, budgets and rate-limit pauses with the real CLIs against their fakes: claude reports
each run's cost, codex's is estimated from oauthpy's price table; a budget stops a client, a
session and a batch at the right run, and ``oauthpy batch --resume`` with a new budget finishes
the rest; a batch that meets a usage limit pauses until it resets."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from oauthpy import BudgetExceededError, Client, RunResult, StructuredOutputError
from oauthpy._agents.codex.fake_chatgpt import USAGE_LIMIT, UsageWindow, log_in
from oauthpy._batch import Throttle
from oauthpy._prices import prices
from oauthpy.testing import Echo, Gate, HttpError, text
from oauthpy.testing.anthropic import structured
from tests.support import assert_no_leftovers, batch, open_rig

#: what the fakes report for one model request (oauthpy.testing.script.Tokens)
IN, OUT = 100, 20
#: a model of oauthpy's price table, for codex's estimate
PRICED = "gpt-5"


def estimate(model: str) -> float:
    fresh, _, out = prices()[model]
    return (IN * fresh + OUT * out) / 1_000_000


def test_a_run_reports_its_cost_or_its_estimate(
    claude_env: dict[str, str], codex_env: dict[str, str], anthropic_fake, openai_fake, workdir: Path
):
    anthropic_fake.script(text("reported"))
    reported = Client("claude", auth_source="external", env=claude_env).run("hi", cwd=workdir, timeout=60)
    assert reported.cost_usd == reported.usage.cost_usd and reported.cost_usd and not reported.cost_estimated
    openai_fake.script(text("estimated"))
    codex = Client("codex", auth_source="external", env=codex_env)
    estimated = codex.run("hi", cwd=workdir, model=PRICED, timeout=60)
    assert estimated.usage.cost_usd is None and estimated.cost_estimated
    assert estimated.cost_usd == pytest.approx(estimate(PRICED))
    openai_fake.script(text("unknown model"))
    unknown = codex.run("hi", cwd=workdir, model="no-such-model-in-the-table", timeout=60)
    assert unknown.cost_usd is None and not unknown.cost_estimated  # never a guess
    assert_no_leftovers(claude_env)
    assert_no_leftovers(codex_env)


def test_a_client_budget_lets_the_crossing_run_finish_and_starts_no_other(
    claude_env: dict[str, str], anthropic_fake, workdir: Path
):
    anthropic_fake.script(text("one"), text("two"), text("never"))
    client = Client("claude", auth_source="external", env=claude_env, budget_usd=0.0005)
    first = client.run("hi", cwd=workdir, timeout=60)
    assert first.cost_usd and first.cost_usd > 0.0005  # this run crossed the budget, and finished
    with pytest.raises(BudgetExceededError) as err:
        client.run("again", cwd=workdir, timeout=60)
    assert err.value.budget_usd == 0.0005 and err.value.spent_usd == pytest.approx(first.cost_usd)
    assert "client's budget" in err.value.message
    assert len(anthropic_fake.model_requests()) == 1  # the refused run asked no model
    assert_no_leftovers(claude_env)


def test_a_run_whose_answer_fails_its_schema_is_charged_all_the_same(
    claude_env: dict[str, str], anthropic_fake, workdir: Path
):
    """Claude Code checks its structured answer itself and ends with an error, no last event: the
    error's usage still reaches the budget, so the run after it is refused."""
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    anthropic_fake.script(structured({"n": "not a number"}))  # sticky: every answer malformed
    client = Client("claude", auth_source="external", env=claude_env, budget_usd=0.0005)
    with pytest.raises(StructuredOutputError) as err:
        client.run("count", cwd=workdir, output_schema=schema, timeout=60)
    spent = err.value.usage
    assert spent is not None and spent.cost_usd and spent.cost_usd > 0.0005
    assert err.value.session_id and err.value.model  # its conversation, and the model that answered
    anthropic_fake.reset().script(text("never"))
    with pytest.raises(BudgetExceededError) as refused:
        client.run("again", cwd=workdir, timeout=60)
    assert refused.value.spent_usd == pytest.approx(spent.cost_usd)
    assert anthropic_fake.model_requests() == []  # the refused run asked no model


def test_a_session_budget_stops_new_turns_and_totals_its_usage(
    claude_env: dict[str, str], anthropic_fake, workdir: Path
):
    anthropic_fake.script(text("one"), text("two"), text("never"))
    client = Client("claude", auth_source="external", env=claude_env)
    with client.session(cwd=workdir, budget_usd=0.001) as chat:
        one = chat.run("first", timeout=60)
        assert one.cost_usd is not None and one.cost_usd < 0.001  # under budget: the next may start
        two = chat.run("second", timeout=60)
        # each turn's own cost (the claude CLI reports its whole life's: not summed again)
        assert two.cost_usd == pytest.approx(one.cost_usd)
        with pytest.raises(BudgetExceededError, match="session's budget"):
            chat.run("third", timeout=60)
        assert chat.usage.input_tokens == one.usage.input_tokens + two.usage.input_tokens
        assert chat.cost_usd == pytest.approx(one.cost_usd + (two.cost_usd or 0))
    assert len(anthropic_fake.model_requests()) == 2
    client.run("the client itself has no budget", cwd=workdir, timeout=60)  # the session's was spent
    assert_no_leftovers(claude_env)


def test_a_session_turn_whose_answer_fails_its_schema_counts_in_the_sessions_usage(
    codex_env: dict[str, str], openai_fake, workdir: Path
):
    openai_fake.script(text("not json at all"), text("plain"))
    schema = {"type": "object", "properties": {"label": {"type": "string"}}}
    with Client("codex", auth_source="external", env=codex_env).session(cwd=workdir, model=PRICED) as chat:
        with pytest.raises(StructuredOutputError) as err:
            chat.run("label this", output_schema=schema, timeout=60)
        assert err.value.usage is not None and err.value.usage.output_tokens == OUT
        assert chat.usage.output_tokens == OUT and chat.cost_usd == pytest.approx(estimate(PRICED))
        chat.run("and now plain words", timeout=60)
        assert chat.usage.output_tokens == 2 * OUT and chat.cost_usd == pytest.approx(2 * estimate(PRICED))
    assert_no_leftovers(codex_env)


def test_a_claude_session_turn_that_fails_its_schema_is_charged_its_own_share(
    claude_env: dict[str, str], anthropic_fake, workdir: Path
):
    """The claude CLI reports its whole life's cost: a failed turn takes its own share, so the
    turns after it are not charged for it again."""
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    with Client("claude", auth_source="external", env=claude_env).session(
        cwd=workdir, output_schema=schema, timeout=60
    ) as chat:
        anthropic_fake.script(structured({"n": 1}))
        one = chat.run("count")
        anthropic_fake.reset().script(structured({"n": "not a number"}))  # sticky: every answer
        with pytest.raises(StructuredOutputError) as err:
            chat.run("count again")
        anthropic_fake.reset().script(structured({"n": 3}))
        three = chat.run("and once more")
        failed = err.value.usage
        assert one.cost_usd and failed is not None and failed.cost_usd
        assert three.output == {"n": 3} and three.cost_usd == pytest.approx(one.cost_usd)
        assert chat.cost_usd == pytest.approx(2 * one.cost_usd + failed.cost_usd)
    assert_no_leftovers(claude_env)


def test_map_with_a_budget_gives_the_items_left_a_budget_error(
    codex_env: dict[str, str], openai_fake, workdir: Path
):
    openai_fake.script(Echo())
    per_item = estimate(PRICED)
    client = Client("codex", auth_source="external", env=codex_env)
    results = client.map(
        [f"item token-{i:04x}" for i in range(5)],
        cwd=workdir,
        model=PRICED,
        concurrency=1,
        budget_usd=2.5 * per_item,
    )
    ran = [r for r in results if isinstance(r, RunResult)]
    refused = [r for r in results if isinstance(r, BudgetExceededError)]
    # items 1 and 2 leave it under budget, item 3 crosses it and finishes, 4 and 5 never start
    assert [r.text for r in ran] == ["echo token-0000", "echo token-0001", "echo token-0002"] and len(
        refused
    ) == 2
    assert len(openai_fake.model_requests()) == 3
    assert_no_leftovers(codex_env)


def test_map_at_concurrency_8_spends_no_more_than_one_run_over_a_budget_of_half_a_run(
    codex_env: dict[str, str], openai_fake, workdir: Path
):
    # red team R8: every item used to start before any had spent, 16x the budget at 8 at once.
    # While no run's cost is known one runs at a time; then runs start only while what was
    # spent plus the mean per run under way stays under the limit.
    openai_fake.script(Echo())
    per_item = estimate(PRICED)
    client = Client("codex", auth_source="external", env=codex_env)
    results = client.map(
        [f"item token-{i:04x}" for i in range(12)],
        cwd=workdir,
        model=PRICED,
        concurrency=8,
        budget_usd=0.5 * per_item,
    )
    ran = [r for r in results if isinstance(r, RunResult)]
    assert len(ran) == 1 and len(openai_fake.model_requests()) == 1
    assert all(isinstance(r, BudgetExceededError) for r in results if not isinstance(r, RunResult))
    assert_no_leftovers(codex_env)


def test_a_batch_budget_marks_the_rest_not_run_and_resume_with_a_new_budget_finishes(
    codex_env: dict[str, str], openai_fake, tmp_path: Path, workdir: Path
):
    openai_fake.script(Echo())
    items = tmp_path / "items.jsonl"
    items.write_text(
        "".join(json.dumps({"id": f"i{k}", "prompt": f"item token-{k:04x}"}) + "\n" for k in range(5))
    )
    out = tmp_path / "out.jsonl"
    common = (str(items), "-o", str(out), "-j", "1", "-m", PRICED, "--cwd", str(workdir))
    proc = batch("codex", codex_env, *common, "--budget-usd", f"{1.5 * estimate(PRICED)}")
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["ok"], r.get("not_run", False)) for r in lines] == [
        ("i0", True, False),
        ("i1", True, False),
        ("i2", False, True),
        ("i3", False, True),
        ("i4", False, True),
    ]
    assert lines[0]["cost_estimated"] and lines[0]["cost_usd"] == pytest.approx(estimate(PRICED))
    assert "3 not run: the budget is spent" in proc.stderr
    resumed = batch("codex", codex_env, *common, "--resume", "--budget-usd", "1")
    assert resumed.returncode == 0, resumed.stderr
    finished = {r["id"]: r for r in map(json.loads, out.read_text().splitlines()) if r["ok"]}
    assert sorted(finished) == ["i0", "i1", "i2", "i3", "i4"]
    assert finished["i4"]["text"] == "echo token-0004"
    assert len(openai_fake.model_requests()) == 5  # each item asked the model once
    assert_no_leftovers(codex_env)


def test_a_batch_that_meets_a_usage_limit_pauses_until_it_resets_and_finishes_every_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The other worker's first item is answered only once the batch has paused: else, on a fast
    # machine, it could finish and start its next item while codex is still telling oauthpy of the
    # limit (96 ms in one CI run), before there is anything to pause for.
    paused = threading.Event()
    pause = Throttle.rate_limited

    def pause_and_say_so(throttle: Throttle, wait: float) -> None:
        pause(throttle, wait)
        paused.set()

    monkeypatch.setattr(Throttle, "rate_limited", pause_and_say_so)
    with open_rig("codex", tmp_path) as rig:
        rig.fake.account("plus", [UsageWindow(100, 18_000)])
        log_in(rig.env["CODEX_HOME"], rig.fake)  # usage limits are a ChatGPT plan's
        limit = HttpError(429, "The usage limit has been reached", retry_after=3, code=USAGE_LIMIT)
        rig.fake.script(limit, Gate(paused, Echo(), timeout_s=30))
        client = rig.client()
        items = [f"item token-{k:04x}" for k in range(4)]
        results = client.map(items, cwd=rig.work, model=rig.model, concurrency=2)
        assert [r.text for r in results if isinstance(r, RunResult)] == [
            f"echo token-{k:04x}" for k in range(4)
        ]
        requests = rig.fake.model_requests()
        assert len(requests) == 5  # one item asked twice: before the limit, and once it had reset
        limited = requests[0]
        token = re.search(r"token-[0-9a-f]+", limited.body_text)
        assert token is not None
        again = [r.received_at for r in requests[1:] if token.group(0) in r.body_text]
        # it waited for the reset codex named, 3 s ahead in whole seconds (a backoff without it
        # would retry after 1 to 1.25 s)
        assert len(again) == 1 and 1.9 <= again[0] - limited.received_at < 30
        # and so did the whole batch: before the reset, at most the other worker's first item (begun
        # beside the limited one) asked the model
        later = [r.received_at - limited.received_at for r in requests[1:]]
        assert len([t for t in later if t < 1.9]) <= 1
        assert_no_leftovers(rig.env)


def test_a_budget_fails_closed_when_the_models_cost_is_unknown(
    codex_env: dict[str, str], openai_fake, workdir: Path
):
    openai_fake.script(Echo())
    client = Client("codex", auth_source="external", env=codex_env)
    items = [f"item token-{k:04x}" for k in range(3)]
    results = client.map(items, cwd=workdir, model="a-model-without-a-price", concurrency=1, budget_usd=100)
    assert isinstance(results[0], RunResult) and results[0].cost_usd is None
    for refused in results[1:]:
        assert isinstance(refused, BudgetExceededError) and refused.unpriced == "a-model-without-a-price"
    assert len(openai_fake.model_requests()) == 1  # it could not be kept: nothing more started
    assert_no_leftovers(codex_env)
