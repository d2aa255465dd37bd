"""Isolated workspaces (``workspace="worktree"``): a run in a fresh git worktree at HEAD.

The worktree lives outside the user's tree (`folder_for`: in memory when it fits, else under
`home`), detached (no branch is made), with its own index: the user's working tree, index and
branches are never touched. After the run its changes are staged in the worktree's own index and read as a list
(`Change`) and a binary-safe diff against HEAD; then the worktree and its registration go.
Each one has a ``.pid`` file beside it: one whose process died without removing it (a crash, a
SIGKILL) is removed at the next start of any worktree (`prune_stale`), or by ``oauthpy
workspaces clean``. Every git call is bounded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from typing import Literal

from oauthpy._errors import InvalidOptionsError, OauthPyError
from oauthpy._folders import private_folder

WORKSPACES = ("worktree",)
#: bound on one git command (a checkout of a large repository included)
GIT_WAIT_S = 120.0
ChangeStatus = Literal["added", "modified", "deleted"]
_STATUS: dict[str, ChangeStatus] = {"A": "added", "M": "modified", "D": "deleted", "T": "modified"}
_KEPT = ".kept"
#: a RAM-backed folder (Linux's tmpfs): a checkout there skips the disk, whose file creation
#: took 0.1-0.9 s for 1,000 files on the test VMs (25-50 ms in memory)
RAM_BASE = "/dev/shm"
#: a worktree goes to memory only while its checkout stays under this, and under a sixteenth of
#: the memory folder's free space, and that space is at least `RAM_MIN_FREE` (a container's
#: 64 MB /dev/shm would fill up with one build): what the agent adds is in memory too
RAM_MAX_CHECKOUT = 256 << 20
RAM_MIN_FREE = 2 << 30
_PAGE = 4096


@dataclass(frozen=True, slots=True)
class Change:
    """A path the run added, modified or deleted, relative to the repository."""

    path: str
    status: ChangeStatus


@dataclass(frozen=True, slots=True)
class WorkspacePlan:
    """What a run asked for: a worktree of ``repo`` (its top folder) run in ``rel`` below it."""

    repo: str
    rel: str
    keep: bool = False
    #: where its worktree goes (`folder_for`); empty: `home`
    folder: str = ""


def _git_env() -> dict[str, str]:
    """Git never prompts and speaks English (its messages reach ours)."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _git(args: list[str], cwd: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=_git_env(),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=GIT_WAIT_S,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise InvalidOptionsError(
            "workspace='worktree' needs git, which is not installed", hint="install git"
        ) from None
    except subprocess.TimeoutExpired:
        raise OauthPyError(f"git {args[0]} took more than {GIT_WAIT_S:.0f} s in {cwd}") from None
    if check and done.returncode != 0:
        raise OauthPyError(f"git {' '.join(args[:2])} failed in {cwd}: {done.stderr.strip()[:400]}")
    return done


def plan(workspace: object, cwd: str, keep: object = False) -> WorkspacePlan | None:
    """``workspace=`` checked against ``cwd`` (resolved): None for a plain run; else the
    repository to take a worktree of. `InvalidOptionsError` before anything starts."""
    if not isinstance(keep, bool):
        raise InvalidOptionsError(f"keep_workspace must be True or False, got {keep!r:.40}")
    if workspace is None:
        if keep:
            raise InvalidOptionsError("keep_workspace=True needs workspace='worktree'")
        return None
    if workspace not in WORKSPACES:
        raise InvalidOptionsError(f"workspace must be 'worktree' or None, got {workspace!r:.40}")
    found = _git(["rev-parse", "--show-toplevel"], cwd, check=False)
    if found.returncode != 0:
        raise InvalidOptionsError(
            f"workspace='worktree' needs a git repository, and {cwd} is not in one",
            hint="run it in a git checkout, or `git init` and commit first",
        )
    repo = os.path.realpath(found.stdout.strip())
    if _git(["rev-parse", "--verify", "--quiet", "HEAD"], repo, check=False).returncode != 0:
        raise InvalidOptionsError(
            f"workspace='worktree' checks out HEAD, and the repository {repo} has no commit yet",
            hint="commit something first (git commit)",
        )
    return WorkspacePlan(repo, os.path.relpath(cwd, repo), keep, folder_for(repo, keep))


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


