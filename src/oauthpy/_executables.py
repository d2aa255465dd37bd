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


_scripts: list[str] = []


def scripts_dir() -> str:
    """Where this interpreter's installed commands live (``.venv/bin`` in a venv); asked once
    (sysconfig expands its paths on every call, and a session looks its binary up every turn)."""
    if not _scripts:
        import sysconfig  # only here: a fresh `oauthpy run` with the binary on PATH skips it

        _scripts.append(sysconfig.get_path("scripts"))
    return _scripts[0]


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


__all__ = ["scripts_dir", "which"]
