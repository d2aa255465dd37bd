"""The seam of the session controls (`oauthpy._session_controls`): what is refused before
anything is sent or started, whatever the agent."""

from __future__ import annotations

from typing import Any

import pytest

from oauthpy import (
    Client,
    ContextUsage,
    InvalidOptionsError,
    NotSupportedError,
    SessionClosedError,
    SessionIdleError,
)
from oauthpy import _registry as registry
from oauthpy._session_controls import CONTROLS

pytestmark = pytest.mark.fast

#: each control called with a valid argument
CALLS = {
    "steer": lambda s: s.steer("also say banana"),
    "rewind": lambda s: s.rewind(1),
    "compact": lambda s: s.compact(),
    "context": lambda s: s.context(),
}


def with_control(control: str) -> str:
    return next(name for name in registry.names() if control in registry.get(name).controls)


@pytest.mark.parametrize("bad", ["", "   \n", 3, None, "a\0b", "\ud800"])
def test_steer_text_must_be_non_empty_text(workdir, bad):
    client = Client(with_control("steer"), auth_source="external")
    with client.session(cwd=workdir) as session, pytest.raises(InvalidOptionsError, match="steer text"):
        session.steer(bad)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "1", None])
def test_rewind_takes_a_whole_number_of_turns_of_at_least_one(workdir, bad):
    client = Client(with_control("rewind"), auth_source="external")
    with client.session(cwd=workdir) as session, pytest.raises(InvalidOptionsError, match="turns must be"):
        session.rewind(bad)


@pytest.mark.parametrize("control", CONTROLS)
def test_an_agent_without_the_door_refuses_the_control_naming_itself_and_sends_nothing(
    request, workdir, control
):
    lacking = [name for name in registry.names(generic=False) if control not in registry.get(name).controls]
    if not lacking:
        pytest.skip(f"every agent of the registry has {control}")  # nothing left to refuse
    name = lacking[0]
    fake = request.getfixturevalue(f"{name}_fake")
    client = Client(name, auth_source="external")
    with client.session(cwd=workdir) as session, pytest.raises(NotSupportedError, match=name) as refused:
        CALLS[control](session)
    assert with_control(control) in (refused.value.hint or "")  # who has one
    assert fake.model_requests() == []


@pytest.mark.parametrize("control", CONTROLS)
def test_before_any_turn_a_control_has_no_conversation_to_act_on(workdir, control):
    # a control never starts the agent: steer has no turn, the others no conversation yet
    client = Client(with_control(control), auth_source="external")
    with client.session(cwd=workdir) as session, pytest.raises(SessionIdleError):
        CALLS[control](session)
    with pytest.raises(SessionClosedError):
        CALLS[control](session)


def test_a_transport_without_the_door_is_refused_naming_it(workdir):
    session = Client("codex", auth_source="external", transport="exec").session(cwd=workdir)
    with session:
        # what the session's first turn makes (opening it starts no process)
        session._conversation = session._runner.open(session=True)
        with pytest.raises(NotSupportedError, match="codex over exec"):
            session.context()


@pytest.mark.parametrize(
    ("usage", "left"),
    [
        (ContextUsage(used_tokens=1_000, window_tokens=258_400), 257_400),
        (ContextUsage(used_tokens=300_000, window_tokens=258_400), 0),
        (ContextUsage(used_tokens=1_000, window_tokens=None), None),
    ],
)
def test_context_usage_says_what_is_left_of_the_window(usage: Any, left: Any):
    assert usage.left_tokens == left
