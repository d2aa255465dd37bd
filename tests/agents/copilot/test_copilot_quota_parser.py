"""Copilot's spent quota typed as `QuotaExceededError`, on ``copilot --acp --stdio`` 1.0.102
against `quota_exceeded` on the chat-completions fake (tests/recordings/copilot-acp/quota*.jsonl,
``scripts/record_cli.py acp-quota``): it retries OpenAI's ``insufficient_quota`` five times, then
streams "Error: ... Last error: 429 You exceeded your current quota ..." as a chunk of the turn."""

from __future__ import annotations

import json
from typing import Any

import pytest

from oauthpy import QuotaExceededError
from oauthpy._agents.copilot.profile import CopilotAcp
from oauthpy._permissions import Decision
from oauthpy._transports.acp.asks import AcpAsks
from tests import paths
from tests.acp_replay import drive

pytestmark = pytest.mark.fast


def finish(name: str) -> Any:
    lines = [
        json.loads(x)["msg"]
        for x in (paths.RECORDINGS / "copilot-acp" / f"{name}.jsonl").read_text().splitlines()
    ]
    prompt = next(m for m in lines if m.get("method") == "session/prompt")
    profile = CopilotAcp()
    turn = profile.turn(prompt["params"]["sessionId"], "fake-model", frozenset())
    asks = AcpAsks(profile, "/tmp/REC/work", frozenset(), turn.own_calls)
    _, answer = drive(lines, prompt, turn, asks, Decision.ALLOW)
    with pytest.raises(QuotaExceededError) as caught:
        turn.finish(answer["result"])
    return caught.value


@pytest.mark.parametrize("name", ["quota", "quota_unsaid"])
def test_a_spent_quota_after_copilot_s_own_retries_is_a_quota(name: str):
    error = finish(name)
    assert not error.transient and error.resets_at is None
    assert "retried 5 times" in str(error) and "exceeded your current quota" in str(error)
