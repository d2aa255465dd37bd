"""``on_question`` through codex's ``request_user_input``: the real pinned codex app-server
against the fake Responses API. oauthpy turns on codex's ``default_mode_request_user_input``
feature so the model's question reaches the client (``item/tool/requestUserInput``); what the
model gets back is the next request's ``function_call_output``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from oauthpy import EventKind, Question
from oauthpy._agents.codex.app_requests import USER_INPUT, questions_answer, questions_of
from oauthpy._questions import DECLINED
from oauthpy.testing import request_user_input, text
from tests.support import Rig, assert_no_leftovers, open_rig

ASK = request_user_input("Which language should the script use?", ["Python", "Go"], header="Language")


@pytest.fixture
def codex(tmp_path: Path) -> Any:
    with open_rig("codex", tmp_path) as rig:
        yield rig


def tool_output(rig: Rig, request: int = 1) -> dict[str, Any]:
    """What the model got for its latest ``request_user_input`` call, in model request
    ``request`` (a session's carries the earlier turns' too)."""
    items = rig.fake.model_requests()[request].body["input"]
    *_, output = [i for i in items if i.get("type") == "function_call_output" and i["call_id"] == "call_rui"]
    parsed: dict[str, Any] = json.loads(output["output"])
    return parsed


def questions(result: Any) -> list[Any]:
    return [e for e in result.events if e.kind is EventKind.QUESTION]


def test_on_question_gets_the_options_and_its_answer_is_what_the_model_gets(codex: Rig) -> None:
    codex.fake.script(ASK, text("Python it is."))
    asked: list[Question] = []

    def answer(question: Question) -> str:
        asked.append(question)
        return "Python"

    result = codex.run("write me a script", on_question=answer)

    [question] = asked
    assert question.text == "Which language should the script use?" and question.header == "Language"
    assert question.labels == ("Python", "Go") and not question.multiple
    assert question.raw["itemId"] == "call_rui"  # codex's own request
    assert tool_output(codex) == {"answers": {"q1": {"answers": ["Python"]}}}
    [event] = questions(result)
    assert (event.status, event.text, event.output) == ("answered", question.text, "Python")
    assert result.text == "Python it is."


def test_without_a_callback_the_model_is_told_the_user_declined(codex: Rig) -> None:
    codex.fake.script(ASK, text("I will pick one myself."))

    result = codex.run("write me a script")

    # never codex's empty {"answers":{}}: words the model cannot take for a choice
    assert tool_output(codex) == {"answers": {"q1": {"answers": [DECLINED]}}}
    [event] = questions(result)
    assert (event.status, event.output) == ("declined", None)
    assert result.text == "I will pick one myself."


def test_a_callback_answering_none_declines(codex: Rig) -> None:
    codex.fake.script(ASK, text("Fine."))
    result = codex.run("write me a script", on_question=lambda q: None)
    assert tool_output(codex) == {"answers": {"q1": {"answers": [DECLINED]}}}
    assert [e.status for e in questions(result)] == ["declined"]


class Broken(Exception):
    pass


def test_a_raising_callback_declines_and_ends_the_run_with_its_exception(codex: Rig) -> None:
    codex.fake.script(ASK, text("not reached"))

    def broken(question: Question) -> str:
        raise Broken("the answering service is down")

    async def main() -> list[Any]:
        seen = []
        with pytest.raises(Broken, match="answering service is down"):
            async for event in codex.client().stream(
                "write me a script", cwd=codex.work, timeout=60, on_question=broken
            ):
                seen.append(event)
        return seen

    seen = asyncio.run(main())
    # the question is an event before the run ends, and said declined
    assert [(e.kind, e.status) for e in seen if e.kind is EventKind.QUESTION] == [
        (EventKind.QUESTION, "declined")
    ]
    assert_no_leftovers(codex.env)  # the agent was stopped, not left waiting


def test_a_session_asks_its_default_callback_and_a_turn_may_give_its_own(codex: Rig) -> None:
    codex.fake.script(ASK, text("First."), ASK, text("Second."))
    with codex.client().session(cwd=codex.work, timeout=60, on_question=lambda q: "Go") as chat:
        first = chat.run("one")
        second = chat.run("two", on_question=lambda q: "Python")
    assert [e.output for e in questions(first)] == ["Go"]
    assert [e.output for e in questions(second)] == ["Python"]
    assert tool_output(codex, 1) == {"answers": {"q1": {"answers": ["Go"]}}}
    assert tool_output(codex, 3) == {"answers": {"q1": {"answers": ["Python"]}}}


def test_the_translator_answers_each_question_by_its_id_and_takes_no_other_request() -> None:
    params = {
        "questions": [
            {"id": "lang", "header": "Language", "question": "Which?", "options": [{"label": "Go"}]},
            {"id": "name", "header": "Name", "question": "Its name?", "options": None},
        ]
    }
    first, second = questions_of(USER_INPUT, params) or ()
    assert first.labels == ("Go",) and second.options == () and second.text == "Its name?"
    assert questions_answer(params, [("Go",), None]) == {
        "answers": {"lang": {"answers": ["Go"]}, "name": {"answers": [DECLINED]}}
    }
    assert questions_of("item/tool/call", params) is None
