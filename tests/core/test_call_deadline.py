"""`timeout` bounds the whole call, also where the agent is slow to open its session (the
generic ACP agent, by its command). Every agent's slow start, on every transport, is
tests/contract/test_call_deadline.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from oauthpy import Client, TimeoutExceededError
from oauthpy.testing import FakeChatServer
from tests.contract.test_call_deadline import END_S, LATE_S, TIMEOUT_S
from tests.support import ACP_TEST_AGENT, assert_no_leftovers, new_marker


def test_an_agent_slow_to_open_its_session_ends_by_the_calls_timeout_and_says_so(tmp_path: Path):
    # a request cut short by the run's deadline is the run's total timeout, counted from the
    # call (a CI run saw gemini's "session/new got no answer within 0.0847619 s")
    with FakeChatServer() as fake:
        env = {
            **fake.env(tmp_path / "fake"),
            "ACP_TEST_AGENT_HOME": str(tmp_path / "agent-home"),
            "ACP_TEST_AGENT_SESSION_DELAY_S": "60",
            **new_marker(),
        }
        client = Client("acp", command=ACP_TEST_AGENT, env=env)  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(
            TimeoutExceededError, match=r"^total timeout fired after [\d.]+ s while .* opened"
        ) as caught:
            client.run("hi", cwd=tmp_path, timeout=TIMEOUT_S / 2)
        elapsed = time.monotonic() - started
        assert caught.value.which == "total"
        assert TIMEOUT_S / 2 - 0.1 < caught.value.after_s < TIMEOUT_S / 2 + LATE_S, caught.value
        assert elapsed < TIMEOUT_S / 2 + END_S
        assert fake.model_requests() == []
        assert_no_leftovers(env, within_s=5)
