"""OpenAI's API list prices (the date: `oauthpy._prices.PRICES_DATE`): what a run's cost is
estimated from where the vendor does not say (`oauthpy._prices`)."""

from __future__ import annotations

#: model id (or its prefix before a date or variant suffix) -> USD per million tokens:
#: (input, cached input, output); (platform.openai.com/docs/pricing)
PRICES: dict[str, tuple[float, float, float]] = {
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
}
