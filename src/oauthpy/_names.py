"""The names a user passes (providers, auth sources, transports), light enough for ``--help``."""

from __future__ import annotations

from typing import Literal

from oauthpy._registry import ProviderName

#: whose login state a vendor tool uses (docs/auth.md)
AuthSource = Literal["auto", "oauthpy", "external"]
#: what carries a provider's runs (``Client.transports``)
TransportName = Literal["app-server", "exec", "stream-json", "acp", "sdk"]
AUTH_SOURCES: tuple[AuthSource, ...] = ("auto", "oauthpy", "external")
#: how a provider is authenticated, as reported by ``AuthStatus.mode``
AUTH_MODES = ("oauth", "api-key", "env", "login-state", "cloud", "unknown")


def provider_named(name: object) -> ProviderName | None:
    """``name`` when the registry knows it (for strings from the environment and the CLI)."""
    from oauthpy import _registry as registry

    agent = registry.find(name)
    return agent.name if agent is not None else None  # type: ignore[return-value]


def listed_providers() -> tuple[ProviderName, ...]:
    """The agents that run without ``command=``, what doctor, demo and the CLI go over."""
    from oauthpy import _registry as registry

    return registry.names(generic=False, listed_only=True)  # type: ignore[return-value]


__all__ = [
    "AUTH_MODES",
    "AUTH_SOURCES",
    "AuthSource",
    "TransportName",
    "listed_providers",
    "provider_named",
]
