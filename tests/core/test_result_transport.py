"""`RunResult.transport` names what carried the run: the conversation's transport as it was when
the turn ended, not the client's default read before the turn began (a warm gemini run is ACP
under a ``stream-json`` client, and a gemini session may go on headless mid-way). The full
tier's gemini tests caught a regression of this; these keep it in the fast tier."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from oauthpy import EventKind
from oauthpy._events import Event
from oauthpy._options import RunRequest
from tests.core.stand_in import client_on

pytestmark = pytest.mark.fast


class _Conversation:
    """A turn that says one thing and ends; its transport becomes ``then`` once it is under
    way (as a conversation that learns its transport from the agent it got)."""

    def __init__(self, first: str, then: str) -> None:
        self.transport, self._then = first, then

    def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        async def gen() -> AsyncGenerator[Event, None]:
            yield Event(EventKind.MESSAGE, text="hi", status="completed")
            self.transport = self._then
            yield Event(EventKind.DONE, text="hi", status="completed")

        return gen()

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("first", ["acp", "other-transport"])
def test_a_result_names_the_transport_the_turn_ended_on_not_the_clients(
    monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    client = client_on(monkeypatch, _Conversation(first, then="headless-transport"))
    assert client.transport == "acp"
    result = client.run("hi", timeout=10)
    assert result.text == "hi"
    assert result.transport == "headless-transport"


def test_a_session_turns_result_names_its_transport_too(monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_on(monkeypatch, _Conversation("acp", then="headless-transport"))
    with client.session() as chat:
        result = chat.run("hi", timeout=10)
    assert result.transport == "headless-transport"
