"""What a worktree's environment adds to oauthpy's own work (issue 51): a ``setup`` that does
nothing (``:``), so that what is measured is oauthpy's part (its shell, the stop of what it left,
the worktree's new start), a ``.worktreeinclude`` naming one ``.env``, and ``base="working"``
with one uncommitted edit. The target: at most 0.1 s beyond the plain worktree's git work."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

from stats import Row, paired


def environment(reps: int, root: Path, files: int) -> Row:
    from workspace_bench import repository

    from oauthpy._workspace import WorkspacePlan, Worktree, placed, plan
    from oauthpy._worktree_env import UncommittedChangesWarning, set_up

    repo = repository(root / "environment", True, files)
    (repo / ".gitignore").write_text(".env\n")
    (repo / ".worktreeinclude").write_text(".env\n")
    (repo / ".env").write_text("DATABASE_URL=sqlite:///dev.db\n")
    (repo / "pkg0" / "mod0.py").write_text("VALUE = 'edited'\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UncommittedChangesWarning)
        plain = plan("worktree", str(repo))
    prepared = plan("worktree", str(repo), base="working", setup=":", include=[".env"])
    assert plain is not None and prepared is not None

    def cycle(planned: WorkspacePlan, setup: bool) -> None:
        worktree = Worktree.create(placed(planned, memory=True))
        if setup:
            asyncio.run(set_up(worktree))
        worktree.changes()
        worktree.remove()

    row = Row(
        "workspace",
        "a worktree's environment (setup ':', one .env included, base='working' with one edit), "
        f"{files:,} files (packed), no run",
        "create + changes + remove",
        "with the environment",
        target="<= +0.1 s",
        compare="diff",
    )
    return paired(row, lambda: cycle(plain, False), lambda: cycle(prepared, True), reps)
