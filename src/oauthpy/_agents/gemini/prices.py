"""Google's API list prices (the date: `oauthpy._prices.PRICES_DATE`): what a run's cost is
estimated from where the vendor does not say (`oauthpy._prices`)."""

from __future__ import annotations

#: model id (or its prefix before a date or variant suffix) -> USD per million tokens:
#: (input, cached input, output); (ai.google.dev/pricing), prompts up to 200k tokens
PRICES: dict[str, tuple[float, float, float]] = {
    "gemini-2.5-pro": (1.25, 0.31, 10.0),
    "gemini-2.5-flash": (0.30, 0.075, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.025, 0.40),
}
