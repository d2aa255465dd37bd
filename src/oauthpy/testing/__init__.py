"""Offline fake model backends that the real vendor CLIs can be pointed at, for tests.

Public: test your own code built on oauthpy without an account or a network. Every fake binds
to 127.0.0.1 only and speaks its vendor's model API: `FakeResponsesServer` (codex),
`FakeAnthropicServer` (claude), `FakeGeminiServer` (gemini), `FakeChatServer` (OpenAI chat
completions: opencode and other ACP agents); `fake_for`
picks one by provider; ``offline()`` (or ``OAUTHPY_OFFLINE=1``) points every default ``Client``
and command at all three. Each has ``env(root)``, the environment that sends the real CLI to it,
and ``script(*steps)``, what it answers. The steps are the same for every fake (``text``,
``shell``, ``write_file``, ``call_tool``, ``HttpError``, ``Cut``, ``Hang``, ``Gate``, ``Echo``,
``Match``, ``quota_exceeded``); vendor-specific ones sit beside them (``apply_patch``, ``bash``, ``structured``,
``shell_call``, ``write_call``, and the questions to the user ``ask_user_question`` (claude),
``request_user_input`` (codex), and a native review's answer ``review_answer`` with its
``review_finding`` (codex)); ``sample_png`` makes an image for ``attachments=``. With pytest, the ``oauthpy_fake`` fixture sets one up per test
(docs/testing.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oauthpy._lazy import attribute
from oauthpy.testing.anthropic import FakeAnthropicServer, ask_user_question, bash, structured
from oauthpy.testing.chat import FakeChatServer, without_tools
from oauthpy.testing.images import sample_png
from oauthpy.testing.offline_mode import Offline, offline
from oauthpy.testing.processes import (
    live_children,
    live_processes_in_group,
    live_processes_with_env,
    new_marker,
)
from oauthpy.testing.responses import FakeResponsesServer, apply_patch, exec_command, request_user_input
from oauthpy.testing.script import (
    CallTool,
    Cut,
    Echo,
    Gate,
    Hang,
    HttpError,
    Match,
    QuotaExceeded,
    Reply,
    Shell,
    SseError,
    Tokens,
    ToolCall,
    WriteFile,
    call_tool,
    quota_exceeded,
    review_answer,
    review_finding,
    shell,
    text,
    tool_call,
    write_file,
)
from oauthpy.testing.server import FakeServer, RecordedRequest

if TYPE_CHECKING:
    from oauthpy._agents.claude.testing import subscription_env
    from oauthpy._agents.codex.fake_chatgpt import USAGE_LIMIT, UsageWindow, log_in
    from oauthpy._agents.copilot.fake_github import FakeGitHubApi
    from oauthpy._agents.gemini.fake import FakeGeminiServer, shell_call, write_call

#: the public names of what lives in an agent's own package (the fakes of APIs one agent alone
#: speaks, its test helpers), imported when first used: each of those modules imports this
#: package's own (script, server), so an eager import here would be circular
_IN_AGENTS = {
    "subscription_env": "oauthpy._agents.claude.testing",
    "USAGE_LIMIT": "oauthpy._agents.codex.fake_chatgpt",
    "UsageWindow": "oauthpy._agents.codex.fake_chatgpt",
    "log_in": "oauthpy._agents.codex.fake_chatgpt",
    "FakeGitHubApi": "oauthpy._agents.copilot.fake_github",
    "FakeGeminiServer": "oauthpy._agents.gemini.fake",
    "shell_call": "oauthpy._agents.gemini.fake",
    "write_call": "oauthpy._agents.gemini.fake",
}


def __getattr__(name: str) -> Any:
    return attribute(name, _IN_AGENTS, __name__, globals())


def fake_for(provider: str) -> FakeServer:
    """A started fake model backend for ``provider`` (use it as a context manager)."""
    from oauthpy import _registry as registry

    agent = registry.find(provider)
    if agent is None or agent.takes_command:
        known = ", ".join(registry.names(generic=False))
        raise ValueError(f"no fake for provider {provider!r}; choose one of {known}")
    fake: FakeServer = agent.fake_class()()
    return fake


__all__ = [
    "CallTool",
    "Cut",
    "Echo",
    "FakeAnthropicServer",
    "FakeChatServer",
    "FakeGeminiServer",
    "FakeGitHubApi",
    "FakeResponsesServer",
    "FakeServer",
    "Gate",
    "Hang",
    "HttpError",
    "Match",
    "Offline",
    "QuotaExceeded",
    "RecordedRequest",
    "Reply",
    "Shell",
    "SseError",
    "Tokens",
    "USAGE_LIMIT",
    "UsageWindow",
    "ToolCall",
    "WriteFile",
    "apply_patch",
    "ask_user_question",
    "bash",
    "call_tool",
    "exec_command",
    "fake_for",
    "live_children",
    "live_processes_in_group",
    "live_processes_with_env",
    "log_in",
    "new_marker",
    "offline",
    "quota_exceeded",
    "request_user_input",
    "review_answer",
    "review_finding",
    "sample_png",
    "shell",
    "shell_call",
    "structured",
    "subscription_env",
    "text",
    "tool_call",
    "write_call",
    "without_tools",
    "write_file",
]
