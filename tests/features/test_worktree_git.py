"""Git on a worktree is oauthpy's, not the agent's: what the agent writes there (its ``.git``
file included) never picks the git dir, runs a program, or touches the user's index; and the
user's own git config does not change the diff's shape (red-team round 5, T1 and T4)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from oauthpy import OauthPyError
from oauthpy._workspace import Worktree, apply, plan
from tests.git_repos import USERS_EDIT_WARNED, git

pytestmark = pytest.mark.fast


def committed(repo: Path) -> Path:
    (repo / "pkg" / "util").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "app.py").write_text("x = 1\n")
    (repo / "pkg" / "util" / "__init__.py").write_text("")
    (repo / "util").mkdir()
    (repo / "util" / "__init__.py").write_text("")
    git(repo, "add", ".")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "c")
    return repo


def worktree_of(repo: Path) -> Worktree:
    planned = plan("worktree", str(repo))
    assert planned is not None
    return Worktree.create(planned)


def test_a_git_dir_the_agent_wrote_is_never_used_and_its_fsmonitor_never_runs(tmp_path: Path):
    repo = committed(tmp_path / "repo")
    pwned = tmp_path / "PWNED"
    worktree = worktree_of(repo)
    try:
        # what the agent writes: a git dir of its own whose config runs a program, and a .git
        # file pointing at it
        evil = Path(worktree.path) / ".evil"
        subprocess.run(["git", "init", "-q", "--bare", str(evil)], check=True)
        with open(evil / "config", "a") as fh:
            fh.write(f"[core]\n\tbare = false\n\tfsmonitor = touch {pwned}\n")
        (Path(worktree.path) / ".git").write_text(f"gitdir: {evil}\n")
        (Path(worktree.path) / "new.txt").write_text("n\n")
        with pytest.raises(OauthPyError, match=r"changed or removed the worktree's \.git file"):
            worktree.changes()
        assert not pwned.exists()
    finally:
        worktree.remove()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


@USERS_EDIT_WARNED
def test_a_dot_git_pointed_at_the_users_repository_leaves_the_users_index_as_it_was(tmp_path: Path):
    repo = committed(tmp_path / "repo")
    (repo / "staged.txt").write_text("s\n")
    git(repo, "add", "staged.txt")
    (repo / "app.py").write_text("x = 2\n")
    git(repo, "add", "app.py")
    before = git(repo, "status", "--porcelain")
    worktree = worktree_of(repo)
    try:
        (Path(worktree.path) / ".git").write_text(f"gitdir: {repo / '.git'}\n")
        (Path(worktree.path) / "agent.txt").write_text("a\n")
        with pytest.raises(OauthPyError, match=r"\.git file"):
            worktree.changes()
    finally:
        worktree.remove()
    assert git(repo, "status", "--porcelain") == before == "M  app.py\nA  staged.txt\n"


def test_a_removed_dot_git_fails_the_run_and_says_so(tmp_path: Path):
    repo = committed(tmp_path / "repo")
    worktree = worktree_of(repo)
    try:
        os.unlink(Path(worktree.path) / ".git")
        with pytest.raises(OauthPyError, match="changed or removed"):
            worktree.changes()
    finally:
        worktree.remove()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_git_settings_of_the_callers_environment_do_not_redirect_the_worktree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    repo = committed(tmp_path / "repo")
    other = committed(tmp_path / "other")
    worktree = worktree_of(repo)
    try:
        (Path(worktree.path) / "new.txt").write_text("n\n")
        # as inside a git hook of another repository
        monkeypatch.setenv("GIT_DIR", str(other / ".git"))
        monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
        changes, _ = worktree.changes()
    finally:
        worktree.remove()
    assert [(c.path, c.status) for c in changes] == [("new.txt", "added")]
    assert git(other, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    "setting",
    [
        "[diff]\n\tnoprefix = true\n",
        "[color]\n\tdiff = always\n\tui = always\n",
        "[diff]\n\texternal = {external}\n",
        "[diff]\n\tmnemonicPrefix = true\n\trelative = true\n",
    ],
)
def test_the_users_git_config_does_not_change_the_diff_or_what_apply_changes(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    external = tmp_path / "difftool"
    external.write_text("#!/bin/sh\necho 'a display, not a diff'\n")
    external.chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(setting.format(external=external))
    repo = committed(tmp_path / "repo")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    worktree = worktree_of(repo)
    try:
        (Path(worktree.path) / "pkg" / "util" / "__init__.py").write_text("VALUE = 1\n")
        changes, diff = worktree.changes()
    finally:
        worktree.remove()
    assert [(c.path, c.status) for c in changes] == [("pkg/util/__init__.py", "modified")]
    assert "\x1b" not in diff and "a display" not in diff
    assert "--- a/pkg/util/__init__.py" in diff and "+++ b/pkg/util/__init__.py" in diff
    apply(str(repo), diff)
    assert (repo / "pkg" / "util" / "__init__.py").read_text() == "VALUE = 1\n"
    assert (repo / "util" / "__init__.py").read_text() == ""  # not the same-named file a level up


def test_a_path_with_a_tab_or_quote_is_reported_as_written(tmp_path: Path):
    repo = committed(tmp_path / "repo")
    worktree = worktree_of(repo)
    try:
        (Path(worktree.path) / 'odd\t"name".txt').write_text("o\n")
        changes, _ = worktree.changes()
    finally:
        worktree.remove()
    assert [c.path for c in changes] == ['odd\t"name".txt']


def test_git_on_a_worktree_names_its_recorded_git_dir_not_its_dot_git_file(tmp_path: Path):
    """Past the .git check too (a session's later turn, a check that missed): the recorded git
    dir is what git reads, so an evil config behind a rewritten .git is never read."""
    repo = committed(tmp_path / "repo")
    pwned = tmp_path / "PWNED"
    worktree = worktree_of(repo)
    try:
        evil = Path(worktree.path) / ".evil"
        subprocess.run(["git", "init", "-q", "--bare", str(evil)], check=True)
        with open(evil / "config", "a") as fh:
            fh.write(f"[core]\n\tbare = false\n\tfsmonitor = touch {pwned}\n")
        (Path(worktree.path) / ".git").write_text(f"gitdir: {evil}\n")
        (Path(worktree.path) / "new.txt").write_text("n\n")
        worktree._git(["add", "-A"])
        staged = worktree._git(["diff", "--cached", "--name-only", "HEAD"])
    finally:
        worktree.remove()
    assert not pwned.exists()
    assert "new.txt" in staged.split()
