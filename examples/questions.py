"""Answer the agent's questions from your own code (``on_question``).

Runs offline by default: the real codex CLI against oauthpy's fake model, scripted to ask the
user which language to use (codex's ``request_user_input``). The first run answers it; the
second has no callback, so the agent is told the user declined (never an empty answer). Every
question is a ``question`` event. Pass ``--live`` to use your own codex login.

    python examples/questions.py [--live]
"""

from __future__ import annotations

import sys
import tempfile

from oauthpy import Client, EventKind, Question
from oauthpy.testing import FakeResponsesServer, request_user_input, text


def answer(question: Question) -> str | None:
    """Pick the first option the agent offers; None would decline."""
    print(f"asked: {question.text} {list(question.labels)}")
    return question.labels[0] if question.labels else None


def run(env: dict[str, str] | None, cwd: str) -> None:
    client = Client("codex", auth_source="external" if env else "auto", env=env)
    prompt = "Ask me which language to use, then say which you will use."
    for callback in (answer, None):
        for event in client.stream_sync(prompt, cwd=cwd, timeout=120, on_question=callback):
            if event.kind is EventKind.QUESTION:
                print(f"{event.status:8} {event.text}" + (f" -> {event.output}" if event.output else ""))
            elif event.kind is EventKind.DONE:
                print("answer:", event.text)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as home:
        if "--live" in sys.argv:
            run(None, tmp)
            return
        with FakeResponsesServer() as fake:
            ask = request_user_input("Which language should the script use?", ["Python", "Go"])
            fake.script(ask, text("Python it is."), ask, text("No answer: I will use Python."))
            run(fake.env(home), tmp)


if __name__ == "__main__":
    main()
