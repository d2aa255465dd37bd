"""Claude's session controls: steer a running turn, rewind, compact, context.

`ClaudeControls` is a mixin of `ClaudeConversation` (the connected ``ClaudeSDKClient``):

* steer: a user message on the client's open input, read by the CLI at the turn's next tool
  result. The CLI is started with ``--replay-user-messages``: it echoes each user message as it
  takes it (the prompt, a steer), with the ``uuid`` the steer was sent with. A steer that comes
  too late for the turn's last model request is run by the CLI as a run of its own, with its own
  result message: the turn reads on until every steer it was sent has been echoed, so the next
  turn never reads this one's end.
* rewind: each turn's prompt echo and last transcript entry are kept as the turn runs; a
  rewind reconnects with ``resume`` + ``resume_session_at`` (the last entry of the turn kept)
  + ``fork_session``, as claude-agent-sdk's own docs advise: the dropped turns stay in the old
  transcript, the conversation goes on under a new session id.
* compact: the CLI's own ``/compact`` command, as a prompt, read to its result.
* context: ``get_context_usage()``, the CLI's own count (Claude Code's ``/context``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
import uuid
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from oauthpy._agents.claude.parser import ClaudeParser
from oauthpy._agents.claude.sdk import wrap_sdk_error
from oauthpy._errors import CommandExecutionError, InvalidOptionsError, OauthPyError, SessionIdleError
from oauthpy._redact import secret_values
from oauthpy._session_controls import ContextUsage
from oauthpy._teardown import within

if TYPE_CHECKING:
    from collections import deque

    from oauthpy._options import RunRequest

#: bound on ``/compact`` when the session's turns have no timeout: one model request that
#: summarizes the whole conversation
COMPACT_WAIT_S = 600.0
#: bound on ``get_context_usage()`` (the CLI counts tokens first, about 20 count requests)
CONTEXT_WAIT_S = 120.0
#: what makes the CLI echo the user messages it takes (`ClaudeControls._watch`)
_REPLAY = "replay-user-messages"


@dataclasses.dataclass
class _Turn:
    """Where one turn sits in the transcript."""

    #: the uuid of the turn's prompt
    prompt: str
    #: the uuid of the turn's last transcript entry so far
    last: str


@dataclasses.dataclass(frozen=True)
class _Fork:
    """How the next CLI resumes the conversation after a rewind, until it has a new session id."""

    #: the session the rewind dropped turns of
    session: str
    #: the last transcript entry kept (None: nothing is kept, a new conversation starts)
    at: str | None


def _is_tool_result(msg: Any) -> bool:
    content = getattr(msg, "content", None)
    return isinstance(content, list) and any(type(b).__name__ == "ToolResultBlock" for b in content)


def _summed(results: list[Any]) -> Any:
    """One result message for a turn the CLI answered in several runs (a late steer): the first
    error if one failed, else the last, with the token counts of all."""
    failed = [r for r in results if getattr(r, "is_error", False)]
    last = failed[0] if failed else results[-1]
    usage: dict[str, Any] = dict(getattr(last, "usage", None) or {})
    for key, value in usage.items():
        if isinstance(value, int) and not isinstance(value, bool):
            usage[key] = sum(
                v
                for r in results
                if isinstance(v := (getattr(r, "usage", None) or {}).get(key), int)
                and not isinstance(v, bool)
            )
    if dataclasses.is_dataclass(last) and not isinstance(last, type):
        return dataclasses.replace(last, usage=usage)
    return last


class ClaudeControls:
    """Steer, rewind, compact and context of a `ClaudeConversation`."""

    _client: Any
    _key: str
    _stderr: deque[str]

    if TYPE_CHECKING:

        async def _connect(
            self, request: RunRequest, env: dict[str, str], key: str, deadline: float | None, started: float
        ) -> None: ...

        async def aclose(self, reader: Any = None) -> None: ...

    def __init__(self) -> None:
        #: the turns of this conversation, oldest first, that a rewind can drop
        self._turns: list[_Turn] = []
        #: the transcript entry before the first of ``_turns`` (after a compaction: its last)
        self._base: str | None = None
        #: whether the conversation had turns before ``_turns`` that a rewind cannot reach
        #: (a session resumed by id, whose earlier entries oauthpy never saw)
        self._older = False
        #: the running turn: "starting" until its prompt is sent, "reading", then "ended"
        self._phase = "idle"
        #: steers sent while the turn starts: they follow its prompt
        self._queued: list[dict[str, Any]] = []
        #: uuids of the steers sent whose echo has not come yet
        self._unread: set[str] = set()
        #: a turn ended on an error while a steer of it was unread
        self._stale = False
        #: the CLI's session id as it last said it
        self._live_sid: str | None = None
        self._fork: _Fork | None = None
        #: (old, new): the conversation moved to a new session id that the session has not
        #: heard of yet (a rewind's fork); a reconnect resumes the new one
        self._moved: tuple[str, str] | None = None
        #: what the connected CLI was started for, to start another for a control
        self._started_for: tuple[RunRequest, dict[str, str]] | None = None
        #: how many of ``_turns`` there were when the turn under way started; None once a
        #: turn succeeded (a retry then has no failed turn to drop)
        self._turns_before: int | None = None

    # -- the session conversation's hooks ---------------------------------------------------------

    async def _turn_starts(self) -> None:
        self._phase, self._queued = "starting", []
        await self._drop_stale()
        self._turns_before = len(self._turns)

    async def _drop_stale(self) -> None:
        if self._unread or self._stale:
            # a steer of an earlier turn that ended early (interrupted, failed) may still be
            # queued in the CLI, and would answer what comes next: a new CLI resumes instead
            self._unread.clear()
            self._stale = False
            await self.aclose()

    def _connecting(self, request: RunRequest, env: dict[str, str]) -> RunRequest:
        """``request`` as the CLI is started for it: echoing user messages, resuming where a
        rewind left the conversation."""
        resume = request.resume
        if self._moved is not None and resume == self._moved[0]:
            resume = self._moved[1]
        if not self._turns and self._started_for is None and resume:
            self._older = True  # resumed by id: its earlier turns are not ours to count
        options = dict(request.provider_options)
        sdk = dict(options.get("sdk_options") or {})
        sdk["extra_args"] = {**(sdk.get("extra_args") or {}), _REPLAY: None}
        fork = self._fork
        if fork is not None and resume == fork.session:
            if fork.at is None:
                resume = None  # every turn was dropped: a new conversation
            else:
                sdk.update(resume_session_at=fork.at, fork_session=True)
        options["sdk_options"] = sdk
        request = dataclasses.replace(request, resume=resume, provider_options=options)
        self._started_for = (request, env)
        return request

    def _heard(self, sid: Any) -> None:
        """The CLI said its session id: a rewind's fork has happened once it is a new one."""
        if not isinstance(sid, str) or not sid:
            return
        fork = self._fork
        if fork is not None and sid != fork.session:
            self._fork, self._moved = None, (fork.session, sid)
        self._live_sid = sid

    async def _watch(self, client: Any) -> AsyncGenerator[Any, None]:
        """The turn's SDK messages up to its result, the echoes of its prompt and steers left
        out (what they say is kept here); a result that comes while a steer is still unread is
        held: the CLI runs that steer next, as part of this turn."""
        self._phase = "reading"
        turn: _Turn | None = None
        held: list[Any] = []
        try:
            for message in self._queued:
                await self._send(client, message)
            self._queued = []
            async for msg in client.receive_messages():
                kind = type(msg).__name__
                uid = getattr(msg, "uuid", None)
                if kind == "UserMessage" and not _is_tool_result(msg) and uid:
                    if uid in self._unread:  # a steer, taken by the CLI
                        self._unread.discard(uid)
                        if turn is not None:
                            turn.last = uid
                        continue
                    if turn is None and getattr(msg, "parent_tool_use_id", None) is None:
                        turn = _Turn(prompt=uid, last=uid)  # the prompt
                        self._turns.append(turn)
                        continue
                if kind in ("UserMessage", "AssistantMessage") and uid and turn is not None:
                    turn.last = uid
                elif kind == "SystemMessage" and getattr(msg, "subtype", None) == "init":
                    self._heard((getattr(msg, "data", None) or {}).get("session_id"))
                elif kind == "ResultMessage":
                    self._heard(getattr(msg, "session_id", None))
                    held.append(msg)
                    if self._unread and not getattr(msg, "is_error", False):
                        continue
                    self._stale = bool(self._unread)
                    self._phase = "ended"
                    if not getattr(msg, "is_error", False):
                        self._turns_before = None
                    yield _summed(held) if len(held) > 1 else msg
                    return
                yield msg
        finally:
            self._phase = "ended"

    # -- the controls ------------------------------------------------------------------------------

    async def steer(self, text: str) -> None:
        """Send ``text`` to the running turn, as a user message on the CLI's open input."""
        message = {
            "type": "user",
            "message": {"role": "user", "content": text},
            "parent_tool_use_id": None,
            "session_id": "default",
            "uuid": str(uuid.uuid4()),
        }
        if self._phase == "starting":
            self._queued.append(message)  # the turn sends it right after its prompt
        elif self._phase == "reading" and self._client is not None:
            await self._send(self._client, message)
        else:
            raise SessionIdleError(
                "the turn has ended: there is nothing to steer; nothing was sent",
                hint="to say something between turns, run the next turn",
            )

    async def _send(self, client: Any, message: dict[str, Any]) -> None:
        self._unread.add(message["uuid"])  # before the write: its echo may come at once

        async def one() -> AsyncGenerator[dict[str, Any], None]:
            yield message

        try:
            await client.query(one())
        except Exception as exc:
            self._unread.discard(message["uuid"])
            env = self._started_for[1] if self._started_for else {}
            raise wrap_sdk_error(exc, self._stderr, secret_values(env)) from None

    async def rewind(self, turns: int) -> None:
        """Drop the last ``turns`` turns: reconnect resuming at the last entry of the turn
        before them, in a fork of the session."""
        have = len(self._turns)
        if turns > have or (turns == have and self._older and self._base is None):
            earlier = ""
            if self._older or self._base is not None:
                earlier = " (turns before this process or before a compaction cannot be dropped)"
            raise InvalidOptionsError(
                f"this conversation has {have} turn(s) that can be dropped{earlier}; cannot drop {turns}"
            )
        sid = self._live_sid
        if sid is None or self._started_for is None:
            raise InvalidOptionsError(
                "the conversation has no turn claude has recorded yet; nothing to rewind"
            )
        keep = self._turns[: have - turns]
        at = keep[-1].last if keep else self._base
        await self.aclose()
        request, env = self._started_for
        self._fork, self._moved = _Fork(sid, at), None
        self._turns = keep
        await self._connect(dataclasses.replace(request, resume=sid), env, self._key, None, time.monotonic())

    async def forget_failed_turn(self) -> None:
        """Before a session's turn is tried again: drop the failed attempt's turn (a rewind of
        one turn, so the conversation goes on in a fork), so that the retry's prompt is not in
        the conversation twice. Only when the CLI took that attempt's prompt; else nothing."""
        before, self._turns_before = self._turns_before, None
        if before is None or len(self._turns) != before + 1:
            return
        with contextlib.suppress(InvalidOptionsError):  # nothing claude recorded to drop
            await self.rewind(1)

    async def compact(self) -> None:
        """Claude Code's own ``/compact``: one model request summarizes the conversation, and
        the summary replaces it (earlier turns can no longer be dropped one by one)."""
        await self._drop_stale()
        client = await self._ready("compacting")
        request, env = self._started_for or (None, {})
        limit = request.timeout if request is not None and request.timeout else COMPACT_WAIT_S
        parser = ClaudeParser()
        last: str | None = None
        compacted = False

        async def read() -> None:
            nonlocal last, compacted
            await client.query("/compact")
            async for msg in client.receive_response():
                parser.feed(msg)
                kind = type(msg).__name__
                if kind in ("UserMessage", "AssistantMessage") and getattr(msg, "uuid", None):
                    last = msg.uuid
                elif kind == "SystemMessage" and getattr(msg, "subtype", None) == "compact_boundary":
                    compacted = True
                elif kind == "ResultMessage":
                    self._heard(getattr(msg, "session_id", None))

        try:
            await within(read(), limit)
        except asyncio.TimeoutError:
            await self.aclose()  # it may still be compacting: the next turn resumes
            raise CommandExecutionError(
                f"claude did not finish compacting within {limit:g} s", transient=True
            ) from None
        except OauthPyError:
            raise
        except Exception as exc:
            raise wrap_sdk_error(exc, self._stderr, secret_values(env)) from None
        parser.finish()  # raises the error the result says, if any
        if not compacted:
            raise CommandExecutionError(
                "claude answered /compact without compacting (no compact boundary)",
                details={"provider": "claude"},
            )
        self._turns, self._base, self._older = [], last, False

    async def context(self) -> ContextUsage:
        """``get_context_usage()``: the tokens the conversation takes and the model's window."""
        client = await self._ready("reading the context usage")
        env = self._started_for[1] if self._started_for else {}
        try:
            raw = await within(client.get_context_usage(), CONTEXT_WAIT_S)
        except asyncio.TimeoutError:
            raise CommandExecutionError(
                f"claude did not report its context usage within {CONTEXT_WAIT_S:g} s", transient=True
            ) from None
        except Exception as exc:
            raise wrap_sdk_error(exc, self._stderr, secret_values(env)) from None
        used, window = raw.get("totalTokens"), raw.get("maxTokens")
        if not isinstance(used, int):
            raise CommandExecutionError(
                "claude's context usage carries no totalTokens", details={"provider": "claude"}
            )
        return ContextUsage(used, window if isinstance(window, int) and window > 0 else None, raw)

    async def _ready(self, what: str) -> Any:
        """The connected client; a CLI started again (resuming the conversation) when the last
        one was stopped (a timeout, an interrupt it did not obey)."""
        if self._client is None:
            if self._started_for is None:
                raise SessionIdleError(
                    f"claude has no conversation for {what} yet", hint="run a turn of the session first"
                )
            request, env = self._started_for
            resume = self._live_sid or request.resume
            await self._connect(
                dataclasses.replace(request, resume=resume), env, self._key, None, time.monotonic()
            )
        return self._client
