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
from .permissions import Decision, PermissionRequest
from .redact import redact
from .session import Session
from .tools import Tool, tool

__version__ = "0.1.0"

__all__ = [
    "AuthRequiredError",
    "AuthStatus",
    "Client",
    "CommandExecutionError",
    "Decision",
    "Event",
    "EventKind",
    "FileChange",
    "InvalidOptionsError",
    "ModelInfo",
    "OauthPyError",
    "PermissionRequest",
    "ProtocolError",
    "ProviderNotInstalledError",
    "RateLimitError",
    "RunResult",
    "Session",
    "SessionBusyError",
    "SessionNotFoundError",
    "StructuredOutputError",
    "TimeoutExceededError",
    "Tool",
    "UnsupportedProviderError",
    "Usage",
    "__version__",
    "redact",
    "tool",
]
