"""Anthropic's API list prices (the date: `oauthpy._prices.PRICES_DATE`): what a run's cost is
estimated from where the vendor does not say (`oauthpy._prices`)."""

from __future__ import annotations

#: model id (or its prefix before a date or variant suffix) -> USD per million tokens:
#: (input, cached input, output); (claude.com/pricing): cache reads at a tenth of input
PRICES: dict[str, tuple[float, float, float]] = {
    "claude-opus-4-5": (5.0, 0.50, 25.0),
    "claude-opus-4-1": (15.0, 1.50, 75.0),
    "claude-opus-4": (15.0, 1.50, 75.0),
    "claude-sonnet-4-5": (3.0, 0.30, 15.0),
    "claude-sonnet-4": (3.0, 0.30, 15.0),
    "claude-haiku-4-5": (1.0, 0.10, 5.0),
    "claude-3-5-haiku": (0.80, 0.08, 4.0),
}
