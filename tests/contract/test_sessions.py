"""Native multi-turn sessions with each real CLI against its fake backend."""

from __future__ import annotations

import pytest

from oauthpy import SessionClosedError
from oauthpy import _registry as registry
from oauthpy._errors import CommandExecutionError, SessionNotFoundError
from oauthpy.testing import live_processes_with_env, text
from oauthpy.testing.processes import MARKER_VAR
from tests.support import Rig, assert_no_leftovers, count_spawns


@pytest.mark.warm_agent  # of the conversation, not of its processes
def test_second_turn_continues_the_vendors_own_conversation(rig: Rig):
    rig.fake.script(text("first answer alpha"), text("second answer beta"))
    with rig.client().session(cwd=rig.work, model=rig.model) as chat:
        r1 = chat.run("first question one")
        r2 = chat.run("second question two")
        assert chat.session_id == r1.session_id == r2.session_id
    assert r1.session_id and (r1.text, r2.text) == ("first answer alpha", "second answer beta")
    last = rig.model_bodies()[-1]
    # The vendor sent its own history: our second prompt did not carry the first exchange.
    assert "first question one" in last and "first answer alpha" in last and "second question two" in last


def test_a_one_shot_run_is_resumed_by_id_from_a_new_client(rig: Rig):
    rig.fake.script(text("remembered fact gamma"), text("recalled"))
    first = rig.client().run("remember gamma", cwd=rig.work, model=rig.model)
    assert first.session_id
    with rig.client().session(cwd=rig.work, model=rig.model, resume=first.session_id) as later:
        again = later.run("what did I ask you to remember?")
    assert again.text == "recalled" and again.session_id == first.session_id
    last = rig.model_bodies()[-1]
    assert "remember gamma" in last and "remembered fact gamma" in last
    assert_no_leftovers(rig.env)


def test_a_run_inside_with_client_is_resumed_by_a_session_of_the_same_client(rig: Rig):
    # the run's warm agent is idle in the pool and may still hold the conversation
    rig.fake.script(text("remembered fact delta"), text("recalled"))
    with rig.client() as client:
        first = client.run("remember delta", cwd=rig.work, model=rig.model)
        with client.session(cwd=rig.work, model=rig.model, resume=first.session_id) as later:
            again = later.run("what did I ask you to remember?")
    assert again.text == "recalled" and again.session_id == first.session_id
    assert "remembered fact delta" in rig.model_bodies()[-1]


def test_an_unknown_session_id_fails_fast_with_session_not_found(rig: Rig):
    # an id of the agent's own shape (the example its errors show), of no session here
    unknown = registry.get(rig.provider).session_id_example
    spawns = count_spawns(rig)
    rig.fake.script(text("the folder's own session"), text("must not be reached"))

    def resume_unknown() -> None:
        # max_retries: the vendor's answer is final, so exactly one process is started
        chat = rig.client().session(
            cwd=rig.work, model=rig.model, resume=unknown, provider_options={"max_retries": 2}
        )
        # A hang would end in TimeoutExceededError instead: the vendor's own answer must come first.
        with chat, pytest.raises(SessionNotFoundError) as err:
            chat.run("hello?", timeout=20)
        assert err.value.session_id == unknown and unknown in str(err.value)

    resume_unknown()  # a folder with no session yet
    assert spawns.read_text().splitlines() == ["started"]
    assert rig.model_bodies() == []
    rig.run("start a session here")  # gemini answers an unknown id differently once there is one
    resume_unknown()
    assert spawns.read_text().splitlines() == ["started"] * 3
    assert len(rig.model_bodies()) == 1
    assert_no_leftovers(rig.env)


@pytest.mark.warm_agent  # of the conversation, not of its processes
def test_a_failed_turn_leaves_the_session_usable(rig: Rig):
    failed = [rig.api_error(500, "server fell over")] * (1 + rig.own_retries)  # and the agent's retries
    rig.fake.script(text("noted delta"), *failed, text("still here"))
    with rig.client().session(cwd=rig.work, model=rig.model) as chat:
        chat.run("note delta")
        with pytest.raises(CommandExecutionError):
            chat.run("this one fails")
        r3 = chat.run("are you still there?")
    assert r3.text == "still here"
    last = rig.model_bodies()[-1]
    assert "note delta" in last and "noted delta" in last


@pytest.mark.warm_agent  # of the conversation, not of its processes
def test_a_turn_retried_by_oauthpy_is_in_the_conversation_once(rig: Rig):
    failed = [rig.api_error(500, "server fell over")] * (1 + rig.own_retries)  # and the agent's retries
    rig.fake.script(text("noted epsilon"), *failed, text("answered once"))
    retry = {"max_retries": 1, "retry_backoff_s": 0.1, "retry_jitter_s": 0}
    with rig.client().session(cwd=rig.work, model=rig.model, provider_options=retry) as chat:
        chat.run("note epsilon")
        again = chat.run("the retried question")
    assert again.text == "answered once"
    last = rig.model_bodies()[-1]
    assert "noted epsilon" in last  # the turns before it are kept
    if "rewind" in registry.get(rig.provider).controls:
        # the failed attempt's turn was dropped first: its prompt is not in the vendor's
        # history beside the retry's (an ACP agent has no way to drop it: docs/sessions.md)
        assert last.count("the retried question") == 1


def test_closing_a_session_ends_its_processes(rig: Rig):
    rig.fake.script(text("one"), text("two"))
    chat = rig.client().session(cwd=rig.work, model=rig.model)
    chat.run("turn one")
    # every agent keeps one program connected for the whole session, between its turns
    assert live_processes_with_env(MARKER_VAR, rig.env[MARKER_VAR])
    chat.close()
    assert_no_leftovers(rig.env)
    with pytest.raises(SessionClosedError, match="closed"):
        chat.run("after close")
