"""Helpers for the auth tests: directory snapshots and secret scans."""

from __future__ import annotations

import os
from pathlib import Path


def snapshot(*roots: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under ``roots`` with its size, mtime and mode: equal snapshots mean no writes."""
    found: dict[str, tuple[int, int, int]] = {}
    for root in roots:
        if not root.exists():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                st = os.lstat(os.path.join(dirpath, name))
                found[os.path.join(dirpath, name)] = (st.st_size, st.st_mtime_ns, st.st_mode)
        st = os.lstat(root)
        found[str(root)] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return found


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777
