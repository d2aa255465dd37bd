"""oauthpy: one typed Python API over the coding agents you are logged in to (Codex CLI, Claude
Code, Gemini CLI, GitHub Copilot CLI, OpenCode and any ACP agent).

Everything public is listed in ``__all__``; nothing else is API. The names are imported on first
use (PEP 562): ``import oauthpy`` and ``oauthpy --help`` load no event loop and no vendor code.
"""

# not `typing.TYPE_CHECKING`: importing typing would cost `oauthpy --help` several milliseconds
TYPE_CHECKING = False
if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._compare import acompare, compare
    from oauthpy._compare_check import CheckResult
    from oauthpy._comparison import Attempt, Comparison, Verdict
    from oauthpy._errors import (
        AuthRequiredError,
        BudgetExceededError,
        CommandExecutionError,
        InvalidOptionsError,
        NotSupportedError,
        OauthPyError,
        ProtocolError,
        ProviderNotInstalledError,
        QuotaExceededError,
        RateLimitError,
        SessionBusyError,
        SessionClosedError,
        SessionIdleError,
        SessionNotFoundError,
        SetupError,
        StructuredOutputError,
        TimeoutExceededError,
        UnsupportedProviderError,
    )
    from oauthpy._events import (
        AuthMode,
        AuthReason,
        AuthStatus,
        CommandView,
        DoneView,
        Event,
        EventKind,
        EventStatus,
        FailedAttempt,
        FileChange,
        FileChangeKind,
        ModelInfo,
        RunResult,
        ToolView,
        Usage,
    )
    from oauthpy._names import AuthSource, TransportName
    from oauthpy._permissions import Decision, PermissionRequest
    from oauthpy._questions import Question, QuestionOption
    from oauthpy._redact import redact
    from oauthpy._registry import ProviderName
    from oauthpy._review_many import areview, review
    from oauthpy._review_types import Finding, Review
    from oauthpy._session import Session
    from oauthpy._session_controls import ContextUsage
    from oauthpy._sessions import Capabilities, SessionInfo
    from oauthpy._signature import RunOptions, TurnOptions
    from oauthpy._tools import Tool, tool
    from oauthpy._usage import AccountUsage, QuotaWindow
    from oauthpy._workspace import Change
    from oauthpy._worktree_env import UncommittedChangesWarning

del TYPE_CHECKING  # not a name of the package

#: where each public name lives
_WHERE = {
    "acompare": "._compare",
    "compare": "._compare",
    "areview": "._review_many",
    "review": "._review_many",
    "Finding": "._review_types",
    "Review": "._review_types",
    "AccountUsage": "._usage",
    "Attempt": "._comparison",
    "AuthMode": "._events",
    "AuthReason": "._events",
    "AuthRequiredError": "._errors",
    "AuthSource": "._names",
    "AuthStatus": "._events",
    "BudgetExceededError": "._errors",
    "Capabilities": "._sessions",
    "Change": "._workspace",
    "CheckResult": "._compare_check",
    "Client": "._client",
    "CommandExecutionError": "._errors",
    "CommandView": "._events",
    "Comparison": "._comparison",
    "Decision": "._permissions",
    "DoneView": "._events",
    "Event": "._events",
    "EventKind": "._events",
    "EventStatus": "._events",
    "FileChange": "._events",
    "FileChangeKind": "._events",
    "InvalidOptionsError": "._errors",
    "ModelInfo": "._events",
    "NotSupportedError": "._errors",
    "OauthPyError": "._errors",
    "PermissionRequest": "._permissions",
    "ProtocolError": "._errors",
    "ProviderName": "._registry",
    "ProviderNotInstalledError": "._errors",
    "QuotaWindow": "._usage",
    "QuotaExceededError": "._errors",
    "RateLimitError": "._errors",
    "RunOptions": "._signature",
    "FailedAttempt": "._events",
    "RunResult": "._events",
    "Session": "._session",
    "Question": "._questions",
    "QuestionOption": "._questions",
    "ContextUsage": "._session_controls",
    "SessionBusyError": "._errors",
    "SessionIdleError": "._errors",
    "SessionClosedError": "._errors",
    "SessionInfo": "._sessions",
    "SessionNotFoundError": "._errors",
    "SetupError": "._errors",
    "StructuredOutputError": "._errors",
    "TimeoutExceededError": "._errors",
    "Tool": "._tools",
    "ToolView": "._events",
    "TransportName": "._names",
    "TurnOptions": "._signature",
    "UncommittedChangesWarning": "._worktree_env",
    "UnsupportedProviderError": "._errors",
    "Usage": "._events",
    "Verdict": "._comparison",
    "redact": "._redact",
    "tool": "._tools",
}


def __getattr__(name: str) -> object:
    from oauthpy._lazy import attribute

    return attribute(name, _WHERE, __name__, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__version__ = "0.1.0"

__all__ = [
    "AccountUsage",
    "Attempt",
    "AuthMode",
    "AuthReason",
    "AuthRequiredError",
    "AuthSource",
    "AuthStatus",
    "BudgetExceededError",
    "Capabilities",
    "Change",
    "CheckResult",
    "Client",
    "CommandExecutionError",
    "CommandView",
    "Comparison",
    "Decision",
    "DoneView",
    "Event",
    "EventKind",
    "EventStatus",
    "FileChange",
    "FileChangeKind",
    "Finding",
    "InvalidOptionsError",
    "ModelInfo",
    "NotSupportedError",
    "OauthPyError",
    "PermissionRequest",
    "ProtocolError",
    "ProviderName",
    "ProviderNotInstalledError",
    "QuotaWindow",
    "QuotaExceededError",
    "RateLimitError",
    "Review",
    "RunOptions",
    "FailedAttempt",
    "RunResult",
    "Session",
    "ContextUsage",
    "Question",
    "QuestionOption",
    "SessionBusyError",
    "SessionIdleError",
    "SessionClosedError",
    "SessionInfo",
    "SessionNotFoundError",
    "SetupError",
    "StructuredOutputError",
    "TimeoutExceededError",
    "Tool",
    "ToolView",
    "TransportName",
    "TurnOptions",
    "UncommittedChangesWarning",
    "UnsupportedProviderError",
    "Usage",
    "Verdict",
    "acompare",
    "areview",
    "compare",
    "redact",
    "review",
    "tool",
    "__version__",
]
