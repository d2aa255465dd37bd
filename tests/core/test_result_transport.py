"""`RunResult.transport` names what carried the run: the conversation's transport as it was when
the turn ended, not the client's default read before the turn began (a warm gemini run is ACP
under a ``stream-json`` client, and a gemini session may go on headless mid-way). The full
tier's gemini tests caught a regression of this; these keep it in the fast tier."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import Any

import pytest

from oauthpy import Client, EventKind
from oauthpy._events import Event
from oauthpy._options import RunRequest
from tests.support import ACP_TEST_AGENT

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


def _client(monkeypatch: pytest.MonkeyPatch, conversation: _Conversation) -> Client:
    client = Client("acp", command=ACP_TEST_AGENT)  # type: ignore[arg-type]
    runner = client._runner
    monkeypatch.setattr(runner, "open", lambda **kw: conversation)

    async def no_login_files(overrides: Mapping[str, str | None], source: str | None = None) -> Any:
        return {}, "external"

    async def logged_in(*args: Any) -> None:
        return None

    monkeypatch.setattr(runner.auth, "run_env", no_login_files)
    monkeypatch.setattr(runner.auth, "preflight", logged_in)
    return client


@pytest.mark.parametrize("first", ["acp", "other-transport"])
def test_a_result_names_the_transport_the_turn_ended_on_not_the_clients(
    monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    client = _client(monkeypatch, _Conversation(first, then="headless-transport"))
    assert client.transport == "acp"
    result = client.run("hi", timeout=10)
    assert result.text == "hi"
    assert result.transport == "headless-transport"


def test_a_session_turns_result_names_its_transport_too(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(monkeypatch, _Conversation("acp", then="headless-transport"))
    with client.session() as chat:
        result = chat.run("hi", timeout=10)
    assert result.transport == "headless-transport"
