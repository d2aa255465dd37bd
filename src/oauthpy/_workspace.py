"""Isolated workspaces (``workspace="worktree"``): a run in a fresh git worktree at HEAD.

The worktree lives outside the user's tree (`oauthpy._worktree_place`: in memory when it fits,
else under its home), detached (no branch is made), with its own index: the user's working
tree, index and branches are never touched. After the run its changes are staged in the
worktree's own index and read as a list (`Change`) and a binary-safe diff against HEAD (or
against what the worktree started as: `oauthpy._worktree_env`); then the worktree and its
registration go. Each one has a ``.pid`` file beside it: one whose process
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
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    #: its environment (`oauthpy._worktree_env`): what it starts from, the ignored files copied
    #: into it besides ``.worktreeinclude``'s, the command run in it before the agent
    base: Literal["head", "working"] = "head"
    include: tuple[str, ...] = ()
    setup: str | None = None
    setup_timeout: float = 600.0
    #: the run's number among those made together (``OAUTHPY_ATTEMPT``): a compare attempt's,
    #: a batch item's; else 0
    attempt: int = 0
    #: what the setup's environment has over ``os.environ``: the client's ``env`` and the run's
    env: Mapping[str, str | None] = field(default_factory=dict, repr=False, compare=False)


def plan(
    workspace: object,
    cwd: str,
    keep: object = False,
    *,
    base: object = None,
    include: object = None,
    setup: object = None,
    setup_timeout: object = None,
) -> WorkspacePlan | None:
    """``workspace=`` and the worktree's options checked against ``cwd`` (resolved): None for
    a plain run; else the repository to take a worktree of (`placed` says where). With
    ``base="head"`` and uncommitted changes, an `UncommittedChangesWarning`. `InvalidOptionsError`
    before anything starts."""
    from oauthpy._worktree_env import checked, warn_if_dirty

    if not isinstance(keep, bool):
        raise InvalidOptionsError(f"keep_workspace must be True or False, got {keep!r:.40}")
    environment = checked(base, include, setup, setup_timeout)
    if workspace is None:
        if keep:
            raise InvalidOptionsError("keep_workspace=True needs workspace='worktree'")
        if environment:
            raise InvalidOptionsError(
                f"{next(iter(environment))}= prepares a worktree: it needs workspace='worktree'"
            )
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
    if environment.get("base", "head") == "head":
        warn_if_dirty(repo)
    return WorkspacePlan(repo, os.path.relpath(cwd, repo), keep, **environment)


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
        #: what ``changes`` are counted from: HEAD, or the tree the worktree started as
        #: (``base="working"``, what ``setup`` wrote)
        self.origin = "HEAD"
        #: the ignored files copied in (``.worktreeinclude``, ``include``): never in ``changes``
        self.copied: tuple[str, ...] = ()
        #: ``setup`` has yet to run (`oauthpy._worktree_env.set_up`, before the first agent)
        self.setup_pending = plan.setup is not None

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
            made = cls(plan, path, git_dir=_git_dir_of(dot_git, path), dot_git=dot_git)
            made._start()
        except BaseException:
            forget(plan.repo, path)
            raise
        return made

    def _start(self) -> None:
        """The user's uncommitted work (``base="working"``), then the ignored files to copy."""
        from oauthpy._worktree_env import copy_included, working_tree

        if self.plan.base == "working":
            tree = working_tree(self.plan.repo)
            if tree is not None:
                self._git(["read-tree", "-m", "-u", "HEAD", tree])
                self.origin = tree
        self.copied = copy_included(self.plan.repo, self.path, self.plan.include)

    def _git(self, args: list[str], input: str | None = None) -> str:
        """``git args`` on this worktree through its recorded git dir, never its ``.git`` file."""
        env = {"GIT_DIR": self.git_dir, "GIT_WORK_TREE": self.path}
        return git([*SAFE_SETTINGS, *args], self.path, env=env, input=input).stdout

    def _stage(self) -> None:
        """Everything in the worktree staged in its own index, but the files copied in."""
        self._git(["add", "-A"])
        if self.copied:
            # literal paths (a name may hold a glob character), read from stdin (any number)
            specs = "".join(f":(literal){path}\0" for path in self.copied)
            args = [
                "rm",
                "--cached",
                "-q",
                "--ignore-unmatch",
                "--pathspec-from-file=-",
                "--pathspec-file-nul",
            ]
            self._git(args, input=specs)

    def snapshot(self) -> None:
        """What the worktree holds now is its start: later ``changes`` are counted from it."""
        self._check_dot_git()
        self._stage()
        self.origin = self._git(["write-tree"]).strip()
        self.setup_pending = False

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
        """What the run changed against its `origin` (untracked files included): the list, the diff."""
        self._check_dot_git()
        self._stage()
        listed = self._git(["diff", "--cached", "-z", "--name-status", "--no-renames", self.origin])
        changes = []
        fields = listed.split("\0")
        for status, path in zip(fields[0::2], fields[1::2], strict=False):
            if path:
                changes.append(Change(path, _STATUS.get(status[:1], "modified")))
        diff = self._git(["diff", "--cached", "--binary", *_DIFF, self.origin])
        return tuple(changes), diff

    def keep(self) -> None:
        """Leave it for the user (``keep_workspace=True``); ``oauthpy workspaces clean`` removes it."""
        with open(self.path + _KEPT, "w") as fh:
            fh.write(f"{self.plan.repo}\n")
        _unlink(self.path + ".pid")

    def remove(self) -> None:
        forget(self.plan.repo, self.path)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def _git_dir_of(dot_git: bytes, path: str) -> str:
    """The git dir a fresh worktree's ``.git`` file names (``gitdir: <repo>/.git/worktrees/<id>``)."""
    text = dot_git.decode("utf-8", "replace").strip()
    if not text.startswith("gitdir: "):
        raise OauthPyError(f"git made the worktree {path} without a .git file naming its git dir")
    found = text[len("gitdir: ") :]
    return os.path.normpath(os.path.join(path, found))


def forget(repo: str, path: str) -> None:
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


def hold(repo: str, path: str) -> None:
    """A worktree its run kept for this process's own use after it (compare's check), marked as
    this process's again: a crash now leaves it to `prune_stale`, not as one the user kept."""
    with open(path + ".pid", "w") as fh:
        fh.write(f"{os.getpid()}\n{repo}\n")
    _unlink(path + _KEPT)


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
                forget(repo, path)
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
            forget(repo, path)
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
