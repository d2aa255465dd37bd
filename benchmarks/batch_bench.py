"""The batch rows: ``oauthpy batch`` against the raw CLI one-shots run as many at a time, like for
like for codex (saving sessions or not on both sides), and the memory of a long batch (results
are written as they finish, never accumulated).

Imported by run.py (section ``batch``); ``--memory-child`` is the measured process of the
memory row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from rigs import Rig, rig, rss_mb
from stats import Row, paired

TARGETS = {"codex": "<= 0.6x", "claude": "<= 0.6x", "gemini": "<= 0.25x"}


def _items(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps({"id": i, "prompt": f"say token-{i:04x}"}) + "\n" for i in range(n)))
    return path


def _batch_argv(r: Rig, items: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    argv = [sys.executable, "-m", "oauthpy.cli", "batch", "-p", r.provider, "--source", "external"]
    argv += ["--cwd", str(r.work), str(items), "-o", str(out), "-j", str(jobs), "-q", *extra]
    return argv + (["-m", r.model] if r.model else [])


def _raw_batch(r: Rig, n: int, jobs: int, options: dict[str, Any] | None = None) -> None:
    """``n`` raw one-shots of the vendor CLI, ``jobs`` at a time."""
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda _: r.raw_run(options), range(n)))


def _our_batch(r: Rig, items: Path, out: Path, n: int, jobs: int, *extra: str) -> None:
    """One ``oauthpy batch`` process over ``items``; every item must be ok."""
    out.unlink(missing_ok=True)
    done = subprocess.run(
        _batch_argv(r, items, out, jobs, *extra),
        env={**os.environ, **r.env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-1000:]
    assert len(out.read_text().splitlines()) == n


def batch(reps: int, providers: list[str], root: Path, n: int = 32, jobs: int = 4) -> list[Row]:
    """``n`` short prompts at ``-j jobs``: one ``oauthpy batch`` process (warm agents, its
    defaults) against ``n`` raw one-shots of the vendor CLI (its defaults), ``jobs`` at a time."""
    rows = []
    for provider in providers:
        with rig(provider, root / f"batch-{provider}") as r:
            items = _items(root / f"items-{provider}.jsonl", n)
            out = root / f"out-{provider}.jsonl"
            row = Row(
                "batch",
                f"{provider}: {n} short prompts at -j {jobs}",
                f"raw CLI one-shots, {jobs} at a time",
                "oauthpy batch",
                target=TARGETS.get(provider, "-"),
            )
            # a raw gemini run takes about 2 s: 32 of them, 4 at a time, about 20 s a repetition
            raw = partial(_raw_batch, r, n, jobs)
            ours = partial(_our_batch, r, items, out, n, jobs)
            rows.append(paired(row, raw, ours, min(reps, 3), warmup=0))
    return rows


def like_for_like(reps: int, root: Path, n: int = 32, jobs: int = 4) -> list[Row]:
    """codex, where a batch's default (ephemeral threads: no rollout) differs from the raw CLI's:
    both sides saving their sessions, and both sides saving none."""
    with rig("codex", root / "batch-like") as r:
        items = _items(root / "items-like.jsonl", n)
        out = root / "out-like.jsonl"
        saving = Row(
            "batch",
            f"codex: {n} short prompts at -j {jobs}, both saving sessions",
            "raw codex exec",
            "oauthpy batch --keep-sessions",
            target="-",
        )
        neither = Row(
            "batch",
            f"codex: {n} short prompts at -j {jobs}, neither saving sessions",
            "raw codex exec --ephemeral",
            "oauthpy batch",
            target="-",
        )
        return [
            paired(
                saving,
                lambda: _raw_batch(r, n, jobs),
                lambda: _our_batch(r, items, out, n, jobs, "--keep-sessions"),
                reps,
                warmup=0,
            ),
            paired(
                neither,
                lambda: _raw_batch(r, n, jobs, {"ephemeral": True}),
                lambda: _our_batch(r, items, out, n, jobs),
                reps,
                warmup=0,
            ),
        ]


def memory(providers: list[str], root: Path, n: int = 1000, early: int = 100) -> list[Row]:
    """The batch process's resident memory after ``early`` items and after all ``n``."""
    rows = []
    for provider in [p for p in providers if p != "claude"]:  # claude: 1000 items take minutes
        with rig(provider, root / f"batch-mem-{provider}") as r:
            items = _items(root / f"mem-{provider}.jsonl", n)
            out = root / f"mem-out-{provider}.jsonl"
            out.unlink(missing_ok=True)
            argv = [
                sys.executable,
                __file__,
                "--memory-child",
                str(early),
                *_batch_argv(r, items, out, 4)[3:],
            ]
            done = subprocess.run(
                argv, env={**os.environ, **r.env}, capture_output=True, text=True, check=False
            )
            assert done.returncode == 0, done.stderr[-2000:]
            got = json.loads(done.stdout.splitlines()[-1])
            row = Row(
                "batch",
                f"{provider}: the batch process's RSS after {early} items -> after {n} (MB)",
                f"after {early}",
                f"after {n}",
                unit="MB",
                target="< +5 MB",
                compare="diff",
            )
            row.a.append(got["early"])
            row.b.append(got["end"])
            rows.append(row)
    return rows


def _memory_child(early: int, cli_args: list[str]) -> None:
    """Run ``oauthpy batch`` in this process; print its RSS after ``early`` lines and at the end."""
    from oauthpy.cli import main

    out = Path(cli_args[cli_args.index("-o") + 1])
    result: dict[str, float] = {}
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            if "early" not in result and out.exists() and out.read_bytes().count(b"\n") >= early:
                result["early"] = rss_mb()[0]
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = main(cli_args)
    finished.set()
    watcher.join()
    result["end"] = rss_mb()[0]
    assert code == 0 and "early" in result, (code, result)
    print(json.dumps(result))


if __name__ == "__main__" and sys.argv[1:2] == ["--memory-child"]:
    _memory_child(int(sys.argv[2]), sys.argv[3:])
