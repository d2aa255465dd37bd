"""A sync event iterator that is held in a variable: what keeps its run alive and what stops it.

Python tells an iterator nothing when a ``for`` loop is left, so a held iterator keeps the
agent running until it is closed; ``close()`` and a ``with`` block stop it at once, for all
three CLIs. (``for e in client.stream_sync(...): break`` is in test_run_lifecycle.py.)
"""

from __future__ import annotations

from oauthpy.testing import live_processes_with_env
from oauthpy.testing.processes import MARKER_VAR
from tests.contract.test_run_lifecycle import script_an_early_event_then_more_work
from tests.support import Rig, assert_no_leftovers


def _agent_running(rig: Rig) -> bool:
    return bool(live_processes_with_env(MARKER_VAR, rig.env[MARKER_VAR]))


def test_a_held_iterator_keeps_the_agent_until_close(rig: Rig):
    script_an_early_event_then_more_work(rig)
    events = rig.client().stream_sync("hi", cwd=rig.work, model=rig.model, timeout=60)
    for _event in events:
        break
    assert _agent_running(rig), "leaving the loop stopped a run whose iterator is still held"
    events.close()
    assert_no_leftovers(rig.env, within_s=0.0)  # gone when close() returns
    events.close()  # a second close is harmless
    assert list(events) == []


def test_leaving_a_with_block_stops_the_agent(rig: Rig):
    script_an_early_event_then_more_work(rig)
    with rig.client().stream_sync("hi", cwd=rig.work, model=rig.model, timeout=60) as events:
        for _event in events:
            break
        assert _agent_running(rig)
    assert_no_leftovers(rig.env, within_s=0.0)
