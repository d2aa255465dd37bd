"""A run's ``timeout`` bounds the whole call, and a timeout says how long the call took: the
turn is told when the call began, not only what was left of ``timeout`` once the login state was
prepared (a loaded CI machine saw "total timeout fired after 2.9 s" for a 3 s timeout)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import pytest

from oauthpy import Client
from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._process import start_timeout
from tests.support import ACP_TEST_AGENT

pytestmark = pytest.mark.fast

PREPARING_S = 0.4
TIMEOUT_S = 3.0


class _Conversation:
    """A turn that ends at once by the call's timeout, as a slow agent would."""

    transport = "acp"

    def __init__(self) -> None:
        self.seen: list[RunRequest] = []

    def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        self.seen.append(request)

        async def gen() -> AsyncGenerator[Event, None]:
            raise start_timeout("the agent opened the conversation", request.started())
            yield  # pragma: no cover

        return gen()

    async def aclose(self) -> None:
        pass


def test_a_timeout_counts_from_the_call_when_preparing_the_login_took_part_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = Client("acp", command=ACP_TEST_AGENT)  # type: ignore[arg-type]
    runner = client._runner
    conversation = _Conversation()
    monkeypatch.setattr(runner, "open", lambda **kw: conversation)

    async def slow_env(overrides: Mapping[str, str | None], source: str | None = None) -> Any:
        await asyncio.sleep(PREPARING_S)  # a login probe, under load
        return {}, "external"

    async def logged_in(*args: Any) -> None:
        return None

    monkeypatch.setattr(runner.auth, "run_env", slow_env)
    monkeypatch.setattr(runner.auth, "preflight", logged_in)
    called = time.monotonic()
    with pytest.raises(Exception, match="total timeout fired after") as caught:
        client.run("hi", timeout=TIMEOUT_S)
    request = conversation.seen[0]
    assert request.began is not None and called <= request.began < called + PREPARING_S
    # what the turn had left ends where the call's timeout does
    assert request.timeout is not None and request.timeout <= TIMEOUT_S - PREPARING_S + 0.05
    # and the message counts the preparation too
    assert caught.value.after_s >= PREPARING_S  # type: ignore[attr-defined]
