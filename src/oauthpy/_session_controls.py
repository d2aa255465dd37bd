"""Controls over a session's live conversation besides a turn: steer, rewind, compact, context.

An agent's conversation offers the controls its vendor has a door for, as async methods of the
same names (``steer(text)``, ``rewind(turns)``, ``compact()``, ``context()``), and its registry
entry lists them (``Agent.controls``): one it lacks is refused, naming the agent, before anything
is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oauthpy._checks import check_text
from oauthpy._errors import InvalidOptionsError, NotSupportedError, SessionBusyError, SessionIdleError
from oauthpy._loop import run_sync

if TYPE_CHECKING:
    from oauthpy._runner import Runner
    from oauthpy._transports.base import Conversation

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

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

    def _controlled(self, control: str) -> Any:
        """The live conversation, once ``control`` is known to be one its agent offers."""
        self._check_open()
        check_supported(self._runner.name, control)
        return self._conversation

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
        await conversation.steer(text)

    def steer(self, text: str) -> None:
        """Sync twin of `asteer` (call it from another thread while ``run`` waits, or between
        events of ``stream_sync``)."""
        run_sync(self.asteer(text))

    def _idle_conversation(self, control: str) -> Any:
        conversation = self._controlled(control)
        if self._busy:
            raise SessionBusyError(
                f"a turn of this session is running; {_WHAT[control]} waits for it to end",
                hint="call it between turns",
            )
        return conversation

    async def arewind(self, turns: int = 1) -> None:
        """Drop the conversation's last ``turns`` turns: the next turn no longer sees them."""
        if isinstance(turns, bool) or not isinstance(turns, int) or turns < 1:
            raise InvalidOptionsError(f"turns must be a whole number of at least 1; got {turns!r}")
        conversation = self._idle_conversation("rewind")
        await conversation.rewind(turns)

    def rewind(self, turns: int = 1) -> None:
        """Sync twin of `arewind`."""
        run_sync(self.arewind(turns))

    async def acompact(self) -> None:
        """Have the vendor compact the conversation (its own summary replaces the history)."""
        conversation = self._idle_conversation("compact")
        await conversation.compact()

    def compact(self) -> None:
        """Sync twin of `acompact`."""
        run_sync(self.acompact())

    async def acontext(self) -> ContextUsage:
        """The tokens the conversation takes and the model's window."""
        conversation = self._controlled("context")
        result: ContextUsage = await conversation.context()
        return result

    def context(self) -> ContextUsage:
        """Sync twin of `acontext`."""
        return run_sync(self.acontext())
