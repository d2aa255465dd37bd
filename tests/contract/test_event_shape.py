"""One event shape: the same scripted run gives the same sequence of events on every agent and
every transport it has (the real CLIs against the fakes), and a command reads as the model wrote
it, in the command's events and in the permission request alike.

The shape is checked by tests/event_shape.py, as the parsers' unit tests check the recordings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from oauthpy import Client, Event, EventKind, PermissionRequest
from oauthpy import _registry as registry
from oauthpy.testing import shell, text
from oauthpy.testing.provision import Provision
from tests.event_shape import Shape, commands, message_command_message
from tests.event_shape import shape as shape_of
from tests.support import Rig, assert_no_leftovers, open_rig, provision

COMMAND = "echo hello-shape"
SAID, DONE = "Let me run it.", "All done, it printed."


def shape(events: Sequence[Event], agent: Provision) -> Shape:
    """The run's shape, without the records of its agent's own (`Provision.other_events`)."""
    return shape_of(events, others=not agent.other_events)


def command_texts(events: Sequence[Event], agent: Provision, command: str) -> None:
    """Each command event reads as the model wrote the command (or as its agent titles it, with
    the command in ``Event.command``: `Provision.command_text_is_command`)."""
    found = [e for e in events if e.kind is EventKind.COMMAND]
    assert found and all(e.command == command for e in found), [e.command for e in found]
    if agent.command_text_is_command:
        assert [e.text for e in found] == [command] * len(found)


def _every_transport() -> list[object]:
    """Each agent of the registry on each transport its entry names."""
    return [
        pytest.param(
            name,
            transport,
            marks=[pytest.mark.xdist_group(name)] if provision(name).one_at_a_time else [],
            id=f"{name}-{transport}",
        )
        for name in registry.names(generic=False)
        for transport in registry.get(name).transports
    ]


@pytest.mark.parametrize(("provider", "transport"), _every_transport())
def test_a_message_a_command_and_a_final_message_have_one_shape_everywhere(
    provider: str, transport: str, tmp_path: Path
) -> None:
    agent = provision(provider)
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(shell(COMMAND, say=SAID), text(DONE, chunks=3))
        client = Client(provider, auth_source="external", env=rig.env, transport=transport)
        # with nobody to ask, what lets it run an echo (`oauthpy demo`'s own: gemini's yolo)
        options = registry.get(provider).demo_options
        result = client.run("go", cwd=rig.work, model=rig.model, timeout=90, provider_options=options)
        assert_no_leftovers(rig.env)

    assert result.transport == transport
    if agent.always_asks:  # nobody answers its question: oauthpy refuses the command
        ran = [("message", "completed"), ("command", "in_progress"), ("permission", "denied")]
        assert shape(result.events, agent) == [
            *ran,
            ("command", "declined"),
            ("message", "completed"),
            ("done", "completed"),
        ]
    else:
        assert shape(result.events, agent) == [*message_command_message(), ("done", "completed")]
    assert [e.text for e in result.events if e.kind is EventKind.MESSAGE and not e.delta] == [SAID, DONE]
    deltas = "".join(e.text for e in result.events if e.delta)
    whole = transport in agent.whole_text_transports  # codex exec: whole items only
    assert deltas == ("" if whole else SAID + DONE)
    assert commands(result.events) == [COMMAND, COMMAND]
    command_texts(result.events, agent, COMMAND)


# fresh but for OpenCode: Qwen Code 0.24 in a long-lived process now and then reports a finished
# command as failed, "terminated by signal: 1" with exit code 0 (1 in 12-24 warm turns in a probe)
@pytest.mark.warm_agent(costly_starts=True)
def test_a_command_the_callback_allows_has_the_same_shape_and_text_as_its_request(rig: Rig) -> None:
    wrote = "touch shape.txt"
    asked: list[PermissionRequest] = []

    def allow(request: PermissionRequest) -> bool:
        asked.append(request)
        return True

    rig.fake.script(shell(wrote, say="Making it."), text("Made."))
    result = rig.run("make it", timeout=90, on_permission=allow, provider_options=rig.write_options)
    assert (rig.work / "shape.txt").exists()

    assert [r.command for r in asked] == [wrote]
    # the callback is asked between the command's start and its end, on every agent
    assert shape(result.events, rig.provision) == [
        ("message", "completed"),
        ("command", "in_progress"),
        ("permission", "allowed"),
        ("command", "completed"),
        ("message", "completed"),
        ("done", "completed"),
    ]
    assert [e.command for e in result.events if e.kind in (EventKind.COMMAND, EventKind.PERMISSION)] == [
        wrote
    ] * 3
    command_texts(result.events, rig.provision, wrote)


@pytest.mark.warm_agent
@pytest.mark.parametrize("turns", [1, 2], ids=["run", "session"])
def test_a_command_the_callback_denies_ends_declined_after_its_denial_and_does_not_run(
    rig: Rig, turns: int
) -> None:
    wrote = "touch refused.txt"
    asked: list[PermissionRequest] = []

    def deny(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    ends_turn = rig.provision.refusal_ends_turn  # the model never hears of the refusal
    steps = [shell(wrote, say="Making it."), text("Understood, I will not.")]
    rig.fake.script(*(steps[:1] if ends_turn else steps) * turns)
    options = {"cwd": rig.work, "model": rig.model, "timeout": 90, "on_permission": deny}
    if turns == 1:
        results = [rig.client().run("make it", provider_options=rig.write_options, **options)]
    else:  # each turn of a conversation that keeps its agent running
        with rig.client().session(provider_options=rig.write_options, **options) as session:
            results = [session.run("make it"), session.run("make it again")]
    assert not (rig.work / "refused.txt").exists()

    assert [r.command for r in asked] == [wrote] * turns
    for result in results:
        # a refused call ends `declined` on every agent (claude's CLI reports an error result)
        assert shape(result.events, rig.provision) == [
            ("message", "completed"),
            ("command", "in_progress"),
            ("permission", "denied"),
            ("command", "declined"),
            *([] if ends_turn else [("message", "completed")]),
            ("done", "completed"),
        ], [(e.kind.value, e.status, e.text[:40], e.command) for e in result.events if not e.delta]
        declined = [e for e in result.events if e.kind is EventKind.COMMAND and e.status == "declined"]
        assert [(e.command, e.is_error) for e in declined] == [(wrote, True)]
        assert result.text == ("Making it." if ends_turn else "Understood, I will not.")
