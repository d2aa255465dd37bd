"""A run whose time runs out while Claude Code is still retrying its model request says so:
the error carries its last `api_retry` (attempt, delay). Its own retries are on here (its fake's
environment turns them off) and its API address refuses every connection."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from oauthpy import Client, TimeoutExceededError
from tests.support import assert_no_leftovers

#: the run's total timeout. Claude Code's backoff (0.5 s, doubling) is still going past it, and
#: it leaves room for a slow start: its first notice comes after about 1.3 CPU-s of its own (1.1 s
#: on an idle machine), and a CI machine with four workers on two cores once gave it less than
#: that in 8 s
TIMEOUT_S = 20


def test_a_timeout_while_claude_retries_says_it_was_retrying(claude_env: dict[str, str], workdir: Path):
    # a port bound and never listened on: every connection is refused
    with socket.socket() as refused:
        refused.bind(("127.0.0.1", 0))
        env = {
            **claude_env,
            "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{refused.getsockname()[1]}",
            "CLAUDE_CODE_MAX_RETRIES": "10",
        }
        seen: list[str] = []
        with pytest.raises(TimeoutExceededError) as err:
            Client("claude", auth_source="external").run(
                "hi",
                cwd=workdir,
                env=env,
                timeout=TIMEOUT_S,
                on_event=lambda e: seen.append(f"{e.kind}: {e.text}"),
            )
    message = err.value.message
    assert (
        "while claude was still retrying its model request (no answer from the model API; retry " in message
    ), f"events before the timeout: {seen}"
    assert err.value.which == "total" and err.value.hint and "try again later" in err.value.hint
    assert_no_leftovers(claude_env)
