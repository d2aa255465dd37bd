"""The session catalogue of every ACP agent (OpenCode, Copilot, any ``Client("acp", command=...)``).

What an agent can do is what its ``initialize`` answer says (``loadSession``,
``sessionCapabilities`` ``list``/``fork``/``delete``); each call starts the agent once (bounded),
asks, and stops it (inside ``with Client``, it takes a warm agent of the client's pool instead and
gives it back, as a run does):

* list: ``session/list`` (its ``cwd`` filter, every ``nextCursor`` page);
* transcript: ``session/load`` replays the conversation as ``session/update`` notifications before
  it answers; they go through the same translator as a run's (`AcpProfile.turn`);
* fork: ``session/fork`` (unstable in ACP v1); delete: ``session/delete``.

Where the agent lacks one, its profile may name its own documented way (`AcpProfile.deleter`, a
``"module:attribute"`` string imported only when asked), else the call raises `NotSupportedError`
saying why.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from oauthpy._attachments import described, scrubbed
from oauthpy._errors import CommandExecutionError, NotSupportedError, OauthPyError, SessionNotFoundError
from oauthpy._events import Event, EventKind
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._options import build_request
from oauthpy._process import start_timeout
from oauthpy._sessions import (
    CATALOGUE_WAIT_S,
    SessionInfo,
    newest_first,
    reply_event,
    seconds_left,
    title_from,
    user_event,
    when,
)
from oauthpy._transports.rpc_messages import RpcError

if TYPE_CHECKING:
    from oauthpy._pool import AgentPool
    from oauthpy._transports.acp.conversation import AcpAgent
    from oauthpy._transports.acp.profile import AcpProfile
    from oauthpy._transports.acp.provider import AcpProvider

#: put into a loaded session's notifications once ``session/load`` has answered
#: how an agent refuses to replay a session one of its own sessions holds (copilot 1.0.102)
_ALREADY_LOADED = "already loaded"
_LOADED = "(session/load answered)"
#: at most this many ``session/list`` pages (an agent whose cursor never ends is cut here)
_MAX_PAGES = 100
#: the event kinds a transcript keeps of what a run reports
_RECORDED = (EventKind.COMMAND, EventKind.FILE_CHANGE, EventKind.TOOL)


class AcpCatalogue:
    """The sessions of one ACP agent, read through its own ACP methods."""

    can_list = can_transcript = can_fork = can_delete = False
    takes_images = True  # until its initialize said otherwise

    def __init__(self, provider: AcpProvider) -> None:
        self._provider = provider
        self._profile: AcpProfile = provider.profile
        #: the ``agentCapabilities`` of its ``initialize`` answer, once an agent was started
        self._capabilities: dict[str, Any] | None = None
        self.can_delete = bool(self._profile.deleter)
        self._warm: Callable[[], AgentPool | None] | None = None

    def use_warm_agents(self, pool: Callable[[], AgentPool | None]) -> None:
        """Take agents from ``pool()`` (the client's, while ``with Client`` lasts; else None) and
        give them back, instead of starting and stopping one per call."""
        self._warm = pool

    # -- what it can do ------------------------------------------------------------------------

    def _learned(self, capabilities: dict[str, Any]) -> None:
        self._capabilities = capabilities
        offers = as_dict(capabilities.get("sessionCapabilities"))
        self.can_list = offers.get("list") is not None
        loads = self._profile.loads_sessions
        self.can_transcript = loads if loads is not None else capabilities.get("loadSession") is True
        self.can_fork = offers.get("fork") is not None
        self.can_delete = offers.get("delete") is not None or bool(self._profile.deleter)
        #: whether its prompts take images (`Capabilities.images`)
        self.takes_images = as_dict(capabilities.get("promptCapabilities")).get("image") is True

    async def learn(self, env: dict[str, str]) -> None:
        if self._capabilities is not None:
            return
        async with self._agent(env):
            pass

    def _refuse(self, what: str, method: str) -> NotSupportedError:
        return NotSupportedError(f"{self._profile.name} cannot {what}: its ACP agent does not offer {method}")

    # -- the calls -----------------------------------------------------------------------------

    async def list_sessions(
        self, env: dict[str, str], *, cwd: str | None, limit: int | None
    ) -> list[SessionInfo]:
        async with self._agent(env) as (agent, deadline):
            if not self.can_list:
                raise self._refuse("list its sessions", "session/list")
            found = newest_first(await self._listed(agent, cwd, deadline, env), limit)
            untitled = self._profile.untitled_title
            if not untitled or not self.can_transcript:
                return found
            # a placeholder title says nothing: the first prompt does (read from the session,
            # while half the call's time is left; the rest keep the agent's title)
            return [
                await self._titled(agent, info, deadline)
                if re.fullmatch(untitled, info.title) and seconds_left(deadline) > CATALOGUE_WAIT_S / 2
                else info
                for info in found
            ]

    async def transcript(self, env: dict[str, str], session_id: str) -> list[Event]:
        try:
            updates = await self._replayed(env, session_id, warm=True)
        except CommandExecutionError as exc:
            # the warm agent that ran the session still holds it (copilot: "Session ... is
            # already loaded"), and will not replay it: a process of its own then does
            if self._warm is None or _ALREADY_LOADED not in exc.message:
                raise
            updates = await self._replayed(env, session_id, warm=False)
        return replay_events(self._profile, session_id, updates)

    async def _replayed(self, env: dict[str, str], session_id: str, *, warm: bool) -> list[tuple[str, Any]]:
        async with self._agent(env, warm=warm) as (agent, deadline):
            if not self.can_transcript:
                raise self._refuse("read a session's transcript", "session/load")
            cwd = await self._cwd_of(agent, session_id, deadline, env)
            return await self._load(agent, session_id, cwd, deadline)

    async def fork(self, env: dict[str, str], session_id: str) -> str:
        # not kept warm afterwards: OpenCode replays a fork it made twice when it later loads it
        async with self._agent(env, reuse=False) as (agent, deadline):
            if not self.can_fork:
                why = self._profile.no_fork or "its ACP agent does not offer session/fork"
                raise NotSupportedError(f"{self._profile.name} cannot fork a session: {why}")
            cwd = await self._cwd_of(agent, session_id, deadline, env)
            params = {"sessionId": session_id, "cwd": cwd, "mcpServers": []}
            answer = await self._ask(agent, "session/fork", params, deadline, session_id)
        new = as_str(as_dict(answer).get("sessionId"))
        if not new:
            raise OauthPyError(f"{self._profile.title} answered session/fork without a sessionId")
        return new

    async def delete(self, env: dict[str, str], session_id: str) -> None:
        offers = as_dict(as_dict(self._capabilities).get("sessionCapabilities"))
        if self._profile.deleter and offers.get("delete") is None:
            # the agent's own documented way (its CLI, its SDK server): no ACP process needed
            module, _, name = self._profile.deleter.partition(":")
            deleter = getattr(importlib.import_module(module), name)
            await deleter(self._provider, env, session_id, time.monotonic() + CATALOGUE_WAIT_S)
            return
        async with self._agent(env) as (agent, deadline):
            if offers.get("delete") is None and not self.can_delete:
                raise self._refuse("delete a session", "session/delete")
            await self._ask(agent, "session/delete", {"sessionId": session_id}, deadline, session_id)

    # -- one agent process per call --------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _agent(
        self, env: dict[str, str], *, reuse: bool = True, warm: bool = True
    ) -> AsyncIterator[tuple[AcpAgent, float]]:
        """The agent, started in a neutral folder (OpenCode makes a project of a git checkout it
        starts in; every call names its folder in its params, so one process serves them all)
        with the client's environment, and stopped afterwards whatever happens (an error, a
        cancellation); inside ``with Client``, a warm agent of the client's (unless not
        ``warm``), given back when it answered (unless not to ``reuse``)."""
        from oauthpy._transports.acp.conversation import AcpAgent, _acquire, _start_lock
        from oauthpy._transports.live import process_key

        started = time.monotonic()
        deadline = started + CATALOGUE_WAIT_S
        request = build_request(None, cwd=tempfile.gettempdir(), require_prompt=False)
        inv = self._provider.launch(request, env)
        profile = self._profile

        async def start() -> AcpAgent:
            if not profile.one_start_at_a_time:
                return await AcpAgent.start(profile, inv, deadline, started)
            # its processes race when they start at once (OpenCode migrates its database)
            lock = _start_lock(profile.name)
            what = f"starting {profile.title} (after the ones started before it)"
            if not await _acquire(lock, deadline - time.monotonic()):
                raise start_timeout(what, started)
            try:
                return await AcpAgent.start(profile, inv, deadline, started)
            finally:
                lock.release()

        pool = self._warm() if self._warm is not None and warm else None
        # the same key as a run's agent with the same process-level settings (`LiveConversation`)
        key = process_key(inv)
        if pool is None:
            agent = await start()
        else:  # a warm run's agent of any folder serves it: each call names its folder
            agent, key = await pool.acquire_any_folder(key, start)
        keep = False
        try:
            self._learned(agent.capabilities)
            try:
                yield agent, deadline
            except (SessionNotFoundError, NotSupportedError):
                keep = reuse  # the agent answered as it should: it can serve again
                raise
            keep = reuse
        finally:
            if pool is None:
                await agent.aclose()
            else:  # an error, a timeout or a cancel closes it: it may be busy or broken
                await pool.release(key, agent, reuse=keep)

    async def _ask(
        self, agent: AcpAgent, method: str, params: dict[str, Any], deadline: float, session_id: str | None
    ) -> Any:
        """``method``'s answer; an error about an unknown ``session_id`` is `SessionNotFoundError`
        with the agent's words, any other error is classified as a run's would be."""
        try:
            return await agent.conn.request(method, params, timeout=seconds_left(deadline))
        except RpcError as exc:
            data = exc.details.get("data")
            if session_id is not None and self._profile.unknown_session(exc.code, exc.said, data):
                raise SessionNotFoundError(
                    session_id, f"{self._profile.name}: {self._profile.error_text(exc.said)}"
                ) from None
            raise self._profile.classify(exc.code, exc.said, data, agent.auth_methods) from None

    async def _listed(
        self, agent: AcpAgent, cwd: str | None, deadline: float, env: Mapping[str, str]
    ) -> list[SessionInfo]:
        """Every page of ``session/list`` (for ``cwd``: the sessions started there); without
        ``cwd``, each of the profile's `session_folders` in turn where it names them."""
        folders = self._profile.session_folders(env) if cwd is None else None
        if folders is None:
            return await self._listed_in(agent, cwd, deadline)
        found: dict[str, SessionInfo] = {}
        for folder in folders:
            for info in await self._listed_in(agent, folder, deadline):
                found.setdefault(info.id, info)
        return list(found.values())

    async def _listed_in(self, agent: AcpAgent, cwd: str | None, deadline: float) -> list[SessionInfo]:
        pages: list[Any] = []
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            params = {k: v for k, v in (("cwd", cwd), ("cursor", cursor)) if v is not None}
            answer = await self._ask(agent, "session/list", params, deadline, None)
            pages.append(answer)
            cursor = as_str(as_dict(answer).get("nextCursor")) or None
            if cursor is None:
                break
        return sessions_of(self._profile.name, pages, cwd)

    async def _cwd_of(self, agent: AcpAgent, session_id: str, deadline: float, env: Mapping[str, str]) -> str:
        """The folder the session was started in (``session/load`` and ``session/fork`` take
        it), as ``session/list`` says; else the agent's own."""
        if self.can_list:
            for info in await self._listed(agent, None, deadline, env):
                if info.id == session_id and info.cwd:
                    return info.cwd
        return tempfile.gettempdir()  # where the agent was started: an unknown id is its to say

    async def _load(
        self, agent: AcpAgent, session_id: str, cwd: str, deadline: float
    ) -> list[tuple[str, Any]]:
        """The notifications ``session/load`` replays (all come before its answer)."""
        agent.threads.add(session_id)  # loaded there now: a session resuming it closes it first
        sub = agent.conn.subscribe(session_id)
        try:
            params = {"sessionId": session_id, "cwd": cwd, "mcpServers": []}
            await self._ask(agent, "session/load", params, deadline, session_id)
            sub.push(_LOADED)
            updates: list[tuple[str, Any]] = []
            while True:
                method, params_in = await sub.next(seconds_left(deadline))
                if method == _LOADED:
                    return updates
                updates.append((method, params_in))
        finally:
            sub.close()

    async def _titled(self, agent: AcpAgent, info: SessionInfo, deadline: float) -> SessionInfo:
        updates = await self._load(agent, info.id, info.cwd or tempfile.gettempdir(), deadline)
        prompt = next(
            (e.text for e in replay_events(self._profile, info.id, updates) if e.kind is EventKind.USER), ""
        )
        return SessionInfo(
            id=info.id,
            provider=info.provider,
            title=title_from(prompt) if prompt else info.title,
            cwd=info.cwd,
            created_at=info.created_at,
            updated_at=info.updated_at,
            turns=info.turns,
        )


