"""One event shape: the same scripted run gives the same sequence of events on every agent and
transport (the real CLIs against the fakes), and a command reads as the model wrote it, in the
command's events and in the permission request alike.

The shape is checked by tests/event_shape.py, as the parsers' unit tests check the recordings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import Client, EventKind, PermissionRequest
from oauthpy.testing import shell, text
from tests.event_shape import commands, message_command_message, shape
from tests.support import assert_no_leftovers, open_rig

COMMAND = "echo hello-shape"

#: every provider on every transport it has
TRANSPORTS = [
    ("codex", "exec"),
    ("codex", "app-server"),
    ("claude", None),
    pytest.param("gemini", "stream-json", marks=pytest.mark.xdist_group("gemini")),
    pytest.param("gemini", "acp", marks=pytest.mark.xdist_group("gemini")),
]


@pytest.mark.parametrize(("provider", "transport"), TRANSPORTS)
def test_a_message_a_command_and_a_final_message_have_one_shape_everywhere(
    provider: str, transport: str | None, tmp_path: Path
) -> None:
    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(shell(COMMAND, say="Let me run it."), text("All done, it printed.", chunks=3))
        client = Client(provider, auth_source="external", env=rig.env, transport=transport)
        # headless gemini runs a shell command only with approvals off; the command is harmless
        options = {"yolo": True} if provider == "gemini" else None
        result = client.run("go", cwd=rig.work, model=rig.model, timeout=90, provider_options=options)
        assert_no_leftovers(rig.env)

    if transport is not None:
        assert result.transport == transport
    assert shape(result.events) == [*message_command_message(), ("done", "completed")]
    assert [e.text for e in result.events if e.kind is EventKind.MESSAGE and not e.delta] == [
        "Let me run it.",
        "All done, it printed.",
    ]
    # codex exec reports whole items only; every other transport streams the text in pieces
    deltas = [e.text for e in result.events if e.delta]
    assert "".join(deltas) == ("" if transport == "exec" else "Let me run it.All done, it printed.")
    assert commands(result.events) == [COMMAND, COMMAND]
    assert [e.text for e in result.events if e.kind is EventKind.COMMAND] == [COMMAND, COMMAND]


#: the transports that ask ``on_permission``
ASKING = [
    ("codex", "app-server"),
    ("claude", None),
    pytest.param("gemini", "acp", marks=pytest.mark.xdist_group("gemini")),
]


@pytest.mark.parametrize(("provider", "transport"), ASKING)
def test_a_command_the_callback_allows_has_the_same_shape_and_text_as_its_request(
    provider: str, transport: str | None, tmp_path: Path
) -> None:
    wrote = "touch shape.txt"
    asked: list[PermissionRequest] = []

    def allow(request: PermissionRequest) -> bool:
        asked.append(request)
        return True

    with open_rig(provider, tmp_path) as rig:
        rig.fake.script(shell(wrote, say="Making it."), text("Made."))
        client = Client(provider, auth_source="external", env=rig.env, transport=transport)
        result = client.run(
            "make it",
            cwd=rig.work,
            model=rig.model,
            timeout=90,
            on_permission=allow,
            provider_options=rig.write_options,
        )
        assert_no_leftovers(rig.env)
        assert (rig.work / "shape.txt").exists()

    assert [r.command for r in asked] == [wrote]
    # the callback is asked between the command's start and its end, on every agent
    assert shape(result.events) == [
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


@pytest.mark.parametrize("turns", [1, 2], ids=["run", "session"])
@pytest.mark.parametrize(("provider", "transport"), ASKING)
def test_a_command_the_callback_denies_ends_declined_after_its_denial_and_does_not_run(
    provider: str, transport: str | None, turns: int, tmp_path: Path
) -> None:
    wrote = "touch refused.txt"
    asked: list[PermissionRequest] = []

    def deny(request: PermissionRequest) -> bool:
        asked.append(request)
        return False

    with open_rig(provider, tmp_path) as rig:
        steps = [shell(wrote, say="Making it."), text("Understood, I will not.")]
        rig.fake.script(*steps * turns)
        client = Client(provider, auth_source="external", env=rig.env, transport=transport)
        options = {"cwd": rig.work, "model": rig.model, "timeout": 90, "on_permission": deny}
        if turns == 1:
            results = [client.run("make it", provider_options=rig.write_options, **options)]
        else:  # each turn of a conversation that keeps its agent running
            with client.session(provider_options=rig.write_options, **options) as session:
                results = [session.run("make it"), session.run("make it again")]
        assert_no_leftovers(rig.env)
        assert not (rig.work / "refused.txt").exists()

    assert [r.command for r in asked] == [wrote] * turns
    for result in results:
        # a refused call ends `declined` on every agent (claude's CLI reports an error result)
        assert shape(result.events) == [
            ("message", "completed"),
            ("command", "in_progress"),
            ("permission", "denied"),
            ("command", "declined"),
            ("message", "completed"),
            ("done", "completed"),
        ]
        declined = [e for e in result.events if e.kind is EventKind.COMMAND and e.status == "declined"]
        assert [(e.command, e.is_error) for e in declined] == [(wrote, True)]
        assert result.text == "Understood, I will not."
