"""The Gemini CLI in the test suites: its test provision (`PROVISION`); its fake is `fake.py`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oauthpy.testing.provision import HTTP_FAULT_WORDS, Provision

#: gemini's words for any broken stream
STREAM_END = "stream ended without a finish reason"


def _shell_step(command: str, *, say: str = "") -> Any:
    from oauthpy._agents.gemini.fake import shell_call

    return shell_call(command)


def _is_turn(request: Any) -> bool:
    """A turn's request offers the tools; a router call (model "auto") does not."""
    return isinstance(request.body, dict) and bool(request.body.get("tools"))


def _saved_sessions(env: Mapping[str, str]) -> list[str]:
    # each holds the first 8 characters of its session id
    return [path.name for path in Path(env["GEMINI_CLI_HOME"]).rglob("session-*.jsonl")]


PROVISION = Provision(
    pinned_var="OAUTHPY_TEST_GEMINI_BINARY",
    pinned_paths=("tools/gemini/node_modules/.bin/gemini",),
    # two Node processes at once starve a 2-core machine
    one_at_a_time=True,
    shell_step=_shell_step,
    is_turn=_is_turn,
    saved_sessions=_saved_sessions,
    # its ACP does not carry a command's output
    command_output_carried=False,
    fault_words=MappingProxyType(
        {
            **HTTP_FAULT_WORDS,
            "500": "fake fell over",
            "cut": STREAM_END,
            "sse-error": STREAM_END,
        }
    ),
    install_words="npm install -g @google/gemini-cli",
    # it writes ownership markers into its home before anything else
    full_disk_words="no space left on device",
)
