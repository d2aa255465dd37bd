"""The order of a turn's events when the permission callback and the SDK's messages race: the
SDK hands Claude Code's ask to a task of its own, so the callback's event can reach the turn
before the message that announced the call (CI83 saw `permission` before `Making it.` and the
command in a session). `Reader` holds such an event until that message is read, and never
longer than `ANNOUNCE_WAIT_S` (a CLI that never sends it does not hold the event back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any

from claude_agent_sdk import AssistantMessage, TextBlock, ToolResultBlock, ToolUseBlock, UserMessage

from oauthpy import Event, EventKind
from oauthpy._agents.claude.asks import After
from oauthpy._agents.claude.sdk import Reader

DENIED = Event(EventKind.PERMISSION, text="run touch refused.txt", status="denied")


def announcing(call_id: str) -> AssistantMessage:
    return AssistantMessage(
        content=[TextBlock("Making it."), ToolUseBlock(call_id, "Bash", {"command": "touch refused.txt"})],
        model="fake",
    )


def result_of(call_id: str) -> UserMessage:
    return UserMessage(content=[ToolResultBlock(call_id, "denied", True)])


async def messages(items: Iterable[Any], then_hang: bool = False) -> AsyncIterator[Any]:
    for item in items:
        yield item
    if then_hang:
        await asyncio.Event().wait()


async def read(reader: Reader, count: int) -> list[Any]:
    return [await asyncio.wait_for(reader.next(None, None, 0.0), 5) for _ in range(count)]


def kinds(items: list[Any]) -> list[str]:
    return [item.kind.value if isinstance(item, Event) else type(item).__name__ for item in items]


def test_a_permission_that_is_there_with_the_message_of_its_call_comes_after_that_message():
    async def main() -> list[Any]:
        news: asyncio.Queue[Any] = asyncio.Queue()
        news.put_nowait(After("toolu_1", DENIED))  # both are there when the turn reads
        reader = Reader(messages([announcing("toolu_1"), result_of("toolu_1")]), news)
        return await read(reader, 3)

    assert kinds(asyncio.run(main())) == ["AssistantMessage", "permission", "UserMessage"]


def test_a_permission_whose_call_was_announced_comes_before_the_next_message():
    async def main() -> list[Any]:
        news: asyncio.Queue[Any] = asyncio.Queue()
        reader = Reader(messages([announcing("toolu_1"), result_of("toolu_1")]), news)
        first = await read(reader, 1)
        news.put_nowait(After("toolu_1", DENIED))  # the CLI's answer to it is there too
        return first + await read(reader, 2)

    assert kinds(asyncio.run(main())) == ["AssistantMessage", "permission", "UserMessage"]


def test_a_permission_whose_call_is_never_announced_is_not_held_back():
    async def main() -> list[Any]:
        news: asyncio.Queue[Any] = asyncio.Queue()
        news.put_nowait(After("toolu_9", DENIED))
        reader = Reader(messages([], then_hang=True), news)
        got = await read(reader, 1)  # within its 5 s bound, ANNOUNCE_WAIT_S being 0.5
        await reader.close()
        return got

    assert asyncio.run(main()) == [DENIED]


def test_a_held_permission_is_not_lost_when_the_messages_end():
    async def main() -> list[Any]:
        news: asyncio.Queue[Any] = asyncio.Queue()
        news.put_nowait(After("toolu_2", DENIED))
        reader = Reader(messages([]), news)
        got: list[Any] = []
        while True:
            try:
                got += await read(reader, 1)
            except StopAsyncIteration:
                return got + reader.drain()  # what the turn does once the messages end

    assert asyncio.run(main()) == [DENIED]
