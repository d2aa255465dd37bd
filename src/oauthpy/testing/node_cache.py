"""Node.js's compile cache for the offline fakes' environments (Gemini, Qwen and Copilot CLIs).

Node.js 22.1 and newer keep the code they compile in ``NODE_COMPILE_CACHE``. The Gemini CLI does
not set it; Qwen and Copilot use a folder under ``TMPDIR``, which the fakes' environments make
new for every root. One folder per user for every root instead: a run of 42 gemini tests took
87 CPU-s on Node 20, 75 on Node 22, 59 on Node 22 with this cache. Older Node versions ignore it.

Only the fakes' environments set it (so it lives here, with the fakes, and not beside the
transports): in a user's run the variable would reach every Node program the agent starts
(their build scripts too) and fill oauthpy's folder with their code.
"""

from __future__ import annotations

import functools
import os
import tempfile

from oauthpy._folders import private_folder

CACHE_VAR = "NODE_COMPILE_CACHE"


@functools.lru_cache(maxsize=4)
def _cache_folder(temp: str) -> str | None:
    """The cache folder in ``temp``, if it is this user's own and nobody else can write to it:
    Node runs the code it finds there."""
    if not hasattr(os, "getuid"):
        return None
    path = os.path.join(temp, f"oauthpy-node-cache-{os.getuid()}")
    found = private_folder(path)
    return path if found is not None and not found.st_mode & 0o022 else None


def shared_compile_cache() -> dict[str, str]:
    """``{NODE_COMPILE_CACHE: folder}``, the folder this user's and nobody else's (in the
    temporary folder, shared by every fake's root); nothing if no such folder can be had."""
    folder = _cache_folder(tempfile.gettempdir())
    return {CACHE_VAR: folder} if folder else {}
