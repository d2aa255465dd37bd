"""Where Qwen Code keeps its sessions: ``<runtime>/projects/<folder>/chats/<sessionId>.jsonl``.

Its ``session/list`` without ``cwd`` lists the sessions of the folder it runs in only, so a
listing of every session asks it about each folder that has some. The folder's name on disk is
the path with every non-alphanumeric character as ``-`` (not reversible); each record of a
session file names its ``cwd``, so the first line of one file per folder says which it is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

#: the first record of a session file is small; a longer first line is not one of its files
_FIRST_LINE_MAX = 256 * 1024


def runtime_dir(env: Mapping[str, str]) -> Path:
    """Its runtime folder, as it chooses one: ``QWEN_RUNTIME_DIR``, else ``QWEN_HOME``, else
    ``~/.qwen`` (the ``advanced.runtimeOutputDir`` setting is not read)."""
    chosen = env.get("QWEN_RUNTIME_DIR") or env.get("QWEN_HOME")
    if chosen:
        return Path(chosen).expanduser()
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".qwen"


def session_folders(env: Mapping[str, str]) -> list[str]:
    """The working folders that have sessions, each named once."""
    folders: list[str] = []
    for chats in sorted((runtime_dir(env) / "projects").glob("*/chats")):
        for path in sorted(chats.glob("*.jsonl")):
            folder = _cwd_of(path)
            if folder is not None:
                if folder not in folders:
                    folders.append(folder)
                break
    return folders


def _cwd_of(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            line = fh.readline(_FIRST_LINE_MAX)
        record = json.loads(line)
    except (OSError, ValueError):
        return None
    cwd = record.get("cwd") if isinstance(record, dict) else None
    return cwd if isinstance(cwd, str) and cwd else None
