"""Running git for oauthpy's own work (worktrees, their diffs): bounded, never prompting, and
deaf to what the caller's environment says about where a repository is."""

from __future__ import annotations

import os
import subprocess

from oauthpy._errors import InvalidOptionsError, OauthPyError

#: bound on one git command (a checkout of a large repository included)
GIT_WAIT_S = 120.0
#: what would point git at another repository than the one oauthpy names (set by a git hook
#: that runs oauthpy, or by the user's shell): never inherited
_LOCATING = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)
#: settings that would run a program of the repository's (or the agent's) choosing, or change
#: the shape of a diff that must apply: off for every call on a worktree
SAFE_SETTINGS = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
    "-c",
    "color.ui=never",
    "-c",
    "core.quotePath=true",
)


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Git never prompts and speaks English (its messages reach ours)."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATING}
    return {**env, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(extra or {})}


def git(
    args: list[str],
    cwd: str,
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``git args`` in ``cwd``, bounded by `GIT_WAIT_S`; ``env`` adds to `git_env`."""
    # what a message names: the command, not the settings before it (``-c core.x=y``)
    said = " ".join([a for a in args if not a.startswith("-") and "=" not in a][:2])
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=git_env(env),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=GIT_WAIT_S,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise InvalidOptionsError(
            "workspace='worktree' needs git, which is not installed", hint="install git"
        ) from None
    except subprocess.TimeoutExpired:
        raise OauthPyError(f"git {said} took more than {GIT_WAIT_S:.0f} s in {cwd}") from None
    if check and done.returncode != 0:
        raise OauthPyError(f"git {said} failed in {cwd}: {done.stderr.strip()[:400]}")
    return done
