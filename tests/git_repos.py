"""The git repositories of the worktree tests: ``git`` in a folder, and a user's repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

#: for tests whose repository keeps the user's uncommitted edit (`make_repo`) on purpose: the
#: `UncommittedChangesWarning` it brings is tested in test_worktree_env_parts.py and
#: test_compare_attempts.py, and would only crowd the suite's warnings summary here
USERS_EDIT_WARNED = pytest.mark.filterwarnings("ignore::oauthpy.UncommittedChangesWarning")


def git(repo: Path, *args: str) -> str:
    """``git *args`` in ``repo`` (bounded; a failure raises), its output."""
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def make_repo(repo: Path) -> Path:
    """A repository with one commit (README.md, src/app.py) and an uncommitted change of the user's."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q")
    (repo / "README.md").write_text("hello\n")
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("print('app')\n")
    git(repo, "add", ".")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "first")
    (repo / "README.md").write_text("hello\nthe user's own edit\n")  # never seen, never touched
    return repo
