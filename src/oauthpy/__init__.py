"""oauthpy: one typed Python API over the Codex CLI, Claude Code and the Gemini CLI.

Everything public is listed in ``__all__``; nothing else is API.
"""

from __future__ import annotations

from .client import Client
from .errors import (
    AuthRequiredError,
    CommandExecutionError,
    InvalidOptionsError,
    OauthPyError,
    ProtocolError,
    ProviderNotInstalledError,
    RateLimitError,
    SessionBusyError,
    SessionNotFoundError,
    StructuredOutputError,
    TimeoutExceededError,
    UnsupportedProviderError,
)
from .events import AuthStatus, Event, EventKind, FileChange, ModelInfo, RunResult, Usage
from .redact import redact
from .session import Session

__version__ = "0.1.0"

__all__ = [
    "AuthRequiredError",
    "AuthStatus",
    "Client",
    "CommandExecutionError",
    "Event",
    "EventKind",
    "FileChange",
    "InvalidOptionsError",
    "ModelInfo",
    "OauthPyError",
    "ProtocolError",
    "ProviderNotInstalledError",
    "RateLimitError",
    "RunResult",
    "Session",
    "SessionBusyError",
    "SessionNotFoundError",
    "StructuredOutputError",
    "TimeoutExceededError",
    "UnsupportedProviderError",
    "Usage",
    "__version__",
    "redact",
]
