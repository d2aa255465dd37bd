"""``on_event=``: every event of a run or a session turn, shown to the user's callback as it
happens, through the real codex against its fake; a callback that raises ends the run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from oauthpy import Event, EventKind
from oauthpy.testing import shell, text
from oauthpy.testing.processes import MARKER_VAR
from tests.support import assert_no_leftovers, open_rig


def test_run_shows_every_event_in_order_as_it_happens(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        rig.fake.script(shell("echo hi", say="Looking."), text("Done."))
        seen: list[Event] = []
        asked_when_the_command_started: list[int] = []

        def watch(event: Event) -> None:
            seen.append(event)
            if event.kind is EventKind.COMMAND and event.status == "in_progress":
                # as it happens: the model has not been asked for the answer after the command yet
                asked_when_the_command_started.append(len(rig.model_bodies()))

        result = rig.run("look", on_event=watch)
        assert result.text == "Done."
        assert seen == list(result.events)  # every event, in order, the same ones
        assert [e.kind for e in seen][-1] is EventKind.DONE
        assert asked_when_the_command_started == [1] and len(rig.model_bodies()) == 2


def test_arun_awaits_an_async_callback(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        rig.fake.script(text("Fine."))
        seen: list[EventKind] = []

        async def watch(event: Event) -> None:
            await asyncio.sleep(0)
            seen.append(event.kind)

        result = asyncio.run(rig.client().arun("hi", cwd=rig.work, timeout=60, on_event=watch))
        assert seen == [e.kind for e in result.events] and seen[-1] is EventKind.DONE


def test_a_session_turn_shows_its_events_and_the_session_default_applies_to_every_turn(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        rig.fake.script(text("first"), text("second"), text("third"))
        by_default: list[Event] = []
        own: list[Event] = []
        with rig.client().session(cwd=rig.work, timeout=60, on_event=by_default.append) as chat:
            first = chat.run("one")
            second = chat.run("two", on_event=own.append)  # a turn's own goes over the default
            third = chat.run("three")
        assert by_default == [*first.events, *third.events]
        assert own == list(second.events) and own[-1].kind is EventKind.DONE


def test_a_callback_that_raises_ends_the_run_with_its_exception_and_stops_the_agent(tmp_path: Path):
    class Seen(Exception):
        pass

    def refuse(event: Event) -> None:
        if event.kind is EventKind.COMMAND:
            raise Seen(event.command)

    with open_rig("codex", tmp_path) as rig:
        rig.fake.script(shell("echo hi"), text("never"))
        with pytest.raises(Seen):
            rig.run("look", on_event=refuse)
        assert_no_leftovers({MARKER_VAR: rig.env[MARKER_VAR]}, within_s=5.0)


def test_with_retries_it_sees_every_attempt_and_the_result_keeps_the_last(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        failures = [rig.api_error(500, "blip")] * (1 + rig.own_retries)
        rig.fake.script(*failures, text("recovered"))
        seen: list[Event] = []
        options = {"max_retries": 2, "retry_backoff_s": 0.05, "retry_jitter_s": 0.0}
        result = rig.run("hi", provider_options=options, on_event=seen.append)
        assert result.text == "recovered"
        (notice,) = [e for e in seen if e.status == "retrying" and "retry" in e.raw]
        assert seen.index(notice) > 0 and {e.attempt for e in seen} == {1, 2}
        assert seen[seen.index(notice) + 1 :] == list(result.events)  # the result: the last attempt
        assert {e.attempt for e in result.events} == {2}
