"""``workspace=`` refused before anything starts, and worktrees a crash left behind removed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oauthpy import InvalidOptionsError
from oauthpy import _registry as registry
from oauthpy._workspace import Worktree, home, placed, plan
from tests.git_repos import git

pytestmark = pytest.mark.fast

AGENTS = registry.names()


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


def test_a_small_checkout_goes_to_memory_and_a_large_or_kept_one_to_disk(
    memory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from oauthpy import _worktree_place

    repo = committed(tmp_path / "repo")  # one file of 2 bytes: one page
    in_memory = str(memory / f"oauthpy-worktrees-{os.getuid()}")
    planned = plan("worktree", str(repo))
    assert planned is not None and placed(planned, memory=True).folder == in_memory
    assert placed(planned, memory=False).folder == home()  # an agent whose sandbox hides it
    planned = placed(planned, memory=True)
    worktree = Worktree.create(planned)
    try:
        assert Path(worktree.path).parent == Path(in_memory) and (Path(worktree.path) / "f.txt").exists()
    finally:
        worktree.remove()
    assert os.listdir(in_memory) == [] and git(repo, "worktree", "list").count("\n") == 1

    kept = plan("worktree", str(repo), keep=True)
    assert kept is not None and placed(kept, memory=True).folder == home()
    assert home().startswith(str(tmp_path / "tmp"))

    for page in range(3):  # three more pages: over a limit of two
        (repo / f"more{page}.txt").write_text("x" * 5000)
    git(repo, "add", ".")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "more")
    monkeypatch.setattr(_worktree_place, "RAM_MAX_CHECKOUT", 3 * 4096)
    large = plan("worktree", str(repo))
    assert large is not None and placed(large, memory=True).folder == home()


def test_a_memory_folder_that_is_a_link_is_not_used(memory: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (memory / f"oauthpy-worktrees-{os.getuid()}").symlink_to(elsewhere)
    planned = plan("worktree", str(committed(tmp_path / "repo")))
    assert planned is not None and placed(planned, memory=True).folder == home()


def test_a_worktree_left_in_memory_by_a_dead_process_is_removed_at_the_next_start(
    memory: Path, tmp_path: Path
):
    repo = committed(tmp_path / "repo")
    stale = Worktree.create(placed(plan("worktree", str(repo)), memory=True))  # type: ignore[arg-type]
    assert str(memory) in stale.path
    dead = subprocess.Popen(["true"])
    dead.wait()
    Path(stale.path + ".pid").write_text(f"{dead.pid}\n{repo}\n")
    kept = plan("worktree", str(repo), keep=True)
    fresh = Worktree.create(kept)  # type: ignore[arg-type]  # on disk: the memory folder is pruned too
    try:
        assert not Path(stale.path).exists() and not Path(stale.path + ".pid").exists()
    finally:
        fresh.remove()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_sizing_a_checkout_is_bounded_when_git_hangs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import time

    from oauthpy import _git, _worktree_place

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    hanging = bin_dir / "git"
    hanging.write_text("#!/bin/sh\nprintf 'f.txt\\n'\nexec sleep 30\n")
    hanging.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setattr(_git, "GIT_WAIT_S", 0.3)
    began = time.monotonic()
    assert _worktree_place.fits(str(tmp_path), 1 << 30) is False  # unknown: not in memory
    assert time.monotonic() - began < 10


def test_an_index_whose_cached_sizes_were_zeroed_by_an_unstage_does_not_go_to_memory(tmp_path: Path):
    from oauthpy._worktree_place import fits

    repo = committed(tmp_path / "repo")
    (repo / "big.bin").write_bytes(b"x" * 200_000)
    git(repo, "add", ".")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "big")
    assert fits(str(repo), 100_000) is False  # its sizes as stat said: too large
    git(repo, "read-tree", "HEAD")  # every cached size is 0 now (as after `git restore --staged`)
    assert "size: 200000" not in git(repo, "ls-files", "--debug")
    assert fits(str(repo), 100_000) is False  # unknown sizes: not in memory
    (repo / "empty").write_text("")
    git(repo, "status")  # the sizes cached again; an empty file's 0 is true
    git(repo, "add", "empty")
    assert fits(str(repo), 1 << 30) is True


def test_a_kept_worktree_of_an_offline_run_is_listed_and_cleaned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from oauthpy._workspace import clean, listed
    from oauthpy._worktree_place import offline_home

    repo = committed(tmp_path / "repo")
    monkeypatch.setenv("OAUTHPY_HOME", str(tmp_path / "oauthpy-home"))
    assert listed() == []
    planned = plan("worktree", str(repo), keep=True)
    assert planned is not None
    # where an OAUTHPY_OFFLINE run keeps it: its own OAUTHPY_HOME, under the user's
    offline = offline_home()
    assert offline.startswith(str(tmp_path / "oauthpy-home"))
    import dataclasses

    worktree = Worktree.create(dataclasses.replace(planned, folder=offline))
    worktree.keep()
    assert listed() == [(worktree.path, "kept")]
    assert clean() == [worktree.path]
    assert not Path(worktree.path).exists() and listed() == []
