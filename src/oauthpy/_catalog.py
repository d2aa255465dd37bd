"""Known model names and reasoning efforts per provider, for help texts and validation.

Model names are not validated: each vendor accepts names this list does not know yet (new
releases, custom gateways). Efforts are validated, because a wrong one fails only after the
vendor process has started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._events import ModelInfo

# Defined here, not in the provider modules, so that `oauthpy --help` imports no provider.
# codex 0.163 passes any effort through and lowers one above a model's highest to that one;
# `max` and `ultra` are what its newest models advertise (`codex debug models`). When no effort
# is given, none is sent: the vendor's default for the model applies.
CODEX_EFFORTS = ("minimal", "low", "medium", "high", "xhigh", "max", "ultra")
CLAUDE_EFFORTS = ("low", "medium", "high", "xhigh", "max")

#: aliases and model ids each vendor CLI knows (codex 0.163, claude 2.1.329, gemini 0.61)
MODELS: dict[str, tuple[str, ...]] = {
    "codex": (
        "gpt-6-astra",
        "gpt-6.1-sol",
        "gpt-6-sol",
        "gpt-6-luna",
        "gpt-5.6-sol",
        "gpt-5.6-terra",
        "gpt-5.6-luna",
        "gpt-5.5",
    ),
    "claude": ("default", "best", "sonnet", "opus", "haiku", "sonnet[1m]", "opus[1m]", "opusplan"),
    "gemini": (
        "auto",
        "pro",
        "flash",
        "flash-lite",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
        "gemini-3-pro-preview",
        "gemini-3-flash-preview",
        "gemini-3.1-pro-preview",
    ),
}

#: reasoning efforts each vendor accepts; the Gemini CLI has no effort setting
EFFORTS: dict[str, tuple[str, ...]] = {"codex": CODEX_EFFORTS, "claude": CLAUDE_EFFORTS, "gemini": ()}

GEMINI_DEFAULT_MODEL = "auto"
#: the model each provider uses when none is given: codex and claude are passed none, so their
#: CLI picks it (from its config and the account), as when run alone
DEFAULT_MODELS = {
    "codex": "(codex's configured default)",
    "claude": "(Claude Code's default for the account)",
    "gemini": GEMINI_DEFAULT_MODEL,
}


def describe(provider: str) -> str:
    """One paragraph for help texts: the known models and efforts of ``provider``."""
    efforts = ", ".join(EFFORTS[provider]) or "none (the Gemini CLI has no effort setting)"
    return f"{provider}: models {', '.join(MODELS[provider])}; efforts {efforts}"


def catalog_models(provider: str) -> tuple[ModelInfo, ...]:
    """oauthpy's own list of ``provider``'s models (``source="catalog"``)."""
    from ._events import ModelInfo

    # claude's alias "default" is the account's default model, the one a run without a model gets
    default = {"claude": "default", "gemini": GEMINI_DEFAULT_MODEL}.get(provider)
    return tuple(
        ModelInfo(id=name, display_name=name, is_default=name == default, efforts=EFFORTS[provider])
        for name in MODELS[provider]
    )
