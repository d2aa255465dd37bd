"""A folder of this user's own, for what oauthpy keeps in a folder every user can write to."""

from __future__ import annotations

import os
import stat


def private_folder(path: str) -> os.stat_result | None:
    """``path`` made (or found) as a directory of this user's own, not a link: its ``lstat``,
    else None. In a folder every user writes to (/tmp, /dev/shm) another user could have made
    it first."""
    if not hasattr(os, "getuid"):
        return None
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        found = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
        return None
    mode = stat.S_IMODE(found.st_mode)
    if mode & 0o022:  # others could have put something in it already (a marker naming what to remove)
        return None
    if mode & 0o055:  # only theirs to read (made by hand, or under another umask): made private
        try:
            os.chmod(path, 0o700, follow_symlinks=False)
            found = os.lstat(path)
        except (OSError, NotImplementedError):
            return None
    return found


def oauthpy_home() -> str:
    """oauthpy's own folder: ``$OAUTHPY_HOME``, else ``~/.oauthpy`` (expanded, not made)."""
    return os.path.expanduser(os.environ.get("OAUTHPY_HOME") or "~/.oauthpy")


#: the ``OAUTHPY_HOME`` that ``OAUTHPY_OFFLINE`` runs get, inside `offline_root`
OFFLINE_OAUTHPY_HOME = "oauthpy"


def offline_root() -> str:
    """Where ``OAUTHPY_OFFLINE`` keeps its state (`oauthpy.testing.offline_mode.kept_home`)."""
    return os.path.join(oauthpy_home(), "offline")
