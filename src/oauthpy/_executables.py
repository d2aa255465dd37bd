"""Finding a vendor binary on PATH, then next to the running interpreter's scripts.

``shutil.which`` would do, but importing ``shutil`` also loads bz2, lzma and fnmatch, a few
milliseconds on every fresh ``oauthpy run``; this is the POSIX part of it that oauthpy needs.

The scripts directory (``.venv/bin``) comes second because ``scripts/start`` links the Gemini
CLI it installs there: ``.venv/bin/oauthpy`` called without activating the venv must find it
too, and so must a program run with ``.venv/bin/python``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def which(name: str, env: Mapping[str, str]) -> str | None:
    """The first executable file ``name`` on ``env``'s PATH (the process's PATH if unset),
    else in the running interpreter's scripts directory."""
    if os.sep in name:
        return name if _is_executable(name) else None
    path = env.get("PATH")
    if path is None:
        path = os.environ.get("PATH", os.defpath)
    for folder in path.split(os.pathsep):
        candidate = os.path.join(folder, name)
        if _is_executable(candidate):
            return candidate
    candidate = os.path.join(scripts_dir(), name)
    return candidate if _is_executable(candidate) else None


def scripts_dir() -> str:
    """Where this interpreter's installed commands live (``.venv/bin`` in a venv)."""
    import sysconfig  # only here: a fresh `oauthpy run` with the binary on PATH skips it

    return sysconfig.get_path("scripts")


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


__all__ = ["scripts_dir", "which"]
