"""Where the Gemini CLI is: the leaf both of gemini's transports start from."""

from __future__ import annotations

from collections.abc import Mapping

from oauthpy._errors import ProviderNotInstalledError
from oauthpy._executables import which

INSTALL_HINT = "npm install -g @google/gemini-cli (or set OAUTHPY_GEMINI_BINARY)"


def find_binary(env: Mapping[str, str]) -> str:
    """``OAUTHPY_GEMINI_BINARY``, else ``gemini`` on PATH."""
    explicit = env.get("OAUTHPY_GEMINI_BINARY")
    if explicit:
        return explicit
    found = which("gemini", env)
    if not found:
        raise ProviderNotInstalledError("the Gemini CLI is not installed", hint=INSTALL_HINT)
    return found


__all__ = ["INSTALL_HINT", "find_binary"]
