"""Codex's first start in a fresh CODEX_HOME, by several programs at once.

codex 0.163 fails ("failed to initialize sqlite state runtime") when several processes create
its state in one home at the same moment. oauthpy orders those first starts with a file lock in
the home, so concurrent first runs from separate processes, or from separate event loops of
one program, all succeed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path

from oauthpy import Client
from oauthpy.testing import text
from tests.support import REPO, Rig, assert_no_leftovers, open_rig

ROUNDS = 3  # a fresh home each round: the race is lost often, not always
PROGRAMS = 3


def first_runs_in_processes(rig: Rig) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of `PROGRAMS` ``oauthpy run`` processes started at once."""
    env = {**os.environ, **rig.env, "PYTHONPATH": str(REPO / "src")}
    argv = [sys.executable, "-m", "oauthpy", "run", "-p", "codex", "--source", "external"]
    argv += ["--cwd", str(rig.work), "--timeout", "60", "hi"]
    pipe = subprocess.PIPE
    procs = [
        subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe, text=True)
        for _ in range(PROGRAMS)
    ]
    outcomes = [p.communicate(timeout=180) for p in procs]
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outcomes, strict=True)]


def first_runs_in_loops(rig: Rig) -> list[object]:
    """The answers (or errors) of `PROGRAMS` threads, each with its own ``asyncio.run``."""
    client = Client("codex", auth_source="external", env=rig.env)
    answers: list[object] = []

    def run() -> None:
        try:
            answers.append(asyncio.run(client.arun("hi", cwd=rig.work, timeout=60)).text)
        except Exception as exc:
            answers.append(exc)

    threads = [threading.Thread(target=run) for _ in range(PROGRAMS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return answers


def test_concurrent_first_runs_from_separate_processes_all_succeed(tmp_path: Path):
    for round_ in range(ROUNDS):
        with open_rig("codex", tmp_path / f"round{round_}") as rig:
            rig.fake.script(*(text("fine") for _ in range(PROGRAMS)))
            for code, out, err in first_runs_in_processes(rig):
                assert code == 0, f"round {round_}: {err[-2000:]}"
                assert out.strip() == "fine"
            assert_no_leftovers(rig.env, within_s=5)


def test_concurrent_first_runs_from_separate_event_loops_all_succeed(tmp_path: Path):
    for round_ in range(ROUNDS):
        with open_rig("codex", tmp_path / f"round{round_}") as rig:
            rig.fake.script(*(text("fine") for _ in range(PROGRAMS)))
            answers = first_runs_in_loops(rig)
            assert answers == ["fine"] * PROGRAMS, f"round {round_}: {answers}"
            assert_no_leftovers(rig.env, within_s=5)
