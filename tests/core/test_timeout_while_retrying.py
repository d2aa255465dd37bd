"""A timeout says what the agent was doing when it fired: a run (or a session's turn) whose
agent's last word was a retry of its model request gets that notice in its error; one that made
progress after it does not. Stand-in conversations, no process: the real CLIs' cases are in
tests/agents/codex/test_codex_retry_timeout.py and tests/agents/claude/."""

from __future__ import annotations

import pickle
from collections.abc import AsyncGenerator

import pytest

from oauthpy import EventKind, TimeoutExceededError
from oauthpy._events import Event
from oauthpy._options import RunRequest
from tests.core.stand_in import client_on

pytestmark = pytest.mark.fast

RETRY = Event(EventKind.ERROR, text="API error 529 (overloaded); retry 3 of 10 in 2.2 s", status="retrying")
PROGRESS = Event(EventKind.MESSAGE, text="Hel", status="in_progress", delta=True)


class _Conversation:
    """A turn that yields ``events`` and then runs out of time."""

    transport = "acp"

    def __init__(self, *events: Event) -> None:
        self.events = events

    def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        async def gen() -> AsyncGenerator[Event, None]:
            for event in self.events:
                yield event
            raise TimeoutExceededError("total timeout fired after 5.0 s", which="total", after_s=5.0)

        return gen()

    async def aclose(self) -> None:
        pass


def test_a_timeout_after_a_retry_notice_carries_it(monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_on(monkeypatch, _Conversation(PROGRESS, RETRY))
    with pytest.raises(TimeoutExceededError) as err:
        client.run("hi", timeout=10)
    assert err.value.message == (
        "total timeout fired after 5.0 s, while acp was still retrying its model request "
        "(API error 529 (overloaded); retry 3 of 10 in 2.2 s)"
    )
    assert (err.value.which, err.value.after_s) == ("total", 5.0)
    assert err.value.hint and "timeout=" in err.value.hint
    assert str(pickle.loads(pickle.dumps(err.value))) == str(err.value)


def test_a_session_turn_says_it_too(monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_on(monkeypatch, _Conversation(RETRY))
    with client.session() as chat, pytest.raises(TimeoutExceededError, match="still retrying"):
        chat.run("hi", timeout=10)


def test_progress_after_the_retry_leaves_the_timeout_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_on(monkeypatch, _Conversation(RETRY, PROGRESS))
    with pytest.raises(TimeoutExceededError) as err:
        client.run("hi", timeout=10)
    assert err.value.message == "total timeout fired after 5.0 s" and err.value.hint is None
