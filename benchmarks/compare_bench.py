"""What ``setup=`` and ``check=`` add to a ``compare`` attempt beyond their commands' own time.

Each pair is one attempt of one agent (``oauthpy.compare(..., [provider])``) in a worktree of a
small repository: A is the plain attempt followed by the two commands run by hand
(``/bin/sh -c``, as a user would type them), B is the attempt given them as ``setup`` and
``check``. B - A is oauthpy's own work for them: running each in the worktree, numbering the
attempt, snapshotting what setup wrote, keeping the worktree past the run for the check and
removing it after. Issue 51's target: at most +0.1 s per attempt.

    python benchmarks/compare_bench.py [--reps 7] [--providers codex,claude,gemini]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

from rigs import PROMPT, rig
from stats import HEADER, Row, paired

import oauthpy

#: commands with a known, visible cost of their own
SETUP = "sleep 0.2"
CHECK = "sleep 0.2"
FILES = 50


def repository(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(FILES):
        (root / f"mod{i}.py").write_text(f"VALUE = {i}\n")
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "c"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def compare(reps: int, providers: list[str], root: Path) -> list[Row]:
    rows = []
    for provider in providers:
        with rig(provider, root / f"compare-{provider}") as r:
            repo = repository(r.work / "repo")
            rows.append(_row(r, provider, repo, reps))
    rows.append(own_work(reps, repository(root / "own-work")))
    return rows


def own_work(reps: int, repo: Path) -> Row:
    """The same without an agent (whose run varies by more than the target on a busy machine):
    a worktree's life as an attempt lives it, the commands by hand against ``setup``/``check``."""
    import asyncio

    from oauthpy._compare_check import attempt_env, run_check
    from oauthpy._workspace import Worktree, placed, plan
    from oauthpy._worktree_env import set_up

    def life(**kw: object) -> Worktree:
        planned = plan("worktree", str(repo), **kw)  # type: ignore[arg-type]
        assert planned is not None
        return Worktree.create(placed(planned, memory=True))  # placed as claude's and gemini's

    def by_hand() -> None:
        worktree = life()
        worktree.changes()
        worktree.remove()
        for command in (SETUP, CHECK):
            subprocess.run(["/bin/sh", "-c", command], cwd=repo, check=True)

    async def given_async() -> None:
        worktree = life(keep=True, setup=SETUP)  # kept past the run for its check: on disk
        await set_up(worktree)
        worktree.changes()
        done = await run_check(CHECK, worktree.cwd, attempt_env(0, worktree.path), 600.0)
        assert done.passed, done
        worktree.remove()

    row = Row(
        "compare",
        f"oauthpy's own work for setup={SETUP!r} and check={CHECK!r}, no agent ({FILES} files)",
        "worktree + both commands by hand",
        "worktree + setup + check",
        target="<= +0.1 s",
        compare="diff",
    )
    return paired(row, by_hand, lambda: asyncio.run(given_async()), reps)


def _row(r: Any, provider: str, repo: Path, reps: int) -> Row:
    def attempt(**kw: object) -> oauthpy.Attempt:
        comparison = oauthpy.compare(
            PROMPT,
            [provider],
            cwd=repo,
            env=r.env,
            auth_source="external",
            models={provider: r.model} if r.model else None,
            **kw,  # type: ignore[arg-type]
        )
        done = comparison[0]
        assert done.error is None and done.text == "ok", done
        return done

    def by_hand() -> None:
        attempt()
        for command in (SETUP, CHECK):
            subprocess.run(["/bin/sh", "-c", command], cwd=repo, check=True)

    def given() -> None:
        done = attempt(setup=SETUP, check=CHECK)
        assert done.check is not None and done.check.passed, done.check

    row = Row(
        "compare",
        f"{provider}: one attempt with setup={SETUP!r} and check={CHECK!r}",
        "attempt + both commands by hand",
        "compare(setup=, check=)",
        target="<= +0.1 s",
        compare="diff",
    )
    return paired(row, by_hand, given, reps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--providers", default="codex,claude,gemini")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="oauthpy-bench-") as tmp:
        rows = compare(args.reps, args.providers.split(","), Path(tmp))
    print(HEADER)
    for row in rows:
        print(row.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
