"""`timeout` bounds the whole call on every transport: agent start, handshake and turn share it.

The vendor CLI is made slow to start by a wrapper that waits before it execs the real binary
(a fake slow start, as a loaded machine or a cold node cache gives), and the model never
answers: the run must end at its timeout, not at start time plus the timeout.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from oauthpy import Client, TimeoutExceededError
from oauthpy._teardown import TERM_GRACE_S
from oauthpy.testing import FakeChatServer, Hang, text
from tests.support import ACP_TEST_AGENT, assert_no_leftovers, new_marker, open_rig

#: how much slower than usual each wrapped CLI starts
SLOW_START_S = 4.0
TIMEOUT_S = 6.0
#: how late the timeout may fire on a loaded machine (1.4 s seen at a claude SDK start while a
#: clean-clone suite ran four workers on two cores); without one deadline for the call, it fires
#: at SLOW_START_S + TIMEOUT_S at the earliest, 4 s past this bound
LATE_S = 2.0
#: what ending a run may add on top of its timeout: the SIGTERM grace of the stop routine
#: (gemini's node launcher takes most of it) and a loaded machine
END_S = TERM_GRACE_S + 1.0
#: a connected claude CLI gets the SDK's graceful close, which waits up to 5 s for a CLI slow
#: to exit (a CI run saw 5 s)
CLAUDE_END_S = 5.0 + 1.0

CASES = [
    ("codex", "app-server", False),
    ("codex", "exec", False),
    ("claude", "sdk", False),
    ("claude", "sdk", True),  # a session: connect() then the turn
    pytest.param("gemini", "acp", False, marks=pytest.mark.xdist_group("gemini")),
    pytest.param("gemini", "stream-json", False, marks=pytest.mark.xdist_group("gemini")),
]


def real_binary(provider: str, env: dict[str, str]) -> str:
    if provider == "codex":
        from oauthpy._agents.codex.provider import find_binary

        return find_binary(env)
    if provider == "gemini":
        return env["OAUTHPY_GEMINI_BINARY"]
    from oauthpy._agents.claude.auth import bundled_cli

    found = bundled_cli()
    assert found is not None, "the claude CLI bundled with claude-agent-sdk is missing"
    return str(found)


def slow_start(provider: str, env: dict[str, str], root: Path, seconds: float) -> dict[str, str]:
    """``env`` with the provider's CLI replaced by one that starts ``seconds`` later."""
    wrapper = root / f"slow-{provider}"
    wrapper.write_text(f'#!/bin/sh\nsleep {seconds}\nexec "{real_binary(provider, env)}" "$@"\n')
    wrapper.chmod(0o755)
    return {**env, f"OAUTHPY_{provider.upper()}_BINARY": str(wrapper)}


@pytest.mark.parametrize(("provider", "transport", "session"), CASES)
def test_timeout_bounds_a_slow_start_plus_the_turn(
    provider: str, transport: str, session: bool, tmp_path: Path
):
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(Hang())
        env = slow_start(provider, rig.env, tmp_path, SLOW_START_S)
        client = Client(provider, auth_source="external", env=env, transport=transport)
        started = time.monotonic()
        with pytest.raises(TimeoutExceededError) as caught:
            if session:
                with client.session(cwd=rig.work, model=rig.model) as chat:
                    chat.run("hi", timeout=TIMEOUT_S)
            else:
                client.run("hi", cwd=rig.work, model=rig.model, timeout=TIMEOUT_S)
        elapsed = time.monotonic() - started
        # the timeout fired by the call's one deadline: its time counts the agent's start (a
        # claude session's connect too), without the runner's checks before it
        assert caught.value.which == "total"
        assert SLOW_START_S < caught.value.after_s < TIMEOUT_S + LATE_S, caught.value
        assert f"after {caught.value.after_s:.1f} s" in str(caught.value)
        end = CLAUDE_END_S if provider == "claude" else END_S
        assert elapsed < TIMEOUT_S + end, f"timeout={TIMEOUT_S} took {elapsed:.1f} s: {caught.value}"
        assert_no_leftovers(env, within_s=5)


@pytest.mark.parametrize(
    "provider",
    ["codex", "claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))],
)
def test_a_start_slower_than_the_timeout_says_the_start_was_slow(provider: str, tmp_path: Path):
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(text("never asked"))
        env = slow_start(provider, rig.env, tmp_path, TIMEOUT_S)
        client = Client(provider, auth_source="external", env=env, transport=client_live(provider))

        async def main() -> None:
            async with client:  # a warm pool: the agent starts inside the run's deadline too
                await client.arun("hi", cwd=rig.work, model=rig.model, timeout=TIMEOUT_S / 2)

        started = time.monotonic()
        with pytest.raises(TimeoutExceededError, match="while starting") as caught:
            if provider == "claude":
                with client.session(cwd=rig.work) as chat:
                    chat.run("hi", timeout=TIMEOUT_S / 2)
            else:
                asyncio.run(main())
        elapsed = time.monotonic() - started
        assert elapsed < TIMEOUT_S / 2 + END_S, f"took {elapsed:.1f} s: {caught.value}"
        assert rig.fake.model_requests() == []
        assert_no_leftovers(env, within_s=5)


def client_live(provider: str) -> str | None:
    return {"codex": "app-server", "gemini": "acp"}.get(provider)


def test_the_wrapper_really_delays_the_start(tmp_path: Path):
    """The fixture itself: without a timeout, the wrapped CLI still answers, just later."""
    with open_rig("codex", tmp_path) as rig:
        rig.fake.script(text("late but fine"))
        env = slow_start("codex", rig.env, tmp_path, 1.0)
        started = time.monotonic()
        result = Client("codex", auth_source="external", env=env).run("hi", cwd=rig.work, timeout=60)
        assert result.text == "late but fine"
        assert time.monotonic() - started >= 1.0
        assert os.access(env["OAUTHPY_CODEX_BINARY"], os.X_OK)


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
