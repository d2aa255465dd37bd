"""What ``workspace="worktree"`` adds to a run: a checkout of HEAD, its changes read, its
removal. Issue 43's target: at most 0.3 s more than a plain run on a 1,000-file repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any
from unittest.mock import patch

from rigs import PROMPT, rig
from stats import Row, paired

FILES = 1000


def repository(root: Path, packed: bool = True, files: int = FILES) -> Path:
    """A repository of ``files`` small files in 20 folders, one commit; ``packed`` as a clone's
    objects are (else each file's a loose object, as right after committing them: a checkout
    then reads 1,000 compressed files, which took 0.25-0.4 s here against 0.03 s packed)."""
    for i in range(files):
        folder = root / f"pkg{i % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i}.py").write_text(f"VALUE = {i}\n\n\ndef f{i}():\n    return VALUE\n")
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "c"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    if packed:
        subprocess.run(["git", "repack", "-adq"], cwd=root, check=True)
    return root


def workspace(reps: int, providers: list[str], root: Path, files: int = FILES) -> list[Row]:
    """The rows of worktrees of a repository of ``files`` files (``--quick``: fewer)."""
    rows = []
    for provider in providers:
        with rig(provider, root / f"workspace-{provider}") as r:
            for packed in (True, False):
                repo = repository(r.work / f"repo-{packed}", packed, files)
                rows.append(_row(r, provider, repo, packed, reps, files))
            if provider == "codex":
                repo = repository(r.work / "repo-disk", files=files)
                rows.append(_on_disk(r, repo, root / "oauthpy-home", reps, files))
    rows.append(git_work(reps, root, files))
    from worktree_env_bench import environment

    rows.append(environment(reps, root, files))
    return rows


def _on_disk(r: Any, repo: Path, oauthpy_home: Path, reps: int, files: int) -> Row:
    """The same as the packed row with the worktree on disk (``OAUTHPY_HOME`` set, as for a
    checkout too large for memory): what the disk's file creation costs."""
    with patch.dict(os.environ, {"OAUTHPY_HOME": str(oauthpy_home)}):
        row = _row(r, "codex", repo, True, reps, files)
    row.what = row.what.replace("(packed, as cloned)", "(packed), the worktree on disk (OAUTHPY_HOME set)")
    row.target = "-"
    return row


def _row(r: Any, provider: str, repo: Path, packed: bool, reps: int, files: int) -> Row:
    client = r.client

    def run(**kw: object) -> None:
        result = client.run(PROMPT, cwd=repo, model=r.model, **kw)
        assert result.text == "ok", result.text

    kind = "packed, as cloned" if packed else "every object loose, as just committed"
    row = Row(
        "workspace",
        f"{provider}: a run in a worktree of a {files:,}-file repository ({kind})",
        "plain run",
        "workspace='worktree'",
        target="<= +0.3 s" if packed else "-",
        compare="diff",
    )
    return paired(row, lambda: run(), lambda: run(workspace="worktree"), reps)


def git_work(reps: int, root: Path, files: int) -> Row:
    """The worktree's own git work (checkout, changes, removal) with no agent run around it."""
    from oauthpy._workspace import Worktree, placed, plan

    repo = repository(root / "git-work", True, files)
    planned = plan("worktree", str(repo))
    assert planned is not None

    def cycle() -> None:
        # placed (sized) as a run of an agent without a sandbox places it, then made
        worktree = Worktree.create(placed(planned, memory=True))
        worktree.changes()
        worktree.remove()

    row = Row(
        "workspace",
        f"the worktree's own git work on a {files:,}-file repository (packed), no run",
        "git rev-parse",
        "create + changes + remove",
        target="<= 0.3 s",
    )
    return paired(row, lambda: plan("worktree", str(repo)) and None, cycle, reps)
