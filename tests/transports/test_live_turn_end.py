"""How a live session turn that its caller leaves early ends (`oauthpy._transports.live`): a turn
still running is stopped and the agent kept if it obeys; a turn the agent had already ended
(its answer in, its last news unread) is not stopped, and the session keeps its process.

A loaded machine showed the second case end to end: gemini answered a session's turn before its
caller, who raised at the first event, let go; the agent was dropped, and the session's next turn
had to go on from disk, where gemini takes no ``on_permission``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import SimpleNamespace
from typing import Any

import pytest

from oauthpy import Event, EventKind
from oauthpy._transports.live import LiveConversation
from oauthpy._transports.live_turn import TurnEnd

pytestmark = pytest.mark.fast


class _Sub:
    def __init__(self, news: list[tuple[str, Any]]) -> None:
        self._news = list(news)

    async def next(self, timeout: float | None = None) -> tuple[str, Any]:
        if not self._news:
            raise AssertionError("the turn read past what the test gave it")
        return self._news.pop(0)

    def close(self) -> None:
        pass


class _Driver:
    """A vendor's side of a turn whose news are two messages, with its end as the test says."""

    def __init__(self, *, running: bool, ended: bool) -> None:
        self.sub = _Sub([("update", "first"), ("update", "second")])
        self.asks = None
        self.over = False
        self.running, self.ended, self.busy = running, ended, False
        self.stops = 0

    async def begin(self) -> None:
        pass

    def feed(self, method: str, params: Any) -> list[Event]:
        return [Event(kind=EventKind.MESSAGE, text=params)]

    async def stop(self) -> bool:
        self.stops += 1
        self.running = False
        return True

    def close(self) -> None:
        pass


class _Conversation(LiveConversation):
    provider, transport = "agent", "stub"

    def __init__(self, driver: _Driver, *, session: bool) -> None:
        super().__init__(lambda request, env: None, session=session, pool=None)  # type: ignore[arg-type,return-value]
        self.driver = driver

    async def _driver(self, agent: Any, thread: str, request: Any, end: TurnEnd) -> Any:
        return self.driver


def _leave_at_the_first_event(driver: _Driver, *, session: bool = True) -> TurnEnd:
    agent = SimpleNamespace(usable=True)
    end = TurnEnd(time.monotonic() + 30, time.monotonic())
    request = SimpleNamespace(idle_timeout=None)

    async def main() -> None:
        conversation = _Conversation(driver, session=session)
        gen = conversation._turn_on(agent, "thread-1", request, end.started, end)  # type: ignore[arg-type]
        async with contextlib.aclosing(gen):
            async for event in gen:
                assert event.text == "first"
                break

    asyncio.run(main())
    return end


def test_a_session_turn_left_after_the_agent_ended_it_keeps_the_agent_and_stops_nothing():
    driver = _Driver(running=False, ended=True)
    end = _leave_at_the_first_event(driver)
    assert end.keep
    assert driver.stops == 0


def test_a_session_turn_left_while_it_runs_is_stopped_and_kept_when_it_obeys():
    driver = _Driver(running=True, ended=False)
    end = _leave_at_the_first_event(driver)
    assert driver.stops == 1
    assert end.keep


@pytest.mark.parametrize("running, ended", [(False, True), (True, False)])
def test_a_lone_runs_turn_left_early_never_keeps_its_agent(running: bool, ended: bool):
    # a run of a pool starts each run's conversation afresh: its agent is closed, not asked
    driver = _Driver(running=running, ended=ended)
    end = _leave_at_the_first_event(driver, session=False)
    assert not end.keep
    assert driver.stops == 0
