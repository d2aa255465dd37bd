"""One live turn's parts, whatever the vendor: what its end tells the conversation (`TurnEnd`),
its next update within the run's bounds, the vendor's side of it (`TurnDriver`) and how it is
stopped. `oauthpy._transports.live` runs turns with them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from oauthpy._errors import CommandExecutionError, TimeoutExceededError
from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._process import start_timeout, timeout_error, wait_budget
from oauthpy._teardown import within
from oauthpy._transports.live_asks import Asks
from oauthpy._transports.rpc import Subscription
from oauthpy._transports.rpc_messages import Incoming

if TYPE_CHECKING:
    from oauthpy._transports.live import LiveAgent

#: how long an interrupted turn may take to report itself over before its process is stopped
INTERRUPT_WAIT_S = 5.0


def ran_out(deadline: float | None) -> bool:
    """Whether the run's deadline is what ended a wait that was bounded by it."""
    return deadline is not None and time.monotonic() >= deadline - 0.01


def cut_by_deadline(
    exc: TimeoutExceededError, deadline: float | None, started: float, what: str
) -> TimeoutExceededError:
    """A request whose wait the run's deadline cut short is the run's total timeout: said so,
    counted from the call (not "<method> got no answer within 0.08 s")."""
    return start_timeout(what, started) if ran_out(deadline) else exc


class TurnEnd:
    """What a vendor's turn tells the conversation when it is over."""

    __slots__ = ("closing", "deadline", "failure", "keep", "started", "stop", "timed_out")

    def __init__(self, deadline: float | None = None, started: float = 0.0) -> None:
        #: the run's deadline (``time.monotonic()``) and start, for what the turn waits on
        self.deadline = deadline
        self.started = started
        #: the agent may serve again (the turn finished, or stopped when asked to)
        self.keep = False
        #: the turn hit its idle or total timeout: its process is never used again
        self.timed_out = False
        #: the user's callback failed: the agent is stopped, not asked to interrupt the turn
        self.stop = False
        #: what the user's callback raised, for the turn to raise once the events of the
        #: question it was answering are out (``on_question``)
        self.failure: BaseException | None = None
        #: the turn's closing events (``done``), or raises its classified error
        self.closing: Callable[[], list[Event]] = list


async def next_update(
    sub: Subscription,
    request: RunRequest,
    deadline: float | None,
    started: float,
    end: TurnEnd,
    who: str,
    *,
    idle: bool = True,
) -> tuple[str, Any]:
    """A turn's next notification, within the run's idle and total timeouts (``idle=False``:
    the total one only, while the agent waits on the user's code)."""
    wait, which = wait_budget(deadline, request.idle_timeout if idle else None)
    try:
        return await sub.next(wait)
    except asyncio.TimeoutError:
        end.timed_out = True
        raise timeout_error(which, request.idle_timeout, started, "message") from None
    except StopAsyncIteration:
        raise CommandExecutionError(f"{who} closed the connection", transient=True) from None


class TurnDriver(Protocol):
    """A vendor's side of one live turn: how it starts, what its news mean, how it ends and how
    it stops. `LiveConversation` runs every vendor's turn through it, in one loop."""

    @property
    def sub(self) -> Subscription:
        """Its notifications, and oauthpy's own news of the turn (tool events), in order."""

    @property
    def asks(self) -> Asks:
        """How the agent's questions (approvals, tool calls) are read and answered."""

    @property
    def over(self) -> bool:
        """The turn has ended (its closing events are `finish`'s)."""

    @property
    def running(self) -> bool:
        """The turn was started and has not ended: closing early must stop it."""

    @property
    def ended(self) -> bool:
        """The agent has ended the turn, though its last news may not have been read yet."""

    @property
    def busy(self) -> bool:
        """The agent is waiting on the user's code (a tool call): its silence is not idle time."""

    async def begin(self) -> None:
        """Start the turn (``turn/start``, ``session/prompt``)."""

    def feed(self, method: str, params: Any) -> list[Event]:
        """A notification of the turn as events; raises the turn's error when it ends in one."""

    def asked(self, incoming: Incoming) -> list[Event]:
        """The events before a question of the agent is answered."""

    def answered(self, incoming: Incoming, events: list[Event]) -> list[Event]:
        """What answering it gave (``events``), with what follows from the answer."""

    def finish(self) -> list[Event]:
        """The turn's closing events (``done``), or raise its classified error."""

    async def stop(self) -> bool:
        """Ask the agent to stop the turn and wait until it has; whether it obeyed."""

    def close(self) -> None:
        """Let go of what the turn holds (its subscription, a pending request)."""


async def interrupt(agent: LiveAgent, driver: TurnDriver) -> bool:
    """Stop a running turn within `INTERRUPT_WAIT_S`; whether the agent may serve again."""
    try:
        obeyed = await within(driver.stop(), INTERRUPT_WAIT_S)
    except Exception:  # a second cancel propagates: the agent is then closed, not kept
        return False
    return obeyed and agent.usable
