"""What ``workspace="worktree"`` adds to a run: a checkout of HEAD, its changes read, its
removal. Issue 43's target: at most 0.3 s more than a plain run on a 1,000-file repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rigs import PROMPT, rig
from stats import Row, paired

FILES = 1000


def repository(root: Path) -> Path:
    """A repository of ``FILES`` small files in 20 folders, one commit."""
    for i in range(FILES):
        folder = root / f"pkg{i % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i}.py").write_text(f"VALUE = {i}\n\n\ndef f{i}():\n    return VALUE\n")
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "c"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def workspace(reps: int, providers: list[str], root: Path) -> list[Row]:
    rows = []
    for provider in providers:
        with rig(provider, root / f"workspace-{provider}") as r:
            repo = repository(r.work / "repo")
            client = r.client

            def run(
                client: object = client, repo: Path = repo, model: object = r.model, **kw: object
            ) -> None:
                result = client.run(PROMPT, cwd=repo, model=model, **kw)  # type: ignore[attr-defined]
                assert result.text == "ok", result.text

            row = Row(
                "workspace",
                f"{provider}: a run in a worktree of a {FILES:,}-file repository",
                "plain run",
                "workspace='worktree'",
                target="<= +0.3 s",
                compare="diff",
            )
            rows.append(paired(row, lambda run=run: run(), lambda run=run: run(workspace="worktree"), reps))
    return rows
