"""OpenCode's spent quota typed as `QuotaExceededError`, on ``opencode acp`` against
`quota_exceeded` on the chat-completions fake (tests/recordings/opencode-acp/quota*.jsonl,
``scripts/record_cli.py acp-quota``): after its own five retries it answers the prompt with a
JSON-RPC error that carries the API's words and no status."""

from __future__ import annotations

import json

import pytest

from oauthpy import QuotaExceededError, RateLimitError
from oauthpy._agents.opencode.profile import OpencodeAcp
from tests import paths

pytestmark = pytest.mark.fast


@pytest.mark.parametrize("name", ["quota", "quota_unsaid"])
def test_a_spent_quota_is_a_quota_by_the_api_s_words(name: str):
    lines = (paths.RECORDINGS / "opencode-acp" / f"{name}.jsonl").read_text().splitlines()
    error = json.loads(lines[-1])["msg"]["error"]  # the session/prompt answer
    found = OpencodeAcp().classify(error["code"], error["message"], error.get("data"))
    assert type(found) is QuotaExceededError and not found.transient


def test_its_recorded_rate_limit_is_no_quota():
    lines = (paths.RECORDINGS / "opencode-acp" / "http_429.jsonl").read_text().splitlines()
    error = next(m["msg"]["error"] for m in map(json.loads, lines) if "error" in m["msg"])
    assert type(OpencodeAcp().classify(error["code"], error["message"], error.get("data"))) is RateLimitError
