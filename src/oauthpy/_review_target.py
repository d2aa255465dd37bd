"""What a review looks at: the target (``uncommitted``, ``base``, ``commit`` or ``diff``) checked
before any agent starts, and the change it names, read with git.

Git runs with the repository's programs off (`SAFE_SETTINGS`: no hooks, no fsmonitor) and no
external diff or text conversion: a reviewed repository is data, not code. The user's index is
never written (`working_tree` stages in a copy of it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Literal

from oauthpy._errors import InvalidOptionsError

#: the most of a change a reviewer is sent in its prompt; it reads the files for the rest
MAX_CHANGE_CHARS = 200_000
_DIFF = ("--no-renames", "--no-ext-diff", "--no-textconv", "--no-color", "--src-prefix=a/", "--dst-prefix=b/")
#: a branch or commit name as given on a command line: no option, no revision range
_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/@{}^~-]*$")

TargetKind = Literal["uncommitted", "base", "commit", "diff"]


@dataclass(frozen=True, slots=True)
class Target:
    """A checked target: its kind, the ref it names (``base``/``commit``) or the diff text."""

    kind: TargetKind
    ref: str = ""
    diff: str = ""

    @property
    def committed(self) -> bool:
        """The change is in commits: the reviewer reads a worktree, never the user's tree."""
        return self.kind in ("base", "commit")

    @property
    def label(self) -> str:
        if self.kind == "uncommitted":
            return "the uncommitted changes (working tree against HEAD, untracked files included)"
        if self.kind == "base":
            return f"the changes of this branch since it left {self.ref!r}"
        if self.kind == "commit":
            return f"the changes of commit {self.ref}"
        return "the change below"


def checked_target(uncommitted: object, base: object, commit: object, diff: object) -> Target:
    """One target of the four, its value checked; `InvalidOptionsError` otherwise."""
    given = [
        name for name, value in (("base", base), ("commit", commit), ("diff", diff)) if value is not None
    ]
    if len(given) > 1:
        raise InvalidOptionsError(f"review one target at a time; got {' and '.join(given)}")
    if not isinstance(uncommitted, bool):
        raise InvalidOptionsError(f"uncommitted must be True or False, got {uncommitted!r:.40}")
    if not given:
        if not uncommitted:
            raise InvalidOptionsError(
                "nothing to review: uncommitted=False and no base=, commit= or diff=",
                hint="e.g. base='main', commit='HEAD', or leave uncommitted=True",
            )
        return Target("uncommitted")
    if diff is not None:
        if not isinstance(diff, str):
            raise InvalidOptionsError(f"diff must be the text of a diff, got {type(diff).__name__}")
        return Target("diff", diff=diff)
    name, value = ("base", base) if base is not None else ("commit", commit)
    if not isinstance(value, str) or not _REF_RE.match(value) or ".." in value:
        raise InvalidOptionsError(
            f"{name} must name a branch or commit, got {value!r:.60}", hint="e.g. 'main' or 'HEAD~1'"
        )
    return Target(name, ref=value)  # type: ignore[arg-type]


def repository_of(cwd: str) -> str:
    """The top folder of ``cwd``'s repository, which must have a commit."""
    from oauthpy._git import git

    found = git(["rev-parse", "--show-toplevel"], cwd, check=False)
    if found.returncode != 0:
        raise InvalidOptionsError(
            f"a review of commits or uncommitted changes needs a git repository, and {cwd} is not in one",
            hint="run it in a git checkout, or give the change as diff=",
        )
    repo = os.path.realpath(found.stdout.strip())
    if git(["rev-parse", "--verify", "--quiet", "HEAD"], repo, check=False).returncode != 0:
        raise InvalidOptionsError(f"the repository {repo} has no commit yet", hint="commit something first")
    return repo


def _commit(repo: str, ref: str, name: str) -> str:
    from oauthpy._git import git

    found = git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], repo, check=False
    )
    if found.returncode != 0:
        raise InvalidOptionsError(f"{name}={ref!r} names no commit of {repo}")
    return found.stdout.strip()


def change_of(target: Target, cwd: str) -> str:
    """The change ``target`` names, as a unified diff ("" when there is none)."""
    if target.kind == "diff":
        return target.diff
    from oauthpy._git import SAFE_SETTINGS, git
    from oauthpy._worktree_env import working_tree

    repo = repository_of(cwd)
    if target.kind == "uncommitted":
        tree = working_tree(repo)
        if tree is None:
            return ""
        return git([*SAFE_SETTINGS, "diff", *_DIFF, "HEAD", tree], repo).stdout
    if target.kind == "base":
        base = _commit(repo, target.ref, "base")
        found = git(["merge-base", base, "HEAD"], repo, check=False)
        if found.returncode != 0:
            raise InvalidOptionsError(f"HEAD shares no history with base={target.ref!r}")
        return git([*SAFE_SETTINGS, "diff", *_DIFF, found.stdout.strip(), "HEAD"], repo).stdout
    sha = _commit(repo, target.ref, "commit")
    return git([*SAFE_SETTINGS, "show", "--format=", *_DIFF, sha], repo).stdout


def cut(change: str) -> str:
    """The change as sent: whole, or its first `MAX_CHANGE_CHARS` and a note of what was cut."""
    if len(change) <= MAX_CHANGE_CHARS:
        return change
    rest = len(change) - MAX_CHANGE_CHARS
    return change[:MAX_CHANGE_CHARS] + f"\n[... {rest} more characters of the diff cut: read the files]"
