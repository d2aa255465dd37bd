"""``on_permission``: each real CLI asks the user's callback before it acts, against the fakes.

The marker files prove what ran: a command the callback denies must leave none behind.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from oauthpy import Decision, EventKind, InvalidOptionsError, PermissionRequest
from oauthpy.testing import text
from tests.support import Rig, assert_no_leftovers, shell_step


def permission_events(result: object) -> list[object]:
    return [e for e in result.events if e.kind is EventKind.PERMISSION]  # type: ignore[attr-defined]


@pytest.mark.warm_agent
def test_a_command_the_callback_allows_runs_and_the_decision_is_an_event(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch allowed.txt && echo made-it"), text("Done."))
    asked: list[PermissionRequest] = []

    def allow(request: PermissionRequest) -> bool:
        asked.append(request)
        return True

    result = rig.run("make the file", on_permission=allow, provider_options=rig.write_options)

    assert (rig.work / "allowed.txt").exists()
    assert result.text == "Done."
    [request] = asked
    assert request.provider == rig.provider and request.kind == "command"
    assert request.command == "touch allowed.txt && echo made-it"
    [event] = permission_events(result)
    assert event.status == "allowed" and event.command == request.command
    assert event.text == "run touch allowed.txt && echo made-it"
    # what the command printed went back to the model (and, where the vendor reports it, into
    # the command's event: gemini's ACP does not carry shell output)
    assert "made-it" in rig.model_bodies()[1]
    if rig.provision.command_output_carried:
        outputs = [e.output or "" for e in result.events if e.kind is EventKind.COMMAND]
        assert any("made-it" in o for o in outputs)


@pytest.mark.warm_agent
def test_a_command_the_callback_denies_does_not_run_and_the_run_still_ends_with_the_reply(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch denied.txt"), text("Understood, I will not."))

    async def deny(request: PermissionRequest) -> tuple[Decision, str]:
        return Decision.DENY, "not in this folder"

    result = rig.run("make the file", on_permission=deny)

    assert not (rig.work / "denied.txt").exists()
    [event] = permission_events(result)
    assert event.status == "denied" and event.command == "touch denied.txt"
    if rig.provision.refusal_ends_turn:  # copilot stops there (docs/copilot.md)
        assert result.text == "" and len(rig.model_bodies()) == 1
    else:
        assert result.text == "Understood, I will not."
        assert len(rig.model_bodies()) == 2  # the model heard about the refusal and answered


class Refused(Exception):
    pass


def test_a_callback_that_raises_stops_the_run_with_its_exception_and_nothing_runs(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch never.txt"), text("not reached"))

    def broken(request: PermissionRequest) -> bool:
        raise Refused("the approver crashed")

    with pytest.raises(Refused, match="the approver crashed"):
        rig.run("make the file", on_permission=broken)
    assert not (rig.work / "never.txt").exists()
    # the rig fixture then checks that no process of the run is left


@pytest.mark.warm_agent
def test_allow_always_is_not_asked_again_in_the_session(rig: Rig) -> None:
    rig.fake.script(
        shell_step(rig.provider, "touch again.txt"),
        text("First."),
        shell_step(rig.provider, "touch again.txt"),
        text("Second."),
    )
    asked: list[PermissionRequest] = []

    def always(request: PermissionRequest) -> str:
        asked.append(request)
        return "allow_always"

    with rig.client().session(
        cwd=rig.work, model=rig.model, timeout=60, on_permission=always, provider_options=rig.write_options
    ) as session:
        first = session.run("make it")
        (rig.work / "again.txt").unlink()
        second = session.run("make it again")

    assert (first.text, second.text) == ("First.", "Second.")
    assert (rig.work / "again.txt").exists()  # the second command ran too
    assert [r.command for r in asked] == ["touch again.txt"]


@pytest.mark.warm_agent
def test_time_in_the_callback_is_not_idle_time_but_counts_toward_the_timeout(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch slow.txt"), text("Done."))

    def slow(request: PermissionRequest) -> bool:
        time.sleep(7.0)  # a person thinking: longer than the idle timeout
        return True

    # the idle timeout must also outlast a cold start on a loaded machine (claude's took 2 s in CI)
    result = rig.run(
        "make the file", on_permission=slow, idle_timeout=5.0, timeout=60, provider_options=rig.write_options
    )
    assert result.text == "Done." and (rig.work / "slow.txt").exists()


@pytest.mark.warm_agent
def test_the_permission_event_and_request_carry_the_vendors_own_request(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch raw.txt"), text("Done."))
    seen: list[PermissionRequest] = []
    rig.run("go", on_permission=lambda r: seen.append(r) or True)
    [request] = seen
    assert request.raw is not None and "touch raw.txt" in json.dumps(request.raw, default=str)
    assert request.cwd is None or request.cwd == str(rig.work)


@pytest.mark.warm_agent
def test_a_callback_answer_that_means_nothing_fails_closed(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch maybe.txt"), text("not reached"))

    with pytest.raises(InvalidOptionsError, match="on_permission answered 'maybe'"):
        rig.run("go", on_permission=lambda r: "maybe")
    assert not (rig.work / "maybe.txt").exists()


def test_the_async_methods_take_on_permission_too(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch streamed.txt"), text("Done."))

    async def main() -> list[str]:
        kinds = []
        client = rig.client()
        async for event in client.stream(
            "go",
            cwd=rig.work,
            model=rig.model,
            timeout=60,
            on_permission=lambda r: True,
            provider_options=rig.write_options,
        ):
            kinds.append(event.kind.value)
        return kinds

    kinds = asyncio.run(main())
    assert "permission" in kinds and kinds[-1] == "done"
    assert (rig.work / "streamed.txt").exists()


def test_a_raising_callback_in_a_session_stops_its_agent_and_the_next_turn_goes_on(rig: Rig) -> None:
    rig.fake.script(shell_step(rig.provider, "touch never.txt"), text("not reached"))
    calls = 0

    def broken_once(request: PermissionRequest) -> bool:
        nonlocal calls
        calls += 1
        raise Refused("approver down")

    with rig.client().session(
        cwd=rig.work, model=rig.model, timeout=60, on_permission=broken_once
    ) as session:
        with pytest.raises(Refused):
            session.run("make the file")
        assert not (rig.work / "never.txt").exists()
        assert_no_leftovers(rig.env)  # the session's agent was stopped, not kept
        rig.fake.script(text("Still here."))
        again = session.run("are you there?", on_permission=lambda r: False)
    assert again.text == "Still here." and calls == 1


@pytest.mark.warm_agent
def test_a_resumed_conversation_asks_before_it_acts_or_is_refused_before_it_starts(rig: Rig) -> None:
    """What a review's second ask relies on to stay read-only: ``on_permission`` holds in a
    conversation resumed by its id, or the agent refuses it there before the model is asked."""
    rig.fake.script(text("Noted."))
    first = rig.run("remember the plan")
    rig.fake.script(shell_step(rig.provider, "touch resumed.txt"), text("I will not."))
    sent = len(rig.fake.model_requests())
    asked: list[PermissionRequest] = []

    def deny(request: PermissionRequest) -> Decision:
        asked.append(request)
        return Decision.DENY

    try:
        with rig.client().session(
            cwd=rig.work, model=rig.model, timeout=60, resume=first.session_id, on_permission=deny
        ) as session:
            session.run("now carry it out")
    except InvalidOptionsError as refused:  # an agent that cannot ask there (docs/permissions.md)
        assert "on_permission" in str(refused)
        assert len(rig.fake.model_requests()) == sent
    else:
        assert [(r.kind, r.command) for r in asked] == [("command", "touch resumed.txt")]
    assert not (rig.work / "resumed.txt").exists()
