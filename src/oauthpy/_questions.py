"""The agent asks the user a question: ``on_question``, its answer, and the ``question`` event.

Each vendor asks in its own way (claude's ``AskUserQuestion`` tool, codex's user-input request,
ACP ``elicitation/create``); its translator turns the question into a `Question` and the answer
back into the vendor's reply. What they share lives here.

Fail closed: with no callback, or one that declines (``None``) or raises, the agent is told in
words it cannot take for an answer that the user declined; never an empty or made-up answer.
A callback that raised then ends the run with its exception, as ``on_permission`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._events import Event, EventKind
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._redact import redact

#: what the agent is told when the user gives no answer (no callback, ``None``, an error)
DECLINED = (
    "The user declined to answer this question. No answer was given: do not assume one. "
    "Go on without it if you can, otherwise stop and say what you need."
)


@dataclass(frozen=True, slots=True)
class QuestionOption:
    """One answer the agent offers: its ``label`` (what an answer names) and a description."""

    label: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """A question the agent asks the user while it works.

    ``options`` are the answers it offers (may be empty: free text); ``multiple`` says whether
    several may be picked; ``header`` is a short title where the vendor gives one; ``raw`` is the
    vendor's own request.
    """

    text: str
    options: tuple[QuestionOption, ...] = ()
    multiple: bool = False
    header: str = ""
    raw: Any = None

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(option.label for option in self.options)


#: ``on_question``: takes a `Question`, returns (or awaits to) an option's label, a list of
#: labels (``multiple``), free text, or None to decline
QuestionCallback = Callable[[Question], Any]


def options_of(options: Any) -> tuple[QuestionOption, ...]:
    """The choices of a question as the agents' question tools list them (claude's
    ``AskUserQuestion``, codex's ``request_user_input``: ``[{"label", "description"}]``); one
    without a label is left out."""
    return tuple(
        QuestionOption(as_str(o.get("label")), as_str(o.get("description")))
        for o in map(as_dict, as_list(options))
        if as_str(o.get("label"))
    )


def check_callback(value: Any) -> QuestionCallback | None:
    """``on_question`` as given, checked before anything starts."""
    if value is None:
        return None
    if not callable(value):
        raise InvalidOptionsError(
            f"on_question must be a function taking a Question, got {type(value).__name__}"
        )
    return value  # type: ignore[no-any-return]


def read_answer(question: Question, answer: Any) -> tuple[str, ...] | None:
    """The answer as a tuple of texts (one unless ``multiple``), or None for a decline.

    An unreadable answer (not text, several for a single-choice question, an empty one) is an
    `InvalidOptionsError`: the caller declines and ends the run with it.
    """
    if answer is None:
        return None
    if isinstance(answer, str):
        answers: tuple[Any, ...] = (answer,)
    elif isinstance(answer, Sequence):
        answers = tuple(answer)
    else:
        answers = (answer,)
    if not answers or not all(isinstance(a, str) and a.strip() for a in answers):
        raise InvalidOptionsError(
            f"on_question answered {answer!r:.60}; it must answer an option's label, a list of "
            "labels, free text, or None to decline"
        )
    if len(answers) > 1 and not question.multiple:
        raise InvalidOptionsError("on_question answered several labels to a question that takes one")
    return answers


async def ask(
    callback: QuestionCallback | None, question: Question, deadline: float | None
) -> tuple[str, ...] | None:
    """The callback's answer within the run's deadline; None when there is no callback or it
    declines. Raises what the callback raised (after which the caller declines and stops)."""
    if callback is None:
        return None
    from oauthpy._callbacks import call_user

    return read_answer(question, await call_user(callback, question, deadline, "on_question"))


async def ask_all(
    callback: QuestionCallback | None, questions: Sequence[Question], deadline: float | None
) -> tuple[list[tuple[str, ...] | None], BaseException | None]:
    """The answer to each of one request's questions, in order, and what the callback raised
    (None when nothing did). Once it raised, the questions left are declined without asking:
    the caller tells the agent so, then ends the run with the error. A cancellation is not the
    callback's: it propagates at once."""
    answers: list[tuple[str, ...] | None] = []
    error: BaseException | None = None
    for question in questions:
        answer = None
        if error is None:
            try:
                answer = await ask(callback, question, deadline)
            except Exception as exc:  # the run ends with it (SystemExit too: `guarded`)
                error = exc
        answers.append(answer)
    return answers, error


def question_event(question: Question, answer: tuple[str, ...] | None) -> Event:
    """The ``question`` event: what was asked and what was answered (``declined``: nothing)."""
    return Event(
        kind=EventKind.QUESTION,
        text=redact(question.text),
        status="declined" if answer is None else "answered",
        output=None if answer is None else redact(", ".join(answer)),
        raw=question,
    )


__all__ = [
    "DECLINED",
    "Question",
    "QuestionCallback",
    "QuestionOption",
    "ask",
    "ask_all",
    "check_callback",
    "question_event",
    "read_answer",
]
