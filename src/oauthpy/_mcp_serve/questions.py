"""An agent's question to the user, forwarded to the MCP client's person as ``elicitation/create``.

The options become an enum (an array of them for a question that takes several) beside an
optional field for the person's own words. Fail closed: a client without elicitation gets no
``on_question`` (the library declines every question); a decline, a cancel, an error or an empty
form is a decline, which the agent is told in words it cannot take for an answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauthpy._describe import safe

if TYPE_CHECKING:
    from oauthpy._questions import Question, QuestionCallback

#: the form's fields: an option (or several), and the person's own words
ANSWER = "answer"
OWN_WORDS = "own_words"


def message(title: str, question: Question) -> str:
    """What the person reads: redacted and escaped (the agent wrote it; clients log it)."""
    head = f" ({safe(question.header)})" if question.header else ""
    lines = [f"{title} asks{head}: {safe(question.text, prose=True)}"]
    for option in question.options:
        about = f": {safe(option.description)}" if option.description else ""
        lines.append(f"- {safe(option.label)}{about}")
    if question.options:
        lines.append(
            "Pick " + ("one or more" if question.multiple else "one") + ", or answer in your own words."
        )
    return "\n".join(lines)


def form(question: Question) -> dict[str, Any]:
    """The ``requestedSchema``: flat, primitive fields only, as elicitation requires."""
    words = {"type": "string", "title": "Your own answer"}
    if not question.options:
        return {"type": "object", "properties": {ANSWER: {**words, "title": "Answer"}}, "required": [ANSWER]}
    labels = list(question.labels)
    picked: dict[str, Any] = (
        {"type": "array", "title": "Answers", "items": {"type": "string", "enum": labels}}
        if question.multiple
        else {"type": "string", "title": "Answer", "enum": labels}
    )
    return {"type": "object", "properties": {ANSWER: picked, OWN_WORDS: words}}


def answer_of(content: Any) -> str | list[str] | None:
    """``on_question``'s answer from an accepted form: the person's words over the options
    picked; None when the form says nothing."""
    if not isinstance(content, dict):
        return None
    words = content.get(OWN_WORDS)
    if isinstance(words, str) and words.strip():
        return words
    picked = content.get(ANSWER)
    if isinstance(picked, str) and picked.strip():
        return picked
    if isinstance(picked, list):
        labels = [p for p in picked if isinstance(p, str) and p.strip()]
        return labels or None
    return None


def question_asker(session: Any, request_id: Any, title: str) -> QuestionCallback | None:
    """The call's ``on_question``: its questions to the client's person, when the client offers
    elicitation (None otherwise: declined)."""
    capabilities = getattr(session, "client_capabilities", None)
    if capabilities is None or getattr(capabilities, "elicitation", None) is None:
        return None

    async def ask(question: Question) -> str | list[str] | None:
        try:
            result = await session.elicit_form(
                message(title, question), form(question), related_request_id=request_id
            )
        except Exception:  # the client failed to ask: no answer
            return None
        if getattr(result, "action", None) != "accept":
            return None
        return answer_of(getattr(result, "content", None))

    return ask


__all__ = ["answer_of", "form", "message", "question_asker"]
