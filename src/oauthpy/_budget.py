"""Budgets that stop spending: ``budget_usd`` on a `Client`, a session, a batch (docs/account.md).

A budget is checked before each run or turn starts and charged when one ends. Runs already under
way finish (the one that crosses the budget included); after that no new one starts:
`BudgetExceededError`. Runs at once (``map``, a batch) are held, not started blindly: while no
run under the budget has finished, one runs at a time (its cost is not known yet); after that a
run starts only while what was spent plus the mean cost of a run for each one under way stays
under the limit, else it waits for those to end. What is left of an overshoot is the difference
between a run's cost and the mean (docs/account.md). The charge is the run's cost as the vendor reported it, else oauthpy's
estimate (`oauthpy._prices`). A budget fails closed: after a run whose cost is unknown (the
vendor reports none and the price table has no price for its model) nothing more starts under it
either, since it could no longer be kept.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import TYPE_CHECKING, Any

from oauthpy._errors import BudgetExceededError, InvalidOptionsError, TimeoutExceededError

if TYPE_CHECKING:
    from oauthpy._events import Usage


def check_budget(value: Any) -> float | None:
    """``budget_usd`` as a float: a positive, finite number of US dollars, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOptionsError(f"budget_usd must be a number of US dollars, got {type(value).__name__}")
    amount = float(value)
    if not math.isfinite(amount) or amount <= 0:
        raise InvalidOptionsError(f"budget_usd must be a positive number of US dollars, got {value!r:.40}")
    return amount


class Budget:
    """What may be spent, and what has been, by one client, session or batch."""

    __slots__ = ("_waiters", "finished", "in_flight", "limit_usd", "spent_usd", "unpriced", "what")

    def __init__(self, limit_usd: float, what: str) -> None:
        self.limit_usd = limit_usd
        self.spent_usd = 0.0
        #: runs under way under this budget, and runs charged
        self.in_flight = 0
        self.finished = 0
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        #: the model of a run whose cost is unknown, once one ran: the budget cannot be kept
        self.unpriced: str | None = None
        #: whose budget, for the error ("the session's", "the batch's", "the client's")
        self.what = what

    def check(self) -> None:
        """Raise `BudgetExceededError` when nothing more may start."""
        if self.spent_usd >= self.limit_usd or self.unpriced is not None:
            raise BudgetExceededError(self.what, self.limit_usd, self.spent_usd, unpriced=self.unpriced)

    def _must_wait(self) -> bool:
        if self.in_flight == 0:
            return False
        if self.finished == 0:
            return True  # the cost of a run is not known yet: one at a time
        mean = self.spent_usd / self.finished
        return self.spent_usd + self.in_flight * mean >= self.limit_usd

    async def reserve(self, deadline: float | None) -> None:
        """Wait until a run may start under this budget (bounded by ``deadline``, a
        ``time.monotonic()`` value), then count it as under way; `release` when it ends.
        Raises `BudgetExceededError` once nothing more may start."""
        while True:
            self.check()
            if not self._must_wait():
                self.in_flight += 1
                return
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, waiter))
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                from oauthpy._teardown import within

                await within(waiter, left)
            except asyncio.TimeoutError:
                raise TimeoutExceededError(
                    f"total timeout fired while waiting for {self.what} budget (runs under way)",
                    which="total",
                    after_s=left or 0.0,
                ) from None
            finally:
                if (loop, waiter) in self._waiters:
                    self._waiters.remove((loop, waiter))

    def release(self) -> None:
        """A run counted by `reserve` ended (charged or not): wake what waits."""
        self.in_flight = max(0, self.in_flight - 1)
        waiters, self._waiters = self._waiters, []
        for loop, waiter in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_wake, waiter)

    def charge(self, model: str | None, usage: Usage) -> None:
        """Count a finished run: its reported cost, else the estimate; a run that used tokens
        at an unknown price closes the budget."""
        from oauthpy._prices import cost_of

        cost, _ = cost_of(model, usage)
        self.finished += 1
        if cost is not None:
            self.spent_usd += cost
        elif usage.input_tokens or usage.output_tokens:
            self.unpriced = model or "the agent's default model"

    def __repr__(self) -> str:
        return f"Budget({self.what}: ${self.spent_usd:.4f} of ${self.limit_usd:.4f})"


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
