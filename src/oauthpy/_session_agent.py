"""The agent process a session holds: bound to the one event loop its pipes belong to, ended
when the session closes or that loop ends (a later turn resumes the conversation by its id)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from oauthpy._errors import InvalidOptionsError
from oauthpy._teardown import within

if TYPE_CHECKING:
    from oauthpy._transports.base import Conversation

#: how long closing waits for the session's agent on another, still running event loop
_FOREIGN_CLOSE_WAIT_S = 15.0


class SessionAgent:
    """The session's conversation (``_conversation``), the loop it runs on (``_loop``) and the
    task that ends it with that loop (``_guard``)."""

    _conversation: Conversation | None
    _loop: asyncio.AbstractEventLoop | None
    _guard: asyncio.Task[None] | None

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run the conversation on ``loop``: its agent's pipes belong to one event loop."""
        bound = self._loop
        if bound is loop:
            return
        if bound is not None and self._conversation is not None and not bound.is_closed():
            raise InvalidOptionsError(
                "this session's agent runs on another event loop that is still running; a "
                "session belongs to one event loop",
                hint="use either the sync methods (run, stream_sync) or the async ones (arun, "
                "stream) in one loop for a session; to go on elsewhere, close it and open "
                "Client.session(resume=<its session_id>)",
            )
        # First turn, or the old loop has ended (its agent went with it): start here.
        from oauthpy._pool import drop_guard, on_loop_end

        if self._guard is not None:
            drop_guard(self._guard)
        self._conversation = None
        self._loop = loop

        def release() -> Awaitable[None]:
            return self._release(guard)

        guard = on_loop_end(release)
        self._guard = guard

    async def _release(self, guard: asyncio.Task[None]) -> None:
        """The session's loop is ending: end its agent; a later turn resumes the conversation.
        A guard that was dropped runs this too, a moment later: by then the session may hold
        another agent's conversation (failover, a resumed one found elsewhere), not its to end."""
        if self._guard is not guard:
            return
        conversation, self._conversation = self._conversation, None
        if conversation is not None:
            await conversation.aclose()

    async def _close_conversation(self) -> None:
        conversation, self._conversation = self._conversation, None
        loop, guard, self._guard = self._loop, self._guard, None
        if guard is not None:
            from oauthpy._pool import drop_guard

            drop_guard(guard)
        if conversation is None:
            return
        if loop is None or loop is asyncio.get_running_loop():
            await _close(conversation)
        elif loop.is_running() and not loop.is_closed():
            # its agent lives on another loop (a sync session closed from async code, say)
            future = asyncio.run_coroutine_threadsafe(_close(conversation), loop)
            with contextlib.suppress(Exception):
                await within(asyncio.wrap_future(future), _FOREIGN_CLOSE_WAIT_S)
        # else its loop is not running: the exit hook kills what is left


async def _close(conversation: Conversation) -> None:
    """Closed by its session: a live agent goes back to the client's warm pool, if any."""
    give_back = getattr(conversation, "give_back", None)
    await (give_back() if give_back is not None else conversation.aclose())
