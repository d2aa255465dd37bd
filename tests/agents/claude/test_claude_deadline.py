"""A Claude session opens with its SDK's ``connect()`` before its first turn: the call's one
deadline counts that too (every agent's runs: tests/contract/test_call_deadline.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from oauthpy import Client, TimeoutExceededError
from oauthpy.testing import Hang
from tests.contract.test_call_deadline import LATE_S, SLOW_START_S, TIMEOUT_S, end_s, slow_start
from tests.support import assert_no_leftovers, open_rig


def test_timeout_bounds_a_slow_start_the_connect_and_the_turn_of_a_session(tmp_path: Path):
    with open_rig("claude", tmp_path) as rig:
        rig.fake.script(Hang())
        env = slow_start("claude", rig.env, tmp_path, SLOW_START_S)
        client = Client("claude", auth_source="external", env=env)
        started = time.monotonic()
        with (
            pytest.raises(TimeoutExceededError) as caught,
            client.session(cwd=rig.work, model=rig.model) as chat,
        ):
            chat.run("hi", timeout=TIMEOUT_S)
        elapsed = time.monotonic() - started
        assert caught.value.which == "total"
        assert SLOW_START_S < caught.value.after_s < TIMEOUT_S + LATE_S, caught.value
        assert f"after {caught.value.after_s:.1f} s" in str(caught.value)
        # the SDK's graceful close of the connected CLI waits for it to exit
        assert elapsed < TIMEOUT_S + end_s("claude"), (
            f"timeout={TIMEOUT_S} took {elapsed:.1f} s: {caught.value}"
        )
        assert_no_leftovers(env, within_s=5)
