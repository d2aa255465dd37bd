"""Node.js's compile cache for the offline fakes' environments (Gemini, Qwen and Copilot CLIs).

Node.js 22.1 and newer keep the code they compile in ``NODE_COMPILE_CACHE``. The Gemini CLI does
not set it; Qwen and Copilot use a folder under ``TMPDIR``, which the fakes' environments make
new for every root. One folder per user for every root instead: a run of 42 gemini tests took
87 CPU-s on Node 20, 75 on Node 22, 64 on Node 22 with this cache. Older Node versions ignore it.

Only the fakes' environments set it: in a user's run the variable would reach every Node
program the agent starts (their build scripts too) and fill oauthpy's folder with their code.
"""

from __future__ import annotations

import functools
import os
import stat
import tempfile

CACHE_VAR = "NODE_COMPILE_CACHE"


def shared_compile_cache() -> dict[str, str]:
    """``{NODE_COMPILE_CACHE: folder}``, the folder this user's and nobody else's (in the
    temporary folder, shared by every fake's root); nothing if no such folder can be had."""
    folder = _private(os.path.join(tempfile.gettempdir(), f"oauthpy-node-cache-{_uid()}"))
    return {CACHE_VAR: folder} if folder else {}


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


@functools.lru_cache(maxsize=4)
def _private(path: str) -> str | None:
    """``path`` made (or found) as a folder of this user's own that nobody else can write to,
    else None: Node runs the code it finds there, so a folder another user made first (the
    temporary folder is everyone's) must not be used."""
    if not hasattr(os, "getuid"):
        return None
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        found = os.lstat(path)
    except OSError:
        return None
    mine = stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid()
    return path if mine and not found.st_mode & 0o022 else None
