"""``workspace=`` refused before anything starts, and worktrees a crash left behind removed."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from oauthpy import InvalidOptionsError
from oauthpy import _registry as registry
from oauthpy._workspace import Worktree, home, plan

AGENTS = registry.names()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def committed(repo: Path) -> Path:
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "f.txt").write_text("f\n")
    git(repo, "add", ".")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "c")
    return repo


@pytest.mark.parametrize("provider", AGENTS)
def test_no_repository_no_commit_or_another_workspace_is_refused_before_anything_starts(
    provider: str, tripwire: Any, tripwire_client: Any, tmp_path: Path
):
    _env, fired = tripwire
    client = tripwire_client(provider)
    plain = tmp_path / "plain"
    plain.mkdir()
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    cases = [
        ({"cwd": plain, "workspace": "worktree"}, "needs a git repository"),
        ({"cwd": empty, "workspace": "worktree"}, "has no commit yet"),
        ({"cwd": plain, "workspace": "copy"}, "workspace must be 'worktree' or None"),
        ({"cwd": plain, "keep_workspace": True}, "keep_workspace=True needs workspace='worktree'"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidOptionsError, match=message):
            client.run("hi", **kwargs)
        with pytest.raises(InvalidOptionsError, match=message):
            client.session(**kwargs)
    assert not fired.exists(), "a process was started for a bad workspace"


def test_a_worktree_whose_process_died_is_removed_at_the_next_start(tmp_path: Path):
    repo = committed(tmp_path / "repo")
    stale = Worktree.create(plan("worktree", str(repo)))  # type: ignore[arg-type]
    dead = subprocess.Popen(["true"])
    dead.wait()
    Path(stale.path + ".pid").write_text(f"{dead.pid}\n{repo}\n")  # as if its process crashed
    fresh = Worktree.create(plan("worktree", str(repo)))  # type: ignore[arg-type]
    try:
        assert not Path(stale.path).exists()
        assert (
            git(repo, "worktree", "list", "--porcelain").count("worktree ") == 2
        )  # the repo's, the fresh one
    finally:
        fresh.remove()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert list(Path(home()).iterdir()) == []
