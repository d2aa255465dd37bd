"""Three agents, one task, keep the one whose tests pass (``oauthpy.compare``).

Runs offline by default: the real codex, claude and gemini CLIs against oauthpy's fake models,
scripted so that one attempt fixes the bug, one leaves a note and one gives up, in a throwaway
repository. Each attempt works in its own git worktree; the repository's tests run in each
(``check=``); the best attempt is applied. Pass ``--live "<your test command>"`` to give the task
to your own logged-in agents in the current repository instead (nothing is applied unless its
tests passed).

    python examples/compare.py
    python examples/compare.py --live "pytest -q" "Fix the failing test"
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import oauthpy
from oauthpy.testing import offline, text, write_file

AGENTS = ["codex", "claude", "gemini"]


def show(comparison: oauthpy.Comparison) -> None:
    for attempt in comparison:
        added, removed = attempt.lines
        if attempt.error is not None:
            said = f"failed: {attempt.error.message}"
        else:
            check = "-" if attempt.check is None else "passed" if attempt.check.passed else "failed"
            said = f"check {check}, +{added}/-{removed}, {(attempt.text or '').splitlines()[0]!r}"
        print(f"{attempt.provider:7} {said}")


def keep_best(comparison: oauthpy.Comparison) -> None:
    best = comparison.best()
    if best.check is None or not best.check.passed:
        print("no attempt passed its tests: nothing applied")
        return
    best.apply()
    print(f"best: {best.provider}, applied")


def offline_demo() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp, "greet")
        repo.mkdir()
        (repo / "greet.py").write_text("def greet():\n    return 'hi'\n")
        (repo / "test_greet.py").write_text(
            "import unittest\n\nfrom greet import greet\n\n\nclass Greet(unittest.TestCase):\n"
            "    def test_says_hello(self):\n        self.assertEqual(greet(), 'hello')\n"
        )
        for args in (
            ["init", "-q"],
            ["add", "."],
            ["-c", "user.name=me", "-c", "user.email=me@x", "commit", "-qm", "1"],
        ):
            subprocess.run(["git", *args], cwd=repo, check=True)
        with offline() as fakes:
            fakes["codex"].script(
                write_file("greet.py", "def greet():\n    return 'hello'\n"), text("greet() says hello")
            )
            fakes["claude"].script(
                write_file("NOTES.md", "greet() should say hello\n"), text("I left a note")
            )
            fakes["gemini"].script(text("I could not find the bug"))
            comparison = oauthpy.compare(
                "Make test_greet.py pass",
                AGENTS,
                cwd=repo,
                check=f"{shlex.quote(sys.executable)} -m unittest -q",
                on_permission=lambda request: True,  # a fake's edits: allow them
            )
        show(comparison)
        keep_best(comparison)
        print("greet.py now:", (repo / "greet.py").read_text().splitlines()[1].strip())


def live(check: str, task: str) -> None:
    comparison = oauthpy.compare(task, AGENTS, cwd=".", check=check)
    show(comparison)
    keep_best(comparison)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--live"] and len(sys.argv) == 4:
        live(sys.argv[2], sys.argv[3])
    else:
        offline_demo()
