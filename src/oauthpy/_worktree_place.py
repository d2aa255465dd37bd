"""Where a worktree goes: in memory when its checkout fits, else the temporary folder (or
``$OAUTHPY_HOME/worktrees``); and every folder one may be found in."""

from __future__ import annotations

import os
import subprocess

from oauthpy import _git
from oauthpy._folders import OFFLINE_OAUTHPY_HOME, offline_root, private_folder

#: a RAM-backed folder (Linux's tmpfs): a checkout there skips the disk, whose file creation
#: took 0.1-0.9 s for 1,000 files on the test VMs (25-50 ms in memory)
RAM_BASE = "/dev/shm"
#: a worktree goes to memory only while its checkout stays under this, and under a sixteenth of
#: the memory folder's free space, and that space is at least `RAM_MIN_FREE` (a container's
#: 64 MB /dev/shm would fill up with one build): what the agent adds is in memory too
RAM_MAX_CHECKOUT = 256 << 20
RAM_MIN_FREE = 2 << 30
_PAGE = 4096
#: the empty blob's id (SHA-1 and SHA-256 repositories): the one object whose size 0 is true
_EMPTY_BLOBS = (
    b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    b"473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
)


def home() -> str:
    """Where worktrees go: ``$OAUTHPY_HOME/worktrees`` when that is set, else the system's
    temporary folder (a worktree lives for one run; a checkout there took half the time of one
    in the home folder on the test machines, and a RAM-backed /tmp is faster still)."""
    base = os.environ.get("OAUTHPY_HOME")
    if base:
        return os.path.join(base, "worktrees")
    import tempfile

    return os.path.join(tempfile.gettempdir(), f"oauthpy-worktrees-{os.getuid()}")


def ram_home() -> str | None:
    """The memory folder for worktrees, unless ``OAUTHPY_HOME`` chose a folder or there is none."""
    if os.environ.get("OAUTHPY_HOME") or not os.path.isdir(RAM_BASE):
        return None
    return os.path.join(RAM_BASE, f"oauthpy-worktrees-{os.getuid()}")


def offline_home() -> str:
    """Where ``OAUTHPY_OFFLINE`` runs keep their worktrees (the ``OAUTHPY_HOME`` they get), seen
    from a process that is not offline itself."""
    return os.path.join(offline_root(), OFFLINE_OAUTHPY_HOME, "worktrees")


def folders() -> list[str]:
    """Every folder a worktree may be in, each once."""
    ram = ram_home()
    found = [home(), *([ram] if ram else []), offline_home()]
    return list(dict.fromkeys(found))


def folder_for(repo: str, keep: bool) -> str:
    """Memory for a worktree that lives one run and whose checkout fits (`RAM_MAX_CHECKOUT`),
    else `home`. A kept one outlives its run: it goes to disk."""
    ram = ram_home()
    if keep or ram is None:
        return home()
    try:
        fs = os.statvfs(RAM_BASE)
    except OSError:
        return home()
    free = fs.f_bavail * fs.f_frsize
    if free < RAM_MIN_FREE or private_folder(ram) is None:
        return home()
    return ram if fits(repo, min(RAM_MAX_CHECKOUT, free // 16)) else home()


def fits(repo: str, limit: int) -> bool:
    """Whether the repository's tracked files, each rounded up to a page, take at most ``limit``
    bytes. The sizes come from its index (``git ls-files --stage --debug``), which reads no
    object: a partial clone fetches nothing for it. Read as it streams, stopped at the limit.

    The index caches what ``stat`` said: after an unstage (``git restore --staged``, ``git
    read-tree``) it says 0 for every file until the next ``git status``. A size of 0 for
    anything but the empty blob is unknown, and unknown does not fit."""
    total = 0
    known = True
    try:
        proc = subprocess.Popen(
            ["git", "ls-files", "--stage", "--debug"],
            cwd=repo,
            env=_git.git_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return False
    import threading

    bound = threading.Timer(_git.GIT_WAIT_S, proc.kill)  # a git that hangs ends the reading too
    bound.daemon = True
    bound.start()
    blob = b""
    try:
        with proc:
            assert proc.stdout is not None
            # per file: "<mode> <id> <stage>\t<path>", then "  size: <bytes>\tflags: ..."
            for line in proc.stdout:
                if line.startswith(b"  size: "):
                    size = line[8:].split(b"\t", 1)[0].strip()
                    if size == b"0" and blob and blob not in _EMPTY_BLOBS:
                        known = False
                        proc.kill()
                        break
                    total += -(-int(size) // _PAGE) * _PAGE if size.isdigit() else _PAGE
                    if total > limit:
                        proc.kill()
                        break
                elif not line.startswith(b" "):
                    mode, _, rest = line.partition(b" ")
                    # a submodule's entry (160000) names a commit, not a blob: its 0 is true
                    blob = b"" if mode == b"160000" else rest.split(b" ", 1)[0]
    finally:
        bound.cancel()
    code = proc.returncode
    return known and total <= limit and code == 0