def sessions_of(provider: str, pages: Iterable[Any], cwd: str | None = None) -> list[SessionInfo]:
    """``session/list`` answers as `SessionInfo` (for ``cwd``, only the sessions started there:
    an agent may ignore the filter)."""
    found = []
    for page in pages:
        for entry in as_list(as_dict(page).get("sessions")):
            entry = as_dict(entry)
            sid = as_str(entry.get("sessionId"))
            folder = as_str(entry.get("cwd")) or None
            if not sid or (cwd is not None and folder is not None and not _same(folder, cwd)):
                continue
            found.append(
                SessionInfo(
                    id=sid,
                    provider=provider,
                    title=as_str(entry.get("title")),
                    cwd=folder,
                    updated_at=when(entry.get("updatedAt")),
                )
            )
    return found


def _same(folder: str, cwd: str) -> bool:
    return folder == cwd or os.path.realpath(folder) == cwd


def replay_events(profile: AcpProfile, session_id: str, updates: Iterable[tuple[str, Any]]) -> list[Event]:
    """A loaded session's replayed notifications as a transcript: a `user_event` per prompt,
    a `reply_event` per agent message (its chunks joined), and the commands, file changes and
    tool calls as a run reports them (the agent's profile translates, as in a run)."""
    from oauthpy._transports.acp.turn import AcpTurn

    turn = profile.turn(session_id, None) or AcpTurn(profile, session_id, None)
    events: list[Event] = []
    prompt: list[str] = []
    prompt_raw: list[Any] = []
    files: list[str] = []
    chunks: list[Any] = []
    message_id: Any = None

    def close_prompt() -> None:
        if prompt or files:
            events.append(user_event("\n".join([*files, "".join(prompt)]), raw=list(prompt_raw)))
            prompt.clear()
            prompt_raw.clear()
            files.clear()

    def close_reply() -> None:
        text = "".join(turn.turn_text)
        turn.turn_text = []
        if text:
            events.append(reply_event(text, raw=list(chunks)))
        chunks.clear()

    for method, params in updates:
        update = as_dict(as_dict(params).get("update"))
        kind = update.get("sessionUpdate")
        if method == "session/update" and kind == "user_message_chunk":
            close_reply()
            content = as_dict(update.get("content"))
            if content.get("type") == "text":
                prompt.append(as_str(content.get("text")))
                prompt_raw.append(update)
            elif (shown := described(content)) is not None:  # an image: its type and size only
                files.append(shown)
                prompt_raw.append(scrubbed(update))
            continue
        close_prompt()
        if kind == "agent_message_chunk":
            said = update.get("messageId")
            if said is not None and message_id is not None and said != message_id:
                close_reply()  # another message of the agent's
            message_id = said
        for event in turn.feed(method, params):
            if event.kind is EventKind.MESSAGE and event.delta:
                chunks.append(event.raw)
            elif event.kind is EventKind.MESSAGE:
                # the translator ended the text at a tool call: the reply so far, joined
                turn.turn_text = [event.text]
                close_reply()
            elif event.kind in _RECORDED:
                events.append(event)
    close_prompt()
    close_reply()
    return events


__all__ = ["AcpCatalogue", "replay_events", "sessions_of"]
