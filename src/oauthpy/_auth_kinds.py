"""How a provider is authenticated, and why not: `AuthStatus`'s words (re-exported by
`oauthpy._events`), in a module of their own with no oauthpy import, because the auth backends
need them before a fresh ``oauthpy run`` starts its agent's CLI, and the event types are not
light."""

from __future__ import annotations

from typing import Literal

#: how a provider is authenticated (``AuthStatus.mode``)
AuthMode = Literal["oauth", "api-key", "env", "login-state", "cloud", "unknown"]
#: why a provider is not authenticated (``AuthStatus.reason``)
AuthReason = Literal[
    "binary_missing",
    "not_authenticated",
    "api_key_missing",
    "status_failed",
    "status_timeout",
    "auth_type_not_selected",
    "unknown_auth_type",
]


__all__ = ["AuthMode", "AuthReason"]
