"""What every way of running Claude shares: the SDK's messages read within the run's time
limits, its errors classified, and the parts a new claude CLI is started with.

The one-shot provider (`provider`), the session (`session`) and the warm pool (`pool`) all read
their turns through here, so the arrows point one way: provider -> session/pool -> sdk.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator
from typing import Any

from oauthpy._agents.claude.asks import After, Busy, ClaudeAsks, Failed, asks_user
from oauthpy._agents.claude.parser import ClaudeParser
from oauthpy._errors import (
    CommandExecutionError,
    OauthPyError,
    ProviderNotInstalledError,
    SessionNotFoundError,
)
from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._process import timeout_error, wait_budget
from oauthpy._redact import redact
from oauthpy._run_marks import new_run_id

INSTALL_HINT = "pip install claude-agent-sdk (its wheel bundles the claude CLI)"
#: how the CLI refuses a resumed session id it does not know
_UNKNOWN_SESSION = "No conversation found with session ID"
#: bound on the SDK's own close (it waits for the CLI to exit)
CLOSE_WAIT_S = 10.0
#: how long a callback's event waits for the message that announces its call (already read by
#: the SDK when the CLI asks, so it comes at once; the bound only keeps a CLI that did not send
#: it from holding the event back)
ANNOUNCE_WAIT_S = 0.5


def prompt_input(request: RunRequest) -> Any:
    """The prompt as the SDK takes it: its text, or, with attachments, one streamed user message
    of content blocks (each file base64 as an image or a document block, then the text)."""
    if not request.attachments:
        return request.prompt
    blocks: list[dict[str, Any]] = [
        {
            "type": "image" if a.is_image else "document",
            "source": {"type": "base64", "media_type": a.media_type, "data": a.base64()},
        }
        for a in request.attachments
    ]
    blocks.append({"type": "text", "text": request.prompt})
    message = {
        "type": "user",
        "message": {"role": "user", "content": blocks},
        "parent_tool_use_id": None,
        "session_id": "default",
    }

    async def one_message() -> AsyncGenerator[dict[str, Any], None]:
        yield message

    return one_message()


def cli_parts(request: RunRequest) -> tuple[str, deque[str], ClaudeAsks | None]:
    """What a new claude CLI is started with: its run marker, a tail of its stderr, and its
    permission and question callbacks and tools when the run has them."""
    asks = ClaudeAsks(request) if asks_user(request) or request.tools else None
    return new_run_id(), deque(maxlen=200), asks


async def read_turn(
    reader: Reader,
    parser: ClaudeParser,
    request: RunRequest,
    stderr: deque[str],
    secrets: tuple[str, ...],
    started: float | None = None,
) -> AsyncGenerator[Event, None]:
    """The events of one turn's SDK messages, within the request's timeouts.

    ``started``: when the call began, if before this turn (a session that started its CLI
    first): a timeout says how long the whole call took, not the turn alone.
    Raises the classified error; an SDK exception after the result message is not one (the
    SDK raises after an error result too, and the result already says it all).
    """
    deadline = request.deadline()
    started = request.started() if started is None else started
    failed: Failed | None = None
    try:
        while failed is None:
            try:
                msg = await reader.next(deadline, request.idle_timeout, started)
            except StopAsyncIteration:
                for item in reader.drain():
                    yield item
                return
            if isinstance(msg, Event):  # from the callback or a tool (claude_asks)
                yield msg
            elif isinstance(msg, Failed):
                failed = msg  # the user's exception, raised as it is (below, not wrapped)
            else:
                for event in parser.feed(msg):
                    yield event
    except OauthPyError:
        raise
    except Exception as exc:
        if parser.result is None:
            raise wrap_sdk_error(exc, stderr, secrets, resume=request.resume) from None
    if failed is not None:
        raise failed.error


class Reader:
    """Reads the SDK's messages with a time limit, without cancelling the SDK on a timeout.

    ``asyncio.wait_for`` would cancel the pending read and wait for it, and the SDK answers a
    cancellation with its graceful close (up to 5 s) before the timeout could even be raised.
    Here the pending read is left alone until the caller has killed the run's processes, so
    `close` finds them gone and returns at once.

    ``news``: what the permission callback and the tools report (`claude_asks`), read
    beside the messages and first when both are there, but for an event about a call whose
    message has not been read yet (`After`): it waits for that message, so a permission never
    comes before the command it is about. While the user's code runs, the idle timeout waits.
    """

    def __init__(self, messages: Any, news: asyncio.Queue[Any] | None = None) -> None:
        self.messages = messages
        self.pending: asyncio.Future[Any] | None = None
        self.news = news
        self._side: asyncio.Future[Any] | None = None
        self._busy = 0
        #: the tool calls the messages read so far announced, and the events waiting for theirs
        self._announced: set[str] = set()
        self._held: deque[After] = deque()

    async def next(self, deadline: float | None, idle: float | None, started: float) -> Any:
        if self.news is None and deadline is None and idle is None and self.pending is None:
            return await self.messages.__anext__()
        while True:
            if self._held:
                held = self._held[0]
                if held.call_id in self._announced or not await self._message_within(deadline):
                    return self._held.popleft().event
                return self._take_message()
            wait, which = wait_budget(deadline, None if self._busy else idle)
            if self.pending is None:
                # A read left pending by a cancelled wait is picked up here, never doubled.
                self.pending = asyncio.ensure_future(self.messages.__anext__())
            waiting = {self.pending}
            if self.news is not None:
                if self._side is None:
                    self._side = asyncio.ensure_future(self.news.get())
                waiting.add(self._side)
            done, _ = await asyncio.wait(waiting, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            if not done:
                raise timeout_error(which, idle, started, "message")
            if self._side is not None and self._side in done:
                item, self._side = self._side.result(), None
                if isinstance(item, Busy):
                    self._busy += 1 if item.on else -1
                    continue
                if isinstance(item, After) and item.call_id not in self._announced:
                    self._held.append(item)
                    continue
                return item.event if isinstance(item, After) else item
            return self._take_message()

    async def _message_within(self, deadline: float | None) -> bool:
        """Whether a message is read within `ANNOUNCE_WAIT_S` (and the deadline)."""
        if self.pending is None:
            self.pending = asyncio.ensure_future(self.messages.__anext__())
        wait, _ = wait_budget(deadline, ANNOUNCE_WAIT_S)
        done, _ = await asyncio.wait({self.pending}, timeout=wait)
        return bool(done)

    def _take_message(self) -> Any:
        """The message read, its tool calls noted as announced (only news waits for them)."""
        task, self.pending = self.pending, None
        assert task is not None
        message = task.result()
        content = getattr(message, "content", None)
        if self.news is not None and isinstance(content, list):
            for block in content:
                if type(block).__name__ == "ToolUseBlock" and isinstance(getattr(block, "id", None), str):
                    self._announced.add(block.id)
        return message

    def drain(self) -> list[Any]:
        """The news still held or queued once the messages have ended (events only)."""
        found: list[Any] = [held.event for held in self._held]
        self._held.clear()
        if self._side is not None and self._side.done():
            found.append(self._side.result())
            self._side = None
        while self.news is not None and not self.news.empty():
            found.append(self.news.get_nowait())
        found = [item.event if isinstance(item, After) else item for item in found]
        return [item for item in found if isinstance(item, Event)]

    async def close(self) -> None:
        if self._side is not None:
            self._side.cancel()
            self._side = None
        if self.pending is not None:
            self.pending.cancel()
            with contextlib.suppress(BaseException):
                await self.pending
        await self.messages.aclose()


def wrap_sdk_error(
    exc: Exception, stderr: deque[str], secrets: tuple[str, ...], *, resume: str | None = None
) -> Exception:
    """The classified error for an exception of the SDK. ``resume``: the session id the run
    resumes; the CLI's refusal of it is `SessionNotFoundError` (never retried)."""
    name = type(exc).__name__
    tail = redact("\n".join(list(stderr)[-40:]), secrets)
    if resume and _UNKNOWN_SESSION in f"{exc}\n{tail}":
        return SessionNotFoundError(resume, f"claude: {_UNKNOWN_SESSION}: {resume}")
    if name == "CLINotFoundError":
        return ProviderNotInstalledError(f"the claude CLI was not found: {exc}", hint=INSTALL_HINT)
    return CommandExecutionError(
        f"claude-agent-sdk failed ({name}): {redact(str(exc), secrets)}",
        returncode=getattr(exc, "exit_code", None),
        stderr=tail,
        details={"provider": "claude", "sdk_error": name},
        # A crash of the SDK's reader or of the CLI may heal on a retry; option errors do not.
        transient=name not in ("TypeError", "ValueError", "AttributeError", "KeyError"),
    )
