"""A worktree's environment: what it starts from (``base``), the ignored files copied into it
(``.worktreeinclude``, ``include``), and the command run in it before the agent (``setup``).

- ``base="working"`` starts the worktree from the user's working tree as it is: tracked changes
  (staged or not) and untracked files that are not ignored. Git takes them in a temporary copy
  of the user's index (`working_tree`), so the user's own index is never written, and checks
  them out in the worktree (``read-tree -m -u``). Its ``changes`` are then counted from there.
- ``.worktreeinclude`` (gitignore syntax, at the repository's top, as Claude Code reads it) and
  ``include=`` name ignored files to copy: a file is copied when a pattern matches it *and* git
  ignores it (`included`), so a tracked file is never duplicated. Git itself matches both, so the
  syntax is git's exactly. Only regular files and links that stay inside the repository; never
  over a path the worktree has, never through a link of the worktree's. They are never in the
  run's ``changes``.
- ``setup`` runs in the worktree (`set_up`) with ``OAUTHPY_ATTEMPT`` and ``OAUTHPY_WORKTREE``;
  what it writes is part of the worktree's start, not of the agent's ``changes``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from oauthpy._checks import check_text, positive_number
from oauthpy._errors import InvalidOptionsError, OauthPyError, SetupError
from oauthpy._git import SAFE_SETTINGS, git

if TYPE_CHECKING:
    from oauthpy._workspace import Worktree

#: the file of patterns at the repository's top (Claude Code's name and syntax)
INCLUDE_FILE = ".worktreeinclude"
BASES = ("head", "working")
SETUP_TIMEOUT_S = 600.0
#: how much of a setup command shows in its error
_SHOWN = 120


class UncommittedChangesWarning(UserWarning):
    """A worktree starts at HEAD (``base="head"``) while the repository has uncommitted changes:
    the agent does not see them. ``base="working"`` starts it from them."""


UncommittedChangesWarning.__module__ = "oauthpy"

_ATTEMPT: ContextVar[int] = ContextVar("oauthpy_attempt", default=0)


@contextlib.contextmanager
def attempt(index: int) -> Iterator[None]:
    """The runs checked inside are attempt ``index`` (their setup's ``OAUTHPY_ATTEMPT``): how
    ``compare`` numbers its attempts through the public run calls. A context variable: each
    asyncio task has its own."""
    token = _ATTEMPT.set(index)
    try:
        yield
    finally:
        _ATTEMPT.reset(token)


def current_attempt() -> int:
    return _ATTEMPT.get()


def checked(base: object, include: object, setup: object, setup_timeout: object) -> dict[str, Any]:
    """The worktree options that change something (a None or a default leaves it), checked:
    `InvalidOptionsError` before anything starts."""
    found: dict[str, Any] = {}
    if base is not None and base != "head":
        if base not in BASES:
            raise InvalidOptionsError(f"base must be 'head' or 'working', got {base!r:.40}")
        found["base"] = base
    if include is not None:
        if isinstance(include, (str, bytes)) or not isinstance(include, Sequence):
            raise InvalidOptionsError(
                "include must be a list of gitignore patterns",
                hint="e.g. include=['.env', 'config/local.yml']",
            )
        for pattern in include:
            if not isinstance(pattern, str) or not pattern.strip() or "\n" in pattern or "\r" in pattern:
                raise InvalidOptionsError(
                    f"include takes gitignore patterns, one line each; got {pattern!r:.40}"
                )
            check_text("include", pattern)
        if include:
            found["include"] = tuple(include)
    if setup is not None:
        if not isinstance(setup, str) or not setup.strip():
            raise InvalidOptionsError(f"setup must be a shell command, got {setup!r:.40}")
        check_text("setup", setup)
        found["setup"] = setup
    seconds = positive_number("setup_timeout", setup_timeout)
    if seconds is not None and seconds != SETUP_TIMEOUT_S:
        found["setup_timeout"] = seconds
    return found


# -- base ------------------------------------------------------------------------------------


def dirty(repo: str) -> bool:
    """Whether ``repo``'s working tree differs from HEAD: a tracked change or an untracked file
    that is not ignored. ``--no-optional-locks``: a status may not refresh the user's index."""
    args = ["--no-optional-locks", *SAFE_SETTINGS, "status", "--porcelain", "-z", "--untracked-files=normal"]
    return bool(git(args, repo).stdout)


#: the repositories warned about: once each per process (a comparison checks each attempt's run
#: in the caller's thread, then makes it on the event loop's, where no caller's line is)
_warned: set[str] = set()


def warn_if_dirty(repo: str) -> None:
    if repo not in _warned and dirty(repo):
        _warned.add(repo)
        warnings.warn(
            f"{repo} has uncommitted changes, and the agent's worktree starts at HEAD without "
            "them; base='working' starts it from them",
            UncommittedChangesWarning,
            stacklevel=_outside_level(),
        )


def _outside_level() -> int:
    """The stack level of the first caller outside oauthpy: where the warning points."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("oauthpy"):
        frame, level = frame.f_back, level + 1
    return level


def working_tree(repo: str) -> str | None:
    """The tree of ``repo``'s working tree (tracked changes, untracked files that are not
    ignored), or None when that is HEAD's. Staged in a temporary copy of the user's index
    (its cached file stats spare re-reading unchanged files)."""
    found = git(["rev-parse", "--git-path", "index", "HEAD^{tree}"], repo).stdout.split("\n")
    index, head = os.path.join(repo, found[0]), found[1]
    with tempfile.TemporaryDirectory(prefix="oauthpy-base-") as scratch:
        own = os.path.join(scratch, "index")
        with contextlib.suppress(FileNotFoundError):  # none: git builds one
            shutil.copyfile(index, own)
        env = {"GIT_INDEX_FILE": own}
        git([*SAFE_SETTINGS, "add", "-A"], repo, env=env)
        tree = git(["write-tree"], repo, env=env).stdout.strip()
    return None if tree == head else tree


# -- include ---------------------------------------------------------------------------------


def included(repo: str, patterns: Sequence[str]) -> list[str]:
    """The files of ``repo``'s working tree that ``.worktreeinclude`` or ``patterns`` match and
    git ignores, relative to the repository (none without either)."""
    listing = os.path.join(repo, INCLUDE_FILE)
    try:
        from_file = stat.S_ISREG(os.lstat(listing).st_mode)
    except OSError:
        from_file = False
    if not from_file and not patterns:
        return []
    args = [*SAFE_SETTINGS, "ls-files", "-z", "--others", "--ignored"]
    args += [f"--exclude-from={listing}"] if from_file else []
    args += [f"--exclude={pattern}" for pattern in patterns]
    matched = [path for path in git(args, repo).stdout.split("\0") if path]
    if not matched:
        return []
    ignored = git(
        [*SAFE_SETTINGS, "check-ignore", "-z", "--stdin"], repo, check=False, input="\0".join(matched) + "\0"
    )
    if ignored.returncode not in (0, 1):  # 1: none of them is ignored
        raise OauthPyError(f"git check-ignore failed in {repo}: {ignored.stderr.strip()[:400]}")
    return sorted({path for path in ignored.stdout.split("\0") if path})


def copy_included(repo: str, root: str, patterns: Sequence[str]) -> tuple[str, ...]:
    """Copy the `included` files of ``repo`` into the worktree at ``root``; the paths copied."""
    real_root = os.path.realpath(root)
    return tuple(path for path in included(repo, patterns) if _copy(repo, real_root, path))


def _copy(repo: str, root: str, path: str) -> bool:
    source, target = os.path.join(repo, path), os.path.join(root, path)
    folder = os.path.dirname(target)
    if os.path.realpath(folder) != os.path.normpath(folder) or os.path.lexists(target):
        return False  # a link of the worktree's on the way, or a path the worktree has
    try:
        mode = os.lstat(source).st_mode
        if stat.S_ISLNK(mode):
            link = os.readlink(source)
            inside = os.path.normpath(os.path.join(os.path.dirname(path), link))
            if os.path.isabs(link) or inside == ".." or inside.startswith("../"):
                return False  # it points outside: not followed, not copied
            if not _within(os.path.realpath(source), repo):
                return False  # through another link, outside
            os.makedirs(folder, exist_ok=True)
            os.symlink(link, target)
        elif stat.S_ISREG(mode):
            os.makedirs(folder, exist_ok=True)
            shutil.copyfile(source, target, follow_symlinks=False)
            os.chmod(target, stat.S_IMODE(mode))
        else:
            return False  # a FIFO, a socket: not a file to copy
    except FileNotFoundError:
        return False  # gone since git listed it
    return True


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


# -- setup -----------------------------------------------------------------------------------


async def set_up(worktree: Worktree) -> None:
    """Run the worktree's ``setup`` in the run's folder of it (its top when the run's folder is
    not in it); `SetupError` when it fails or runs out of time. What it wrote is then the
    worktree's start (`Worktree.snapshot`)."""
    from oauthpy._shell_command import run_shell

    plan = worktree.plan
    assert plan.setup is not None
    env = dict(os.environ)
    for name, value in plan.env.items():  # as `oauthpy._options.merged_env`: a None removes
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env.update(OAUTHPY_ATTEMPT=str(plan.attempt), OAUTHPY_WORKTREE=worktree.path)
    cwd = worktree.cwd if os.path.isdir(worktree.cwd) else worktree.path
    done = await run_shell(plan.setup, cwd, env, plan.setup_timeout)
    shown = plan.setup if len(plan.setup) <= _SHOWN else plan.setup[: _SHOWN - 3] + "..."
    if done.timed_out:
        raise SetupError(
            f"the worktree's setup ({shown!r}) did not finish in {plan.setup_timeout:g} s (setup_timeout)",
            exit_code=None,
            output=done.output,
            timed_out=True,
        )
    if done.exit_code != 0:
        raise SetupError(
            f"the worktree's setup ({shown!r}) failed with exit code {done.exit_code}",
            exit_code=done.exit_code,
            output=done.output,
        )
    worktree.snapshot()
