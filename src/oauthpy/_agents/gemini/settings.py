"""The one Gemini CLI setting oauthpy overrides in the runs it starts: session cleanup, off.

Gemini 0.61's session cleanup (``general.sessionRetention``) deletes every chat file of a
session when one of its files has no resumable content, and a resumed session that crosses a
minute boundary leaves such a file: the next gemini start in the project then deletes the
session being resumed (docs/sessions.md). The user's own settings stay as they are; oauthpy's
runs read the user's *system* settings (top precedence) from a copy with the cleanup turned
off, through ``GEMINI_CLI_SYSTEM_SETTINGS_PATH``. The copy lives beside the run's gemini state
(``$GEMINI_CLI_HOME/.gemini/oauthpy``) or in this user's cache (``~/.cache/oauthpy/gemini``),
0700, wherever no directory above it is writable by others (gemini ignores the file otherwise),
and is named by its content, so runs with the same settings share the same path (and the same
warm ``gemini --acp`` process).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

OVERRIDE: dict[str, Any] = {"general": {"sessionRetention": {"enabled": False}}}
SETTINGS_VAR = "GEMINI_CLI_SYSTEM_SETTINGS_PATH"
DEFAULTS_VAR = "GEMINI_CLI_SYSTEM_DEFAULTS_PATH"


def default_system_settings_path() -> str:
    """Where gemini reads system settings when ``GEMINI_CLI_SYSTEM_SETTINGS_PATH`` is unset."""
    if sys.platform == "darwin":
        return "/Library/Application Support/GeminiCli/settings.json"
    if sys.platform == "win32":
        return "C:\\ProgramData\\gemini-cli\\settings.json"
    return "/etc/gemini-cli/settings.json"


def merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        inner = out.get(key)
        out[key] = merged(inner, value) if isinstance(inner, dict) and isinstance(value, dict) else value
    return out


def secure(path: Path) -> bool:
    """Whether no existing directory from ``path`` up to / is writable by group or others:
    gemini ignores (with a warning) a system settings file below such a directory."""
    for folder in (path, *path.parents):
        try:
            if folder.stat().st_mode & 0o022:
                return False
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True


def candidates(env: Mapping[str, str]) -> list[Path]:
    """Where the copy may go: beside the run's gemini state (``GEMINI_CLI_HOME``, which is
    oauthpy's isolated home for ``auth_source="oauthpy"``), else this user's cache directory."""
    found = []
    if env.get("GEMINI_CLI_HOME"):
        found.append(Path(env["GEMINI_CLI_HOME"], ".gemini", "oauthpy"))
    home = env.get("HOME") or os.path.expanduser("~")
    found.append(Path(env.get("XDG_CACHE_HOME") or Path(home, ".cache"), "oauthpy", "gemini"))
    return found


def private_dir(env: Mapping[str, str]) -> Path | None:
    """The first candidate that gemini would trust, made 0700; None if there is none."""
    if not hasattr(os, "getuid"):
        return None
    for folder in candidates(env):
        if not secure(folder):
            continue  # e.g. under /tmp: nothing is written there
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = folder.lstat()
        except OSError:
            continue
        # a directory planted by someone else (or a symlink) could hand gemini their settings
        if folder.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
            continue
        return folder
    return None


def run_settings_env(env: Mapping[str, str], extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The variables that give a gemini run the user's system settings with cleanup off.

    Empty when that cannot be done safely (the user's system settings unreadable, no private
    directory): the CLI's own settings then apply, as without oauthpy. ``extra``: settings
    of oauthpy's over those (a lean run's).
    """
    original = env.get(SETTINGS_VAR) or default_system_settings_path()
    base: Any = {}
    try:
        if os.path.exists(original):
            base = json.loads(Path(original).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(base, dict):
        return {}
    text = json.dumps(merged(merged(base, OVERRIDE), extra or {}), sort_keys=True, indent=1)
    folder = private_dir(env)
    if folder is None:
        return {}
    path = folder / f"system-settings-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    try:
        if not path.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
    except OSError:
        return {}
    # gemini finds system defaults beside system settings unless told: keep the user's
    defaults = env.get(DEFAULTS_VAR) or str(Path(original).parent / "system-defaults.json")
    return {SETTINGS_VAR: str(path), DEFAULTS_VAR: defaults}
