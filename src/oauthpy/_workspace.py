"""Isolated workspaces (``workspace="worktree"``): a run in a fresh git worktree at HEAD.

The worktree lives outside the user's tree (`oauthpy._worktree_place`: in memory when it fits,
else under its home), detached (no branch is made), with its own index: the user's working
tree, index and branches are never touched. After the run its changes are staged in the
worktree's own index and read as a list (`Change`) and a binary-safe diff against HEAD; then
the worktree and its registration go. Each one has a ``.pid`` file beside it: one whose process
died without removing it (a crash, a SIGKILL) is removed at the next start of any worktree
(`prune_stale`), or by ``oauthpy workspaces clean``. Every git call is bounded.

The worktree is the agent's to write, its ``.git`` file included: every git call on it names
the git dir recorded when oauthpy made it (never the ``.git`` file, which could point git at a
config that runs a program, or at the user's own index), with fsmonitor, hooks and the user's
diff drivers off. A ``.git`` file that changed fails the run.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import uuid
from dataclasses import dataclass
from typing import Literal

from oauthpy._errors import InvalidOptionsError, OauthPyError
from oauthpy._folders import private_folder
from oauthpy._git import SAFE_SETTINGS, git
from oauthpy._worktree_place import folder_for, folders, home

WORKSPACES = ("worktree",)
ChangeStatus = Literal["added", "modified", "deleted"]
_STATUS: dict[str, ChangeStatus] = {"A": "added", "M": "modified", "D": "deleted", "T": "modified"}
_KEPT = ".kept"
#: a worktree's .git file (``gitdir: <path>``) is a line; more than this is not git's
_DOT_GIT_MOST = 4096
#: the diff's shape, whatever the user's git config says (it must apply with ``git apply -p1``)
_DIFF = ("--no-renames", "--no-ext-diff", "--no-textconv", "--no-color", "--src-prefix=a/", "--dst-prefix=b/")


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
    #: where its worktree goes (`placed`); empty: `home`
    folder: str = ""


def plan(workspace: object, cwd: str, keep: object = False) -> WorkspacePlan | None:
    """``workspace=`` checked against ``cwd`` (resolved): None for a plain run; else the
    repository to take a worktree of (`placed` says where). `InvalidOptionsError` before
    anything starts."""
    if not isinstance(keep, bool):
        raise InvalidOptionsError(f"keep_workspace must be True or False, got {keep!r:.40}")
    if workspace is None:
        if keep:
            raise InvalidOptionsError("keep_workspace=True needs workspace='worktree'")
        return None
    if workspace not in WORKSPACES:
        raise InvalidOptionsError(f"workspace must be 'worktree' or None, got {workspace!r:.40}")
    found = git(["rev-parse", "--show-toplevel"], cwd, check=False)
    if found.returncode != 0:
        raise InvalidOptionsError(
            f"workspace='worktree' needs a git repository, and {cwd} is not in one",
            hint="run it in a git checkout, or `git init` and commit first",
        )
    repo = os.path.realpath(found.stdout.strip())
    if git(["rev-parse", "--verify", "--quiet", "HEAD"], repo, check=False).returncode != 0:
        raise InvalidOptionsError(
            f"workspace='worktree' checks out HEAD, and the repository {repo} has no commit yet",
            hint="commit something first (git commit)",
        )
    return WorkspacePlan(repo, os.path.relpath(cwd, repo), keep)


def placed(planned: WorkspacePlan, memory: bool) -> WorkspacePlan:
    """``planned`` with its folder (`folder_for`); ``memory=False`` for an agent whose sandbox
    mounts a /dev of its own, where a worktree in /dev/shm does not exist for its commands (the
    repository is then not even sized)."""
    return dataclasses.replace(planned, folder=folder_for(planned.repo, planned.keep or not memory))


class Worktree:
    """One run's worktree (`create`); `finish` reads its changes, `remove` ends it."""

    def __init__(self, plan: WorkspacePlan, path: str, git_dir: str, dot_git: bytes) -> None:
        self.plan = plan
        self.path = path
        #: where the run works: the run's folder inside the worktree
        self.cwd = os.path.normpath(os.path.join(path, plan.rel))
        #: its git dir and its ``.git`` file's bytes, as made: what every later git call trusts
        self.git_dir = git_dir
        self._dot_git = dot_git

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
            settings = [*SAFE_SETTINGS, "-c", "checkout.workers=0"]
            git([*settings, "worktree", "add", "--detach", "--quiet", path, "HEAD"], plan.repo)
            with open(os.path.join(path, ".git"), "rb") as fh:  # written by git a moment ago
                dot_git = fh.read(_DOT_GIT_MOST)
            git_dir = _git_dir_of(dot_git, path)
        except BaseException:
            _forget(plan.repo, path)
            raise
        return cls(plan, path, git_dir, dot_git)

    def _git(self, args: list[str]) -> str:
        """``git args`` on this worktree through its recorded git dir, never its ``.git`` file."""
        env = {"GIT_DIR": self.git_dir, "GIT_WORK_TREE": self.path}
        return git([*SAFE_SETTINGS, *args], self.path, env=env).stdout

    def _check_dot_git(self) -> None:
        dot_git = os.path.join(self.path, ".git")
        try:
            with open(dot_git, "rb", opener=_no_follow) as fh:
                same = fh.read(_DOT_GIT_MOST + 1) == self._dot_git
        except OSError:
            same = False
        if not same:
            raise OauthPyError(
                f"the agent changed or removed the worktree's .git file ({dot_git}): its "
                "changes were not read",
                hint="the .git file of a worktree is oauthpy's; nothing the agent wrote there is used",
            )

    def changes(self) -> tuple[tuple[Change, ...], str]:
        """What the run changed against HEAD (untracked files included): the list, the diff."""
        self._check_dot_git()
        self._git(["add", "-A"])
        listed = self._git(["diff", "--cached", "-z", "--name-status", "--no-renames", "HEAD"])
        changes = []
        fields = listed.split("\0")
        for status, path in zip(fields[0::2], fields[1::2], strict=False):
            if path:
                changes.append(Change(path, _STATUS.get(status[:1], "modified")))
        diff = self._git(["diff", "--cached", "--binary", *_DIFF, "HEAD"])
        return tuple(changes), diff

    def keep(self) -> None:
        """Leave it for the user (``keep_workspace=True``); ``oauthpy workspaces clean`` removes it."""
        with open(self.path + _KEPT, "w") as fh:
            fh.write(f"{self.plan.repo}\n")
        _unlink(self.path + ".pid")

    def remove(self) -> None:
        _forget(self.plan.repo, self.path)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def _git_dir_of(dot_git: bytes, path: str) -> str:
    """The git dir a fresh worktree's ``.git`` file names (``gitdir: <repo>/.git/worktrees/<id>``)."""
    text = dot_git.decode("utf-8", "replace").strip()
    if not text.startswith("gitdir: "):
        raise OauthPyError(f"git made the worktree {path} without a .git file naming its git dir")
    found = text[len("gitdir: ") :]
    return os.path.normpath(os.path.join(path, found))


