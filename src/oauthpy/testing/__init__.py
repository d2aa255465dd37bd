"""Offline fake model backends that real vendor CLIs can be pointed at, for tests.

Public: use them to test your own code built on oauthpy without an account or a network.
Everything binds to 127.0.0.1 only.
"""

from __future__ import annotations

from .processes import live_children, live_processes_in_group, live_processes_with_env, new_marker
from .responses import FakeResponsesServer, apply_patch, shell
from .script import (
    CallTool,
    Cut,
    Echo,
    Gate,
    Hang,
    HttpError,
    Match,
    Reply,
    SseError,
    Tokens,
    ToolCall,
    call_tool,
    text,
    tool_call,
)
from .server import FakeServer, RecordedRequest

__all__ = [
    "CallTool",
    "Cut",
    "FakeResponsesServer",
    "Echo",
    "FakeServer",
    "Gate",
    "Hang",
    "HttpError",
    "Match",
    "RecordedRequest",
    "Reply",
    "SseError",
    "Tokens",
    "ToolCall",
    "apply_patch",
    "call_tool",
    "live_children",
    "live_processes_in_group",
    "live_processes_with_env",
    "new_marker",
    "shell",
    "text",
    "tool_call",
]
