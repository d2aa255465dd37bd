"""oauthpy: one typed Python API over the Codex CLI, Claude Code and the Gemini CLI.

Everything public is listed in ``__all__``; nothing else is API.
"""

from ._client import Client
from ._errors import (
    AuthRequiredError,
    BudgetExceededError,
    CommandExecutionError,
    InvalidOptionsError,
    NotSupportedError,
    OauthPyError,
    ProtocolError,
    ProviderNotInstalledError,
    RateLimitError,
    SessionBusyError,
    SessionClosedError,
    SessionNotFoundError,
    StructuredOutputError,
    TimeoutExceededError,
    UnsupportedProviderError,
)
from ._events import (
    AuthMode,
    AuthReason,
    AuthStatus,
    CommandView,
    DoneView,
    Event,
    EventKind,
    EventStatus,
    FileChange,
    FileChangeKind,
    ModelInfo,
    RunResult,
    ToolView,
    Usage,
)
from ._options import AuthSource, ProviderName, TransportName
from ._permissions import Decision, PermissionRequest
from ._redact import redact
from ._session import Session
from ._sessions.records import Capabilities, SessionInfo
from ._signature import RunOptions, TurnOptions
from ._tools import Tool, tool
from ._usage.records import AccountUsage, QuotaWindow

__version__ = "0.1.0"

__all__ = [
    "AccountUsage",
    "AuthMode",
    "AuthReason",
    "AuthRequiredError",
    "AuthSource",
    "AuthStatus",
    "BudgetExceededError",
    "Capabilities",
    "Client",
    "CommandExecutionError",
    "CommandView",
    "Decision",
    "DoneView",
    "Event",
    "EventKind",
    "EventStatus",
    "FileChange",
    "FileChangeKind",
    "InvalidOptionsError",
    "ModelInfo",
    "NotSupportedError",
    "OauthPyError",
    "PermissionRequest",
    "ProtocolError",
    "ProviderName",
    "ProviderNotInstalledError",
    "QuotaWindow",
    "RateLimitError",
    "RunOptions",
    "RunResult",
    "Session",
    "SessionBusyError",
    "SessionClosedError",
    "SessionInfo",
    "SessionNotFoundError",
    "StructuredOutputError",
    "TimeoutExceededError",
    "Tool",
    "ToolView",
    "TransportName",
    "TurnOptions",
    "UnsupportedProviderError",
    "Usage",
    "redact",
    "tool",
    "__version__",
]
