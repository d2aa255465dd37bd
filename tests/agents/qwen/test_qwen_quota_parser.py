"""Qwen Code's spent quota, on ``qwen --acp`` 0.24.4 against `quota_exceeded` on the Responses
fake (tests/recordings/qwen-acp/quota*.jsonl, ``scripts/record_cli.py acp-quota``). It stops at
once on a 429 whose message says when the quota resets and passes it on as "Quota exhausted:
...": `QuotaExceededError`. Any other 429 it answers "Rate limit exceeded. Try again later.",
whatever the API said: a plain `RateLimitError` is all oauthpy can make of that."""

from __future__ import annotations

import json

import pytest

from oauthpy import QuotaExceededError, RateLimitError
from oauthpy._agents.qwen.profile import QwenAcp
from tests import paths

pytestmark = pytest.mark.fast


def answer_error(name: str) -> dict:
    lines = (paths.RECORDINGS / "qwen-acp" / f"{name}.jsonl").read_text().splitlines()
    found: dict = json.loads(lines[-1])["msg"]["error"]  # the session/prompt answer
    return found


def test_a_quota_that_says_when_it_resets_is_a_quota():
    error = answer_error("quota")
    found = QwenAcp().classify(error["code"], error["message"], error.get("data"))
    assert type(found) is QuotaExceededError and not found.transient
    assert "Quota exhausted" in str(found)


def test_a_quota_that_names_no_reset_is_only_a_rate_limit():
    error = answer_error("quota_unsaid")
    assert error["message"] == "Rate limit exceeded. Try again later."
    found = QwenAcp().classify(error["code"], error["message"], error.get("data"))
    assert type(found) is RateLimitError and found.transient