def folders() -> list[str]:
    """Every folder a worktree may be in."""
    ram = ram_home()
    return [home(), *([ram] if ram else [])]


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
    return ram if _fits(repo, min(RAM_MAX_CHECKOUT, free // 16)) else home()


def _fits(repo: str, limit: int) -> bool:
    """Whether the repository's tracked files, each rounded up to a page, take at most ``limit``
    bytes. The sizes come from its index (``git ls-files --debug``), which reads no object: a
    partial clone fetches nothing for it. Read as it streams, stopped at the limit."""
    total = 0
    try:
        proc = subprocess.Popen(
            ["git", "ls-files", "--debug"],
            cwd=repo,
            env=_git_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return False
    import threading

    bound = threading.Timer(GIT_WAIT_S, proc.kill)  # a git that hangs ends the reading too
    bound.daemon = True
    bound.start()
    try:
        with proc:
            assert proc.stdout is not None
            for line in proc.stdout:  # per file: its path, then "  size: <bytes>\tflags: ..."
                if line.startswith(b"  size: "):
                    size = line[8:].split(b"\t", 1)[0].strip()
                    total += -(-int(size) // _PAGE) * _PAGE if size.isdigit() else _PAGE
                    if total > limit:
                        proc.kill()
                        break
    finally:
        bound.cancel()
    code = proc.returncode
    return total <= limit and code == 0


class Worktree:
    """One run's worktree (`create`); `finish` reads its changes, `remove` ends it."""

    def __init__(self, plan: WorkspacePlan, path: str) -> None:
        self.plan = plan
        self.path = path
        #: where the run works: the run's folder inside the worktree
        self.cwd = os.path.normpath(os.path.join(path, plan.rel))

    @classmethod
    def create(cls, plan: WorkspacePlan) -> Worktree:
        folder = plan.folder or home()
        if private_folder(folder) is None:
            raise OauthPyError(
                f"the worktree folder {folder} is not a folder of this user's own",
                hint="remove it, or set OAUTHPY_HOME to a folder of your own",
            )
        prune_stale()
        path = os.path.join(folder, f"{os.path.basename(plan.repo)}-{uuid.uuid4().hex[:12]}")
        with open(path + ".pid", "w") as fh:  # before the worktree: a crash now still leaves a trace
            fh.write(f"{os.getpid()}\n{plan.repo}\n")
        try:
            # the repository's own hooks do not run (post-checkout): nothing but the checkout.
            # One checkout worker per core: creating a file waits on the disk, not the CPU (on
            # the test VMs, 1,000 files took 0.3-0.9 s with one worker, a third to a half of
            # that with two)
            settings = ["-c", "core.hooksPath=/dev/null", "-c", "checkout.workers=0"]
            _git([*settings, "worktree", "add", "--detach", "--quiet", path, "HEAD"], plan.repo)
        except BaseException:
            _forget(plan.repo, path)
            raise
        return cls(plan, path)

    def changes(self) -> tuple[tuple[Change, ...], str]:
        """What the run changed against HEAD (untracked files included): the list, the diff."""
        _git(["add", "-A"], self.path)
        listed = _git(["diff", "--cached", "--name-status", "--no-renames", "HEAD"], self.path).stdout
        changes = []
        for line in listed.splitlines():
            status, _, path = line.partition("\t")
            if path:
                changes.append(Change(path, _STATUS.get(status[:1], "modified")))
        diff = _git(["diff", "--cached", "--binary", "--no-renames", "HEAD"], self.path).stdout
        return tuple(changes), diff

    def keep(self) -> None:
        """Leave it for the user (``keep_workspace=True``); ``oauthpy workspaces clean`` removes it."""
        with open(self.path + _KEPT, "w") as fh:
            fh.write(f"{self.plan.repo}\n")
        _unlink(self.path + ".pid")

    def remove(self) -> None:
        _forget(self.plan.repo, self.path)


def _forget(repo: str, path: str) -> None:
    """The worktree at ``path`` gone, with its registration in ``repo`` and its marker files."""
    removed = False
    if os.path.isdir(path):
        removed = _git(["worktree", "remove", "--force", "--force", path], repo, check=False).returncode == 0
        shutil.rmtree(path, ignore_errors=True)
    if not removed and os.path.isdir(repo):  # its folder went some other way: the registration too
        _git(["worktree", "prune"], repo, check=False)
    for marker in (path + ".pid", path + _KEPT):
        _unlink(marker)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        return stat[stat.rfind(")") + 2] != "Z"
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def _markers(folder: str, suffix: str) -> list[tuple[str, list[str]]]:
    found = []
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    for name in names:
        if name.endswith(suffix):
            path = os.path.join(folder, name)
            try:
                with open(path) as fh:
                    found.append((path[: -len(suffix)], fh.read().split("\n")))
            except OSError:
                continue
    return found


def prune_stale(folder: str | None = None) -> list[str]:
    """Remove the worktrees whose process died without removing them; their paths."""
    removed = []
    for place in [folder] if folder else folders():
        for path, (pid, repo, *_) in _markers(place, ".pid"):
            if pid.isdigit() and not _alive(int(pid)):
                _forget(repo, path)
                removed.append(path)
    return removed


def clean(folder: str | None = None) -> list[str]:
    """Remove every kept worktree (and every stale one); their paths."""
    removed = prune_stale(folder)
    for place in [folder] if folder else folders():
        for path, (repo, *_) in _markers(place, _KEPT):
            _forget(repo, path)
            removed.append(path)
    return removed


def apply(repo: str, diff: str) -> None:
    """Bring ``diff`` into ``repo``'s working tree; refused, changing nothing, unless it
    applies cleanly."""
    if not diff:
        return
    for check in (True, False):
        args = ["apply", "--binary", "--whitespace=nowarn", *(["--check"] if check else []), "-"]
        done = subprocess.run(
            ["git", *args], cwd=repo, input=diff, capture_output=True, text=True, timeout=GIT_WAIT_S
        )
        if done.returncode != 0:
            raise OauthPyError(
                f"the run's changes do not apply cleanly to {repo}: {done.stderr.strip()[:400]}",
                hint="the tree has changed since; `git apply --3way` the saved diff to merge by hand",
            )
