"""The codex catalogue: codex's own saved threads, read through a short-lived
``codex app-server`` (the process `CodexProvider.launch` describes) per call.

``thread/list`` lists, ``thread/turns/list`` reads a transcript, ``thread/fork`` forks and
``thread/delete`` deletes (``thread/archive`` where codex refuses to delete a thread whose
history a fork still reads). None of them needs the model provider or the network. The
translation is `codex_items`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from oauthpy._agents.codex.app import AppServer, one_call
from oauthpy._agents.codex.session_items import (
    archive_instead,
    list_params,
    page_of,
    session_info,
    transcript,
    turns_params,
    unknown_thread,
)
from oauthpy._errors import OauthPyError, SessionNotFoundError
from oauthpy._events import Event
from oauthpy._process import time_left
from oauthpy._sessions import CATALOGUE_WAIT_S, SessionInfo, newest_first
from oauthpy._transports.rpc_messages import RpcError

if TYPE_CHECKING:
    from oauthpy._agents.codex.provider import CodexProvider

#: a bound on the pages of one answer, far above any real history
_MAX_PAGES = 10_000


class CodexCatalogue:
    """The threads codex saved in the env's ``CODEX_HOME`` (an isolated client's own one)."""

    can_list = can_transcript = can_fork = can_delete = True

    def __init__(self, provider: CodexProvider) -> None:
        self._provider = provider

    async def learn(self, env: dict[str, str]) -> None:
        return None  # what codex 0.163 can do is known without asking it

    async def list_sessions(
        self, env: dict[str, str], *, cwd: str | None, limit: int | None
    ) -> list[SessionInfo]:
        infos: list[SessionInfo] = []
        async with _server(self._provider, env) as server:
            cursor: str | None = None
            for _ in range(_MAX_PAGES):
                wanted = None if limit is None else limit - len(infos)
                page, cursor = page_of(await server.ask("thread/list", list_params(cwd, wanted, cursor)))
                infos += [info for info in map(session_info, page) if info is not None]
                if cursor is None or (limit is not None and len(infos) >= limit):
                    break
        return newest_first(infos, limit)

    async def transcript(self, env: dict[str, str], session_id: str) -> list[Event]:
        turns: list[dict[str, Any]] = []
        async with _server(self._provider, env) as server:
            cursor: str | None = None
            for _ in range(_MAX_PAGES):
                answer = await server.ask("thread/turns/list", turns_params(session_id, cursor), session_id)
                page, cursor = page_of(answer)
                turns += page
                if cursor is None:
                    break
        return transcript(session_id, turns)

    async def fork(self, env: dict[str, str], session_id: str) -> str:
        async with _server(self._provider, env) as server:
            # the new thread is saved at once; its turns are not needed in the answer
            answer = await server.ask(
                "thread/fork", {"threadId": session_id, "excludeTurns": True}, session_id
            )
        thread = answer.get("thread") if isinstance(answer, dict) else None
        new_id = thread.get("id") if isinstance(thread, dict) else None
        if not isinstance(new_id, str) or not new_id:
            raise OauthPyError("codex app-server answered thread/fork without thread.id")
        return new_id

    async def delete(self, env: dict[str, str], session_id: str) -> None:
        async with _server(self._provider, env) as server:
            try:
                await server.ask("thread/delete", {"threadId": session_id}, session_id)
            except RpcError as exc:
                if not archive_instead(exc.said):
                    raise
                # a fork reads this thread's history: codex keeps it, archived (unlisted)
                await server.ask("thread/archive", {"threadId": session_id}, session_id)


class _Server:
    """One catalogue call's app-server: every request within the call's deadline."""

    def __init__(self, agent: AppServer, deadline: float, started: float) -> None:
        self._agent, self._deadline, self._started = agent, deadline, started

    async def ask(self, method: str, params: dict[str, Any], session_id: str | None = None) -> Any:
        """``method``'s answer; about ``session_id``, codex's "no such thread" is
        `SessionNotFoundError`."""
        left = time_left(self._deadline, f"codex app-server answering {method}", self._started)
        try:
            return await self._agent.conn.request(method, params, timeout=left)
        except RpcError as exc:
            if session_id is not None and unknown_thread(exc.said):
                raise SessionNotFoundError(session_id, f"codex: {exc.said}") from None
            raise


@contextlib.asynccontextmanager
async def _server(provider: CodexProvider, env: dict[str, str]) -> AsyncIterator[_Server]:
    """A ``codex app-server`` for one call, stopped and reaped when it ends (also on error
    and cancellation); the whole call is bounded by `CATALOGUE_WAIT_S`."""
    from oauthpy._options import build_request

    started = time.monotonic()
    inv = provider.launch(build_request(None, require_prompt=False), env)
    async with one_call(inv, env, CATALOGUE_WAIT_S) as (agent, deadline):
        yield _Server(agent, deadline, started)
