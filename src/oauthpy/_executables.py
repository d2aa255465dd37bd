"""Finding a vendor binary on PATH.

``shutil.which`` would do, but importing ``shutil`` also loads bz2, lzma and fnmatch, a few
milliseconds on every fresh ``oauthpy run``; this is the POSIX part of it that oauthpy needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def which(name: str, env: Mapping[str, str]) -> str | None:
    """The first executable file ``name`` on ``env``'s PATH (the process's PATH if unset)."""
    if os.sep in name:
        return name if _is_executable(name) else None
    path = env.get("PATH")
    if path is None:
        path = os.environ.get("PATH", os.defpath)
    for folder in path.split(os.pathsep):
        candidate = os.path.join(folder, name)
        if _is_executable(candidate):
            return candidate
    return None


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


__all__ = ["which"]