def _forget(repo: str, path: str) -> None:
    """The worktree at ``path`` gone, with its registration in ``repo`` and its marker files.
    ``--force`` twice: git then neither looks into the worktree (a status there would read what
    the agent wrote) nor refuses a locked one."""
    removed = False
    if os.path.isdir(path):
        done = git([*SAFE_SETTINGS, "worktree", "remove", "--force", "--force", path], repo, check=False)
        removed = done.returncode == 0
        shutil.rmtree(path, ignore_errors=True)
    if not removed and os.path.isdir(repo):  # its folder went some other way: the registration too
        git(["worktree", "prune"], repo, check=False)
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
    except (FileNotFoundError, NotADirectoryError):
        return []
    for name in sorted(names):
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


def listed(folder: str | None = None) -> list[tuple[str, str]]:
    """Every kept worktree and every one a dead process left, with which it is
    (``kept``, ``left by a crash``), in every folder a worktree may be in."""
    found = []
    for place in [folder] if folder else folders():
        found += [(path, "kept") for path, _ in _markers(place, _KEPT)]
        for path, (pid, *_) in _markers(place, ".pid"):
            if pid.isdigit() and not _alive(int(pid)):
                found.append((path, "left by a crash"))
    return found


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
        args = ["apply", "-p1", "--binary", "--whitespace=nowarn", *(["--check"] if check else []), "-"]
        done = git([*SAFE_SETTINGS, *args], repo, check=False, input=diff)
        if done.returncode != 0:
            raise OauthPyError(
                f"the run's changes do not apply cleanly to {repo}: {done.stderr.strip()[:400]}",
                hint="the tree has changed since; `git apply --3way` the saved diff to merge by hand",
            )
