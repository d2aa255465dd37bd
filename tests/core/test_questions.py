"""``on_question``'s shared part: the callback checked before anything starts, its answer read,
every question asked in turn (and none after one raised), the ``question`` event."""

from __future__ import annotations

import asyncio
import inspect
import time
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, EventKind, InvalidOptionsError, Question, QuestionOption, TimeoutExceededError
from oauthpy._questions import DECLINED, ask, ask_all, check_callback, question_event, read_answer

pytestmark = pytest.mark.fast

ONE = Question("Which language?", (QuestionOption("Python"), QuestionOption("Go")))
SEVERAL = Question("Which checks?", (QuestionOption("lint"), QuestionOption("tests")), multiple=True)


def test_an_answer_is_read_as_its_texts_and_none_is_a_decline() -> None:
    assert read_answer(ONE, None) is None
    assert read_answer(ONE, "Go") == ("Go",)
    assert read_answer(ONE, "something else entirely") == ("something else entirely",)  # free text
    assert read_answer(SEVERAL, ["lint", "tests"]) == ("lint", "tests")
    assert read_answer(SEVERAL, ("lint",)) == ("lint",)


@pytest.mark.parametrize("answer", ["", "   ", [], 3, ["lint", 3], b"Go", {"a": "b"}])
def test_an_answer_that_says_nothing_readable_is_an_error_not_an_empty_answer(answer: Any) -> None:
    with pytest.raises(InvalidOptionsError, match="on_question answered"):
        read_answer(SEVERAL, answer)


def test_several_labels_to_a_question_that_takes_one_is_an_error() -> None:
    with pytest.raises(InvalidOptionsError, match="several labels to a question that takes one"):
        read_answer(ONE, ["Python", "Go"])


@pytest.mark.parametrize("value", ["Go", 3, object()])
def test_an_on_question_that_is_not_callable_is_refused(value: Any) -> None:
    with pytest.raises(InvalidOptionsError, match="on_question must be a function taking a Question"):
        check_callback(value)


def test_a_callable_on_question_is_taken_as_it_is() -> None:
    def answer(question: Question) -> str:
        return "Go"

    assert check_callback(answer) is answer and check_callback(None) is None


@pytest.mark.parametrize("value", ["print", 3])
def test_every_run_call_refuses_a_bad_on_question_before_anything_starts(
    value: Any, tmp_path: Path, tripwire_client: Any, tripwire: tuple[dict[str, str], Path]
) -> None:
    client = tripwire_client("codex")
    match = "on_question must be a function"
    with pytest.raises(InvalidOptionsError, match=match):
        client.run("hi", cwd=tmp_path, on_question=value)
    with pytest.raises(InvalidOptionsError, match=match):
        client.stream("hi", cwd=tmp_path, on_question=value)
    with pytest.raises(InvalidOptionsError, match=match):
        asyncio.run(client.arun("hi", cwd=tmp_path, on_question=value))
    with pytest.raises(InvalidOptionsError, match=match):
        client.map(["hi"], cwd=tmp_path, on_question=value)
    with pytest.raises(InvalidOptionsError, match=match):
        client.session(cwd=tmp_path, on_question=value)
    with client.session(cwd=tmp_path) as chat, pytest.raises(InvalidOptionsError, match=match):
        chat.run("hi", on_question=value)
    assert not tripwire[1].exists()  # no vendor program started


def test_the_run_and_turn_signatures_show_on_question() -> None:
    from oauthpy import Session

    for method in (Client.run, Client.arun, Client.stream, Client.stream_sync, Client.session, Session.run):
        parameter = inspect.signature(method).parameters["on_question"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is None


def test_no_callback_declines_and_a_sync_or_async_callback_answers() -> None:
    async def main() -> list[Any]:
        async def later(question: Question) -> list[str]:
            await asyncio.sleep(0)
            return ["lint", "tests"]

        return [
            await ask(None, ONE, None),
            await ask(lambda q: q.labels[1], ONE, None),
            await ask(lambda q: None, ONE, None),
            await ask(later, SEVERAL, None),
        ]

    assert asyncio.run(main()) == [None, ("Go",), None, ("lint", "tests")]


def test_a_callback_still_deciding_at_the_runs_deadline_is_a_timeout() -> None:
    async def slow(question: Question) -> str:
        await asyncio.sleep(30)
        return "Go"

    with pytest.raises(TimeoutExceededError, match="while on_question answered"):
        asyncio.run(ask(slow, ONE, time.monotonic() + 0.05))


class Broken(Exception):
    pass


def test_once_the_callback_raised_the_questions_left_are_declined_unasked() -> None:
    asked: list[str] = []

    def answer(question: Question) -> str:
        asked.append(question.text)
        if question is SEVERAL:
            raise Broken("the answering service is down")
        return "Go"

    third = Question("And the name?")
    answers, error = asyncio.run(ask_all(answer, [ONE, SEVERAL, third], None))
    assert answers == [("Go",), None, None]
    assert isinstance(error, Broken) and asked == ["Which language?", "Which checks?"]


def test_the_question_event_says_what_was_answered_or_that_it_was_declined() -> None:
    answered = question_event(SEVERAL, ("lint", "tests"))
    assert answered.kind is EventKind.QUESTION and answered.status == "answered"
    assert (answered.text, answered.output, answered.raw) == ("Which checks?", "lint, tests", SEVERAL)
    declined = question_event(ONE, None)
    assert (declined.status, declined.output) == ("declined", None)


def test_the_decline_cannot_be_read_as_an_answer() -> None:
    assert "declined" in DECLINED and "do not assume" in DECLINED
