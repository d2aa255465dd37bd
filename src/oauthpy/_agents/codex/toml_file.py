"""Reading a codex ``config.toml`` (the login check and a lean run read it; neither writes it)."""

from __future__ import annotations

import sys
from typing import Any


def parsed_toml(text: str) -> dict[str, Any] | None:
    """A config.toml's tables; None when it is not TOML. The standard library's parser where
    there is one: tomlkit's import alone is a tenth of a fresh `oauthpy run`."""
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            return tomllib.loads(text)
        import tomlkit

        return dict(tomlkit.parse(text).unwrap())
    except Exception:  # either parser's error type
        return None
