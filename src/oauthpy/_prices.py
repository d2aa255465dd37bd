"""What a run cost, where the vendor does not say: list prices per million tokens.

Claude reports a run's cost itself (``Usage.cost_usd``); for the others oauthpy
estimates it from the list prices each agent's package keeps (``prices.py``) (``RunResult.cost_estimated``). The table is dated: prices change,
and a model that is not in it gets no estimate (None), never a guess. A subscription login
(ChatGPT, Claude, Google, Copilot plans) is not billed per token at all: there the number is
what the same tokens would cost on the API, a measure of use rather than a bill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oauthpy._events import Usage

#: when the prices below were the vendors' published API list prices
PRICES_DATE = "2025-11-15"


def prices() -> dict[str, tuple[float, float, float]]:
    """Model id (or its prefix before a date or variant suffix) -> USD per million tokens (input,
    cached input, output): the tables of every agent's package (``Agent.prices``), merged. A
    model is priced by its vendor's API whichever agent runs it (copilot running a claude model)."""
    global _merged
    if _merged is None:
        from oauthpy import _registry

        merged: dict[str, tuple[float, float, float]] = {}
        for agent in _registry.entries():
            if agent.prices:
                merged |= _registry.load(agent.prices)
        _merged = merged
    return _merged


_merged: dict[str, tuple[float, float, float]] | None = None


def price_of(model: str | None) -> tuple[float, float, float] | None:
    """The table's prices for ``model``: its own entry, else the longest entry it extends by a
    date or variant suffix (``claude-sonnet-4-5-20250929``); None when unknown."""
    if not model:
        return None
    name = model.lower().rpartition("/")[2]  # "openai/gpt-5" -> "gpt-5"
    table = prices()
    if name in table:
        return table[name]
    extended = [k for k in table if name.startswith(k + "-") or name.startswith(k + "@")]
    return table[max(extended, key=len)] if extended else None


def cost_of(model: str | None, usage: Usage) -> tuple[float | None, bool]:
    """A run's cost in USD and whether it is an estimate: the vendor's own figure when it gave
    one, else the table's (cached input tokens are part of the input tokens)."""
    if usage.cost_usd is not None:
        return usage.cost_usd, False
    prices = price_of(model)
    if prices is None or not (usage.input_tokens or usage.output_tokens):
        return None, False
    fresh, cached, out = prices
    cached_tokens = min(usage.cached_input_tokens, usage.input_tokens)
    total = (usage.input_tokens - cached_tokens) * fresh + cached_tokens * cached + usage.output_tokens * out
    return total / 1_000_000, True
