"""What a run cost, where the vendor does not say: list prices per million tokens.

Claude reports a run's cost itself (``Usage.cost_usd``); for the others oauthpy
estimates it from this table (``RunResult.cost_estimated``). The table is dated: prices change,
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

#: model id (or its prefix before a date or variant suffix) -> USD per million tokens:
#: (input, cached input, output)
PRICES: dict[str, tuple[float, float, float]] = {
    # OpenAI (platform.openai.com/docs/pricing)
    "gpt-5": (1.25, 0.125, 10.0),
    "gpt-5-codex": (1.25, 0.125, 10.0),
    "gpt-5.1": (1.25, 0.125, 10.0),
    "gpt-5.1-codex": (1.25, 0.125, 10.0),
    "gpt-5-mini": (0.25, 0.025, 2.0),
    "gpt-5.1-codex-mini": (0.25, 0.025, 2.0),
    "gpt-5-nano": (0.05, 0.005, 0.40),
    "gpt-4.1": (2.0, 0.50, 8.0),
    "gpt-4.1-mini": (0.40, 0.10, 1.60),
    "o3": (2.0, 0.50, 8.0),
    "o4-mini": (1.10, 0.275, 4.40),
    # Anthropic (claude.com/pricing): cache reads at a tenth of input
    "claude-opus-4-5": (5.0, 0.50, 25.0),
    "claude-opus-4-1": (15.0, 1.50, 75.0),
    "claude-opus-4": (15.0, 1.50, 75.0),
    "claude-sonnet-4-5": (3.0, 0.30, 15.0),
    "claude-sonnet-4": (3.0, 0.30, 15.0),
    "claude-haiku-4-5": (1.0, 0.10, 5.0),
    "claude-3-5-haiku": (0.80, 0.08, 4.0),
    # Google (ai.google.dev/pricing), prompts up to 200k tokens
    "gemini-2.5-pro": (1.25, 0.31, 10.0),
    "gemini-2.5-flash": (0.30, 0.075, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.025, 0.40),
}


def price_of(model: str | None) -> tuple[float, float, float] | None:
    """The table's prices for ``model``: its own entry, else the longest entry it extends by a
    date or variant suffix (``claude-sonnet-4-5-20250929``); None when unknown."""
    if not model:
        return None
    name = model.lower().rpartition("/")[2]  # "openai/gpt-5" -> "gpt-5"
    if name in PRICES:
        return PRICES[name]
    extended = [k for k in PRICES if name.startswith(k + "-") or name.startswith(k + "@")]
    return PRICES[max(extended, key=len)] if extended else None


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
