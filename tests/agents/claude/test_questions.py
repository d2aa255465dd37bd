"""``on_question`` through Claude Code's ``AskUserQuestion``: the real CLI (through the SDK's
``can_use_tool``) against the fake Messages API. Claude Code offers the tool only to a run with
a callback; what the model gets back is the next request's ``tool_result``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from oauthpy import EventKind, InvalidOptionsError, PermissionRequest, Question
from oauthpy._agents.claude.asks import answered_input, questions_of
from oauthpy._questions import DECLINED
from oauthpy.testing import ask_user_question, text
from tests.support import Rig, assert_no_leftovers, open_rig

QUESTION = "Which language should the script use?"
ASK = ask_user_question(QUESTION, ["Python", "Go"], header="Language")


@pytest.fixture
def claude(tmp_path: Path) -> Any:
    with open_rig("claude", tmp_path) as rig:
        yield rig


def tool_result(rig: Rig) -> dict[str, Any]:
    """The ``tool_result`` block the model got for its ``AskUserQuestion`` call."""
    last = rig.fake.model_requests()[-1].body["messages"][-1]
    [block] = [b for b in last["content"] if b.get("type") == "tool_result"]
    return block  # type: ignore[no-any-return]


def result_text(block: dict[str, Any]) -> str:
    content = block["content"]
    return content if isinstance(content, str) else "".join(c.get("text", "") for c in content)


def questions(events: Any) -> list[Any]:
    return [e for e in events if e.kind is EventKind.QUESTION]


def test_on_question_gets_the_options_and_its_answer_is_in_the_tool_result(claude: Rig) -> None:
    claude.fake.script(ASK, text("Python it is."))
    asked: list[Question] = []

    def answer(question: Question) -> str:
        asked.append(question)
        return "Python"

    result = claude.run("write me a script", on_question=answer)

    [question] = asked
    assert (question.text, question.header, question.labels) == (QUESTION, "Language", ("Python", "Go"))
    assert not question.multiple and question.raw["questions"][0]["question"] == QUESTION
    block = tool_result(claude)
    assert f'"{QUESTION}"="Python"' in result_text(block) and not block.get("is_error")
    [event] = questions(result.events)
    assert (event.status, event.output) == ("answered", "Python")
    assert result.text == "Python it is."


def test_several_labels_answer_a_multiple_choice_question(claude: Rig) -> None:
    claude.fake.script(
        ask_user_question("Which checks?", ["lint", "tests", "types"], multi_select=True), text("Ok.")
    )
    asked: list[Question] = []
    result = claude.run("go", on_question=lambda q: asked.append(q) or ["lint", "tests"])
    assert asked[0].multiple
    assert '"Which checks?"="lint, tests"' in result_text(tool_result(claude))
    assert [e.output for e in questions(result.events)] == ["lint, tests"]


def test_with_no_on_question_the_question_is_declined_and_never_reaches_on_permission(claude: Rig) -> None:
    # on_permission alone is what makes Claude Code offer the tool: the question must not
    # become a tool permission (allowed, it would say "The user did not answer the questions.")
    claude.fake.script(ASK, text("I will pick one myself."))
    permissions: list[PermissionRequest] = []

    result = claude.run("write me a script", on_permission=lambda r: permissions.append(r) or True)

    assert permissions == []
    block = tool_result(claude)
    assert result_text(block) == DECLINED and block.get("is_error") is True
    [event] = questions(result.events)
    assert (event.status, event.output) == ("declined", None)
    assert not [e for e in result.events if e.kind is EventKind.PERMISSION]
    assert result.text == "I will pick one myself."


def test_a_callback_answering_none_declines(claude: Rig) -> None:
    claude.fake.script(ASK, text("Fine."))
    result = claude.run("write me a script", on_question=lambda q: None)
    assert result_text(tool_result(claude)) == DECLINED
    assert [e.status for e in questions(result.events)] == ["declined"]


class Broken(Exception):
    pass


def test_a_raising_callback_declines_and_ends_the_run_with_its_exception(claude: Rig) -> None:
    claude.fake.script(ASK, text("not reached"))

    def broken(question: Question) -> str:
        raise Broken("the answering service is down")

    async def main() -> list[Any]:
        seen = []
        with pytest.raises(Broken, match="answering service is down"):
            async for event in claude.client().stream(
                "write me a script", cwd=claude.work, timeout=60, on_question=broken
            ):
                seen.append(event)
        return seen

    seen = asyncio.run(main())
    assert [e.status for e in questions(seen)] == ["declined"]
    assert_no_leftovers(claude.env)


def test_a_session_turn_with_on_question_gets_the_tool_its_first_turn_did_not_have(claude: Rig) -> None:
    # Claude Code is told of can_use_tool when it starts: a turn that brings a callback restarts it
    claude.fake.script(text("Hello."), ASK, text("Go it is."))
    with claude.client().session(cwd=claude.work, timeout=60) as chat:
        chat.run("hi")
        second = chat.run("write me a script", on_question=lambda q: "Go")
    assert [e.output for e in questions(second.events)] == ["Go"]
    assert f'"{QUESTION}"="Go"' in result_text(tool_result(claude))


def test_a_lean_run_refuses_on_question_before_anything_starts(tmp_path: Path, tripwire_client: Any) -> None:
    client = tripwire_client("claude")
    with pytest.raises(InvalidOptionsError, match="on_question would never be called"):
        client.run("hi", cwd=tmp_path, lean=True, on_question=lambda q: "yes")


def test_a_partly_answered_request_says_which_question_was_declined() -> None:
    tool_input = {
        "questions": [
            {"question": "Q1", "header": "One", "options": [{"label": "a"}, {"label": "b"}]},
            {
                "question": "Q2",
                "header": "Two",
                "options": [{"label": "c"}, {"label": "d"}],
                "multiSelect": True,
            },
        ]
    }
    asked = questions_of(tool_input)
    assert [q.multiple for q in asked] == [False, True]
    assert answered_input(tool_input, asked, [("a",), None])["answers"] == {"Q1": "a", "Q2": DECLINED}
    assert answered_input(tool_input, asked, [None, None]) is None  # refused instead, with DECLINED
