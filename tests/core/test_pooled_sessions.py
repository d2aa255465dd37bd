"""Sessions inside ``with Client`` on live agents (codex app-server, ACP): a session takes a warm
agent of the client's pool and, closed between turns, gives it back; a session that resumes a
conversation first closes the idle agents that had it open, and goes on with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import Client
from oauthpy.testing import live_processes_with_env, text
from oauthpy.testing.processes import MARKER_VAR
from tests.support import assert_no_leftovers, open_rig

LIVE = ["codex", "acp-test"]


@pytest.mark.parametrize("provider", LIVE)
def test_a_closed_session_gives_its_agent_to_the_next_run_and_a_resumed_one_goes_on(
    provider: str, tmp_path: Path
) -> None:
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(text("one"), text("two"), text("lone"), text("three"))
        with Client(provider, auth_source="external", env=rig.env, keep_alive=120) as client:
            pool = client._runner.pool
            assert pool is not None
            with client.session(cwd=rig.work, model=rig.model, timeout=60) as chat:
                assert chat.run("first").text == "one"
                assert chat.run("second").text == "two"
            assert pool.started == 1  # the session's agent came from the pool
            assert len(live_processes_with_env(MARKER_VAR, rig.env[MARKER_VAR])) >= 1  # kept warm
            assert client.run("a lone run", cwd=rig.work, model=rig.model, timeout=60).text == "lone"
            assert (pool.started, pool.reused) == (1, 1)  # the run took the session's agent

            with client.session(cwd=rig.work, model=rig.model, resume=chat.session_id, timeout=60) as again:
                assert again.run("third").text == "three"
            # the idle agent had the conversation open: closed, and the resumed session got a new one
            assert pool.started == 2
            said = rig.fake.requests[-1].body_text  # the vendor's own history, resumed
            assert "first" in said and "second" in said and "third" in said
        assert_no_leftovers(rig.env)
