"""Controls over a session's live conversation besides a turn: steer, rewind, compact, context.

An agent's conversation offers the controls its vendor has a door for, as async methods of the
same names (``steer(text)``, ``rewind(turns)``, ``compact()``, ``context()``), and its registry
entry lists them (``Agent.controls``): one it lacks is refused, naming the agent, before anything
is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from oauthpy._checks import check_text
from oauthpy._errors import InvalidOptionsError, NotSupportedError, SessionBusyError, SessionIdleError
from oauthpy._loop import run_sync

if TYPE_CHECKING:
    from oauthpy._runner import Runner
    from oauthpy._transports.base import Conversation

T = TypeVar("T")

#: every control a conversation may offer
CONTROLS = ("steer", "rewind", "compact", "context")

_WHAT = {
    "steer": "steering a running turn",
    "rewind": "rewinding a conversation",
    "compact": "compacting a conversation",
    "context": "reporting the context window",
}


@dataclass(frozen=True)
class ContextUsage:
    """How much of the model's context window the conversation fills (`Session.context`)."""

    #: tokens the conversation takes now (what the next request carries before new words)
    used_tokens: int
    #: the model's context window in tokens (None: the vendor did not say)
    window_tokens: int | None
    #: the vendor's own report, as it came
    raw: Any = None

    @property
    def left_tokens(self) -> int | None:
        """Tokens left before the window is full (None when the window is unknown)."""
        return None if self.window_tokens is None else max(self.window_tokens - self.used_tokens, 0)


def check_supported(provider: str, control: str) -> None:
    """`NotSupportedError` naming ``provider`` when its vendor has no door for ``control``."""
    from oauthpy import _registry as registry

    if control not in registry.get(provider).controls:
        has = [name for name in registry.names() if control in registry.get(name).controls]
        raise NotSupportedError(
            f"{provider} has no way of {_WHAT[control]}; nothing was sent",
            hint=f"agents that have one: {', '.join(has)}" if has else None,
        )


class SessionControls:
    """`Session`'s steer, rewind, compact and context (the state they read is the session's)."""

    _runner: Runner
    _conversation: Conversation | None
    _busy: bool
    _loop: asyncio.AbstractEventLoop | None

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

    def _controlled(self, control: str) -> Any:
        """The live conversation, once ``control`` is known to be one its agent offers (None
        while the session has none: no turn yet in this process, or its loop ended)."""
        self._check_open()
        check_supported(self._runner.name, control)
        conversation = self._conversation
        if conversation is not None and not callable(getattr(conversation, control, None)):
            # the agent has the door, but not on the transport this session runs on
            raise NotSupportedError(
                f"{self._runner.name} over {conversation.transport} has no way of {_WHAT[control]}; "
                "nothing was sent",
                hint="open the session on the agent's default transport",
            )
        return conversation

    def _live_conversation(self, control: str) -> Any:
        """The conversation ``control`` acts on between turns: `SessionIdleError` while there is
        none to act on (nothing is started for a control: a turn opens the conversation)."""
        conversation = self._controlled(control)
        if conversation is None:
            raise SessionIdleError(
                f"this session has no live conversation for {_WHAT[control]}: no turn of it has "
                "run in this process (or its event loop has ended)",
                hint="run a turn of the session first; a session resumed by id then acts on its "
                "earlier turns too",
            )
        return conversation

    async def _on_its_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop the session's agent lives on: its pipes belong to that loop
        (a sync session's is oauthpy's own loop thread, while the caller may be in another)."""
        loop = self._loop
        if loop is None or loop is asyncio.get_running_loop() or not loop.is_running():
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    async def asteer(self, text: str) -> None:
        """Send ``text`` to the turn that is running: the agent reads it within that turn.

        Raises `SessionIdleError` when no turn runs and `NotSupportedError` for an agent with no
        way of steering; in both cases nothing is sent.
        """
        if not isinstance(text, str) or not text.strip():
            raise InvalidOptionsError("steer text must be a non-empty string")
        check_text("steer text", text)
        conversation = self._controlled("steer")
        if not self._busy or conversation is None:
            raise SessionIdleError(
                "no turn of this session is running: there is nothing to steer",
                hint="steer while a turn streams (or from another thread while run() waits); "
                "to say something between turns, run the next turn",
            )
        await self._on_its_loop(conversation.steer(text))

    def steer(self, text: str) -> None:
        """Sync twin of `asteer` (call it from another thread while ``run`` waits, or between
        events of ``stream_sync``)."""
        run_sync(self.asteer(text))

    def _idle_conversation(self, control: str) -> Any:
        if self._busy:
            self._controlled(control)  # an agent without the door hears that first
            raise SessionBusyError(
                f"a turn of this session is running; {_WHAT[control]} waits for it to end",
                hint="call it between turns",
            )
        return self._live_conversation(control)

    async def arewind(self, turns: int = 1) -> None:
        """Drop the conversation's last ``turns`` turns: the next turn no longer sees them.

        Only the conversation forgets: files the dropped turns changed stay changed. Raises
        `InvalidOptionsError` for more turns than the conversation has, `SessionBusyError`
        while a turn runs, `SessionIdleError` before any turn of the session has run in this
        process (a control never starts the agent), `NotSupportedError` for an agent with no
        way of rewinding.
        """
        if isinstance(turns, bool) or not isinstance(turns, int) or turns < 1:
            raise InvalidOptionsError(f"turns must be a whole number of at least 1; got {turns!r}")
        conversation = self._idle_conversation("rewind")
        await self._on_its_loop(conversation.rewind(turns))

    def rewind(self, turns: int = 1) -> None:
        """Sync twin of `arewind`."""
        run_sync(self.arewind(turns))

    async def acompact(self) -> None:
        """Have the vendor compact the conversation (its own summary replaces the history),
        and wait until it has. Raises as `arewind` does (but for the turn count)."""
        conversation = self._idle_conversation("compact")
        await self._on_its_loop(conversation.compact())

    def compact(self) -> None:
        """Sync twin of `acompact`."""
        run_sync(self.acompact())

    async def acontext(self) -> ContextUsage:
        """The tokens the conversation takes and the model's window, as the vendor last said.

        Raises `SessionIdleError` before the vendor has said anything in this process (no turn
        yet): zero would be wrong for a resumed conversation. Callable while a turn runs.
        """
        conversation = self._live_conversation("context")
        result: ContextUsage = await self._on_its_loop(conversation.context())
        return result

    def context(self) -> ContextUsage:
        """Sync twin of `acontext`."""
        return run_sync(self.acontext())
