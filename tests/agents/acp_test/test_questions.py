"""``on_question`` through ACP ``elicitation/create``: the suite's own ACP agent (agent.py), which
offers its ``ask_user`` tool when the client advertises forms, against the fake chat server.
Its tool result (the next model request) says what the client answered."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from oauthpy import EventKind, InvalidOptionsError, Question
from oauthpy._transports.acp.asks import DECLINE, ELICITATION, elicitation_answer, questions_of
from oauthpy._transports.acp.turn import INIT_PARAMS
from oauthpy.testing import text, tool_call
from tests.support import Rig, assert_no_leftovers, open_rig

ASK = tool_call("ask_user", {"question": "Which language?", "options": "Python, Go"})


@pytest.fixture
def acp(tmp_path: Path) -> Any:
    with open_rig("acp-test", tmp_path) as rig:
        yield rig


def tool_result(rig: Rig) -> str:
    """What the agent told the model of its ``ask_user`` call."""
    last = rig.fake.model_requests()[-1].body["messages"][-1]
    assert last["role"] == "tool"
    return str(last["content"])


def questions(events: Any) -> list[Any]:
    return [e for e in events if e.kind is EventKind.QUESTION]


def test_oauthpy_advertises_forms_and_never_urls() -> None:
    assert INIT_PARAMS["clientCapabilities"]["elicitation"] == {"form": {}}


def test_on_question_gets_the_options_and_its_answer_is_accepted_as_the_form(acp: Rig) -> None:
    acp.fake.script(ASK, text("Go it is."))
    asked: list[Question] = []

    def answer(question: Question) -> str:
        asked.append(question)
        return "Go"

    result = acp.run("write me a script", on_question=answer)

    [question] = asked
    assert (question.text, question.labels) == ("Which language?", ("Python", "Go"))
    assert question.raw["mode"] == "form"  # the agent's own request
    assert tool_result(acp) == 'the user answered: {"answer": "Go"}'
    [event] = questions(result.events)
    assert (event.status, event.output) == ("answered", "Go")
    assert result.text == "Go it is."


def test_without_a_callback_the_agent_gets_a_decline(acp: Rig) -> None:
    acp.fake.script(ASK, text("I will pick one myself."))
    result = acp.run("write me a script")
    assert tool_result(acp) == "the user gave no answer (decline)"
    [event] = questions(result.events)
    assert (event.status, event.output) == ("declined", None)
    assert result.text == "I will pick one myself."


class Broken(Exception):
    pass


def test_a_raising_callback_declines_and_ends_the_run_with_its_exception(acp: Rig) -> None:
    acp.fake.script(ASK, text("not reached"))

    def broken(question: Question) -> str:
        raise Broken("the answering service is down")

    async def main() -> list[Any]:
        seen = []
        with pytest.raises(Broken, match="answering service is down"):
            async for event in acp.client().stream("go", cwd=acp.work, timeout=60, on_question=broken):
                seen.append(event)
        return seen

    assert [e.status for e in questions(asyncio.run(main()))] == ["declined"]
    assert_no_leftovers(acp.env)


def test_an_answer_the_form_cannot_take_declines_and_ends_the_run(acp: Rig) -> None:
    acp.fake.script(ASK, text("not reached"))
    with pytest.raises(InvalidOptionsError, match="which takes one of: Python, Go"):
        acp.run("go", on_question=lambda q: "Rust")


def test_a_session_asks_its_default_callback_and_a_turn_may_give_its_own(acp: Rig) -> None:
    acp.fake.script(ASK, text("First."), ASK, text("Second."))
    with acp.client().session(cwd=acp.work, timeout=60, on_question=lambda q: "Go") as chat:
        first = chat.run("one")
        second = chat.run("two", on_question=lambda q: "Python")
    assert [e.output for e in questions(first.events)] == ["Go"]
    assert [e.output for e in questions(second.events)] == ["Python"]
    assert tool_result(acp) == 'the user answered: {"answer": "Python"}'


FORM = {
    "sessionId": "s",
    "mode": "form",
    "message": "Set up the project",
    "requestedSchema": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "size": {"type": "integer", "description": "How many workers"},
            "ci": {"type": "boolean", "title": "CI"},
            "checks": {
                "type": "array",
                "items": {"anyOf": [{"const": "lint", "title": "Lint"}, {"const": "test", "title": "Tests"}]},
            },
            "tier": {
                "type": "string",
                "oneOf": [{"const": "t1", "title": "Small"}, {"const": "t2", "title": "Big"}],
            },
        },
        "required": ["name", "size"],
    },
}


def test_each_field_of_a_form_is_a_question_and_the_answers_go_back_in_their_types() -> None:
    name, size, ci, checks, tier = questions_of(ELICITATION, FORM) or ()
    assert name.text == "Set up the project\nName" and name.header == "Name" and name.options == ()
    assert size.text == "Set up the project\nHow many workers"
    assert ci.labels == ("yes", "no") and checks.multiple and checks.labels == ("Lint", "Tests")
    assert tier.labels == ("Small", "Big")
    answers = [("demo",), ("4",), ("yes",), ("Lint", "test"), ("Big",)]
    assert elicitation_answer(FORM, answers) == {
        "action": "accept",
        "content": {"name": "demo", "size": 4, "ci": True, "checks": ["lint", "test"], "tier": "t2"},
    }
    # an optional field declined is left out; a required one declines the form
    assert elicitation_answer(FORM, [("demo",), ("4",), None, None, None]) == {
        "action": "accept",
        "content": {"name": "demo", "size": 4},
    }
    assert elicitation_answer(FORM, [None, ("4",), None, None, None]) == DECLINE
    with pytest.raises(InvalidOptionsError, match="'size', which takes a whole number"):
        elicitation_answer(FORM, [("demo",), ("four",), None, None, None])


def test_a_url_elicitation_is_declined_unasked_and_other_requests_are_not_questions() -> None:
    url = {"requestId": 1, "mode": "url", "url": "https://example.invalid/x", "message": "Log in"}
    assert questions_of(ELICITATION, url) == ()
    assert elicitation_answer(url, []) == DECLINE
    assert questions_of("session/request_permission", FORM) is None
