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
    if stat.S_IMODE(found.st_mode) & 0o077:  # ours, but others may read it (made by hand, or by
        try:  # another umask): what goes in it is private, so the folder is made so
            os.chmod(path, 0o700, follow_symlinks=False)
            found = os.lstat(path)
        except (OSError, NotImplementedError):
            return None
    return found
