"""`timeout` bounds the whole call on every agent and transport: agent start, handshake and turn
share it.

The vendor CLI is made slow to start by a wrapper that waits before it execs the real program
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
from oauthpy import _registry as registry
from oauthpy._teardown import TERM_GRACE_S
from oauthpy.testing import Hang, text
from tests.support import LIVE_TRANSPORTS, assert_no_leftovers, binary_var, open_rig, provision, real_binary

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


def end_s(provider: str) -> float:
    """What ending its run may add: oauthpy's stop, or its SDK's graceful close, whichever is
    longer (`Provision.graceful_close_s`), with 2 s for a loaded machine (CI38: claude's SDK
    close took 6.4 s beside the suite's other workers)."""
    return max(END_S, provision(provider).graceful_close_s + 2.0)


def slow_start(provider: str, env: dict[str, str], root: Path, seconds: float) -> dict[str, str]:
    """``env`` with the agent's CLI replaced by one that starts ``seconds`` later."""
    wrapper = root / f"slow-{provider}"
    wrapper.write_text(f'#!/bin/sh\nsleep {seconds}\nexec "{real_binary(provider, env)}" "$@"\n')
    wrapper.chmod(0o755)
    return {**env, binary_var(provider): str(wrapper)}


def _marks(name: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xdist_group(name)] if provision(name).one_at_a_time else []


def _every_transport() -> list[object]:
    return [
        pytest.param(name, transport, marks=_marks(name), id=f"{name}-{transport}")
        for name in registry.names(generic=False)
        for transport in registry.get(name).transports
    ]


def _every_agent(*, starts_at_once: bool = False) -> list[object]:
    return [
        pytest.param(name, marks=_marks(name), id=name)
        for name in registry.names(generic=False)
        if provision(name).starts_at_once or not starts_at_once
    ]


@pytest.mark.parametrize(("provider", "transport"), _every_transport())
def test_timeout_bounds_a_slow_start_plus_the_turn(provider: str, transport: str, tmp_path: Path):
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(Hang())
        env = slow_start(provider, rig.env, tmp_path, SLOW_START_S)
        client = Client(provider, auth_source="external", env=env, transport=transport)
        started = time.monotonic()
        with pytest.raises(TimeoutExceededError) as caught:
            client.run("hi", cwd=rig.work, model=rig.model, timeout=TIMEOUT_S)
        elapsed = time.monotonic() - started
        # the timeout fired by the call's one deadline: its time counts the agent's start,
        # without the runner's checks before it
        assert caught.value.which == "total"
        assert SLOW_START_S < caught.value.after_s < TIMEOUT_S + LATE_S, caught.value
        assert f"after {caught.value.after_s:.1f} s" in str(caught.value)
        assert elapsed < TIMEOUT_S + end_s(provider), (
            f"timeout={TIMEOUT_S} took {elapsed:.1f} s: {caught.value}"
        )
        assert_no_leftovers(env, within_s=5)


@pytest.mark.parametrize("provider", _every_agent())
def test_a_start_slower_than_the_timeout_says_the_start_was_slow(provider: str, tmp_path: Path):
    # its live transport (one process for the client's runs), else a session of its own
    live = next((t for t in registry.get(provider).transports if t in LIVE_TRANSPORTS), None)
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(text("never asked"))
        env = slow_start(provider, rig.env, tmp_path, TIMEOUT_S)
        client = Client(provider, auth_source="external", env=env, transport=live)

        async def main() -> None:
            async with client:  # a warm pool: the agent starts inside the run's deadline too
                await client.arun("hi", cwd=rig.work, model=rig.model, timeout=TIMEOUT_S / 2)

        started = time.monotonic()
        with pytest.raises(TimeoutExceededError, match="while starting") as caught:
            if live is None:
                with client.session(cwd=rig.work) as chat:
                    chat.run("hi", timeout=TIMEOUT_S / 2)
            else:
                asyncio.run(main())
        elapsed = time.monotonic() - started
        assert elapsed < TIMEOUT_S / 2 + end_s(provider), f"took {elapsed:.1f} s: {caught.value}"
        assert rig.fake.model_requests() == []
        assert_no_leftovers(env, within_s=5)


@pytest.mark.parametrize("provider", _every_agent(starts_at_once=True))
def test_the_wrapper_really_delays_the_start(provider: str, tmp_path: Path):
    """The wrapper itself (on the agents that start at once): without a timeout, the wrapped
    CLI still answers, just later."""
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(text("late but fine"))
        env = slow_start(provider, rig.env, tmp_path, 1.0)
        started = time.monotonic()
        client = Client(provider, auth_source="external", env=env)
        assert client.run("hi", cwd=rig.work, model=rig.model, timeout=60).text == "late but fine"
        assert time.monotonic() - started >= 1.0
        assert os.access(env[binary_var(provider)], os.X_OK)
        assert_no_leftovers(env, within_s=5)
