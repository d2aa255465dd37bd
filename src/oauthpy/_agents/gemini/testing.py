"""The Gemini CLI in the test suites: its test provision (`PROVISION`); its fake is `fake.py`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oauthpy.testing.provision import HTTP_FAULT_WORDS, Planted, Provision

#: gemini's words for any broken stream
STREAM_END = "stream ended without a finish reason"


def _shell_step(command: str, *, say: str = "") -> Any:
    from oauthpy._agents.gemini.fake import shell_call

    return shell_call(command)


def _is_turn(request: Any) -> bool:
    """A turn's request offers the tools; a router call (model "auto") does not."""
    return isinstance(request.body, dict) and bool(request.body.get("tools"))


#: every variable that may give gemini a login
LOGIN_VARS = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_GCA",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


def _no_login(fake: Any, root: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """A base URL alone is gemini's "gateway" auth, which needs no login (ACP runs with it): a
    gemini with no login talks to Google, so the fake can only prove that nothing was sent."""
    home = root / "user-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in fake.env(root / "vendor").items() if k not in LOGIN_VARS}
    for var in ("GEMINI_CLI_HOME", "GOOGLE_GEMINI_BASE_URL"):
        env.pop(var)
    return {**env, "HOME": str(home)}, {"model": "gemini-2.5-flash"}


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
    login_vars=LOGIN_VARS,
    no_login=_no_login,
    # its login is a key or the cached Google login of its home: oauthpy reads them first
    login_seen_before_start=True,
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
    approving_settings=MappingProxyType(
        {
            "tools-allowed": Planted(
                {
                    ".gemini/settings.json": json.dumps(
                        {"tools": {"allowed": ["run_shell_command", "write_file"]}}
                    )
                }
            ),
            "workspace-policy": Planted(
                {
                    ".gemini/policies/allow.toml": '[[rule]]\ntoolName = "run_shell_command"\n'
                    'decision = "allow"\npriority = 999\n'
                }
            ),
        }
    ),
    install_words="npm install -g @google/gemini-cli",
    # it writes ownership markers into its home before anything else
    full_disk_words="no space left on device",
)
