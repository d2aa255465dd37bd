"""A lean Gemini CLI run (docs/lean.md), through its documented settings, given as the top
(system) settings scope oauthpy already writes for its runs (`settings.run_settings_env`): no
core tools, skills, hooks or MCP servers (an empty allowlist), no directory tree; and
``GEMINI_SYSTEM_MD``, a file with oauthpy's prompt in place of the CLI's 23.6 KB one."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from oauthpy._lean import PROMPT

SETTINGS: dict[str, Any] = {
    "tools": {"core": []},
    "skills": {"enabled": False},
    "hooksConfig": {"enabled": False},
    "mcp": {"allowed": []},
    "context": {"includeDirectoryTree": False},
}
SYSTEM_MD_VAR = "GEMINI_SYSTEM_MD"


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """The variables of a lean run: its settings, and its system prompt's file (named by its
    text, beside the settings copy, so lean runs share one warm ``gemini --acp``). Raises
    `InvalidOptionsError`, before gemini starts, where they cannot be written safely: the run
    would not be lean."""
    from oauthpy._agents.gemini.settings import private_dir, run_settings_env

    folder = private_dir(env)
    found = run_settings_env(env, SETTINGS)
    if folder is None or not found:
        raise _no_folder()
    path = folder / f"lean-system-{hashlib.sha256(PROMPT.encode()).hexdigest()[:16]}.md"
    try:
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(PROMPT)
            os.replace(tmp, path)
    except OSError:
        raise _no_folder() from None
    return {**found, SYSTEM_MD_VAR: str(path)}


def _no_folder() -> Exception:
    from oauthpy._errors import InvalidOptionsError

    return InvalidOptionsError(
        "a lean gemini run needs a private folder for its settings (GEMINI_CLI_HOME/.gemini/oauthpy "
        "or ~/.cache/oauthpy/gemini, not writable by others, and your system settings readable)"
    )


def check(request: Any) -> None:
    """Refuse what a lean gemini run cannot honour, before anything starts: a permission
    callback (no tool left to ask about), ``tools=`` (they come as an MCP server)."""
    from oauthpy._lean import refuse

    refuse("gemini", request, permission=True, tools=True)
