"""A lean Qwen Code run (docs/lean.md), through its documented flags: ``--system-prompt`` with
oauthpy's prompt in place of its 22 KB one, ``--exclude-tools`` naming every built-in tool of
Qwen Code 0.24 (it has no "none"), ``--extensions none`` (no extension's MCP servers, skills or
context files); and its system settings scope (``QWEN_CODE_SYSTEM_SETTINGS_PATH``, over the
user's and the project's): no skill of any level, no MCP server, no background memory. The
user's own system settings are kept under those, as a copy in this user's cache."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._lean import PROMPT

SETTINGS_VAR = "QWEN_CODE_SYSTEM_SETTINGS_PATH"
SETTINGS: dict[str, Any] = {
    "skills": {"disabledLevels": ["project", "user", "extension", "bundled"]},
    "mcp": {"allowed": []},
    "memory": {"enableManagedAutoMemory": False, "enableManagedAutoDream": False, "enableAutoSkill": False},
}

#: every built-in tool Qwen Code 0.24 declares to the model over ACP
TOOLS = (
    "agent",
    "ask_user_question",
    "cron_create",
    "cron_delete",
    "cron_list",
    "edit",
    "enter_plan_mode",
    "enter_worktree",
    "exit_plan_mode",
    "exit_worktree",
    "get_goal",
    "glob",
    "grep_search",
    "list_agents",
    "list_directory",
    "loop_wakeup",
    "memory",
    "monitor",
    "notebook_edit",
    "read_file",
    "read_many_files",
    "read_mcp_resource",
    "record_artifact",
    "report_findings",
    "run_shell_command",
    "save_memory",
    "send_message",
    "skill",
    "task_stop",
    "todo_write",
    "update_goal",
    "web_fetch",
    "web_search",
    "write_file",
    "zoom_image",
)


def args() -> list[str]:
    """The flags of a lean ``qwen --acp``."""
    return ["--system-prompt", PROMPT, "--exclude-tools", ",".join(TOOLS), "--extensions", "none"]


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """``QWEN_CODE_SYSTEM_SETTINGS_PATH`` of a lean run: the user's system settings with
    `SETTINGS` over them, in a 0700 folder of this user's cache, named by its content (lean runs
    with the same settings share a warm ``qwen --acp``).

    `InvalidOptionsError` when that cannot be made safely: a run that kept the user's skills and
    MCP servers would not be the lean run asked for."""
    original = env.get(SETTINGS_VAR) or "/etc/qwen-code/settings.json"
    try:
        base = json.loads(Path(original).read_text(encoding="utf-8")) if os.path.exists(original) else {}
    except (OSError, ValueError) as exc:
        raise _cannot(f"its system settings {original} cannot be read ({type(exc).__name__})") from None
    if not isinstance(base, dict):
        raise _cannot(f"its system settings {original} are not a JSON object")
    if not hasattr(os, "getuid"):
        raise _cannot("a private settings file needs a POSIX system")
    text = json.dumps(
        {**base, **{k: {**(base.get(k) or {}), **v} for k, v in SETTINGS.items()}}, sort_keys=True
    )
    home = env.get("HOME") or os.path.expanduser("~")
    folder = Path(env.get("XDG_CACHE_HOME") or Path(home, ".cache"), "oauthpy", "qwen")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
        if folder.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise _cannot(
                f"{folder} is not a private folder of this user (a link, another owner, or open to others)"
            )
        path = folder / f"lean-settings-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
    except OSError as exc:
        raise _cannot(
            f"its settings file in {folder} cannot be written ({exc.strerror or type(exc).__name__})"
        ) from None
    return {SETTINGS_VAR: str(path)}


def _cannot(why: str) -> InvalidOptionsError:
    return InvalidOptionsError(
        f"a lean qwen run turns skills and MCP servers off in a settings file of its own, and {why}",
        hint="run it without lean=True, or make $XDG_CACHE_HOME (default ~/.cache) a folder this user can write",
    )
