"""Budgets that stop spending: ``budget_usd`` on a `Client`, a session, a batch (docs/account.md).

A budget is checked before each run or turn starts and charged when one ends. Runs already under
way finish (the one that crosses the budget included); after that no new one starts:
`BudgetExceededError`. The charge is the run's cost as the vendor reported it, else oauthpy's
estimate (`oauthpy._prices`). A budget fails closed: after a run whose cost is unknown (the
vendor reports none and the price table has no price for its model) nothing more starts under it
either, since it could no longer be kept.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from oauthpy._errors import BudgetExceededError, InvalidOptionsError

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

    __slots__ = ("limit_usd", "spent_usd", "unpriced", "what")

    def __init__(self, limit_usd: float, what: str) -> None:
        self.limit_usd = limit_usd
        self.spent_usd = 0.0
        #: the model of a run whose cost is unknown, once one ran: the budget cannot be kept
        self.unpriced: str | None = None
        #: whose budget, for the error ("the session's", "the batch's", "the client's")
        self.what = what

    def check(self) -> None:
        """Raise `BudgetExceededError` when nothing more may start."""
        if self.spent_usd >= self.limit_usd or self.unpriced is not None:
            raise BudgetExceededError(self.what, self.limit_usd, self.spent_usd, unpriced=self.unpriced)

    def charge(self, model: str | None, usage: Usage) -> None:
        """Count a finished run: its reported cost, else the estimate; a run that used tokens
        at an unknown price closes the budget."""
        from oauthpy._prices import cost_of

        cost, _ = cost_of(model, usage)
        if cost is not None:
            self.spent_usd += cost
        elif usage.input_tokens or usage.output_tokens:
            self.unpriced = model or "the agent's default model"

    def __repr__(self) -> str:
        return f"Budget({self.what}: ${self.spent_usd:.4f} of ${self.limit_usd:.4f})"
