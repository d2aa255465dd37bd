"""``oauthpy.compare`` with the real CLIs against their fakes: a check per attempt in its own
worktree, ``n`` attempts of one agent, and the judges (a function, an agent) that decide
``best()`` when the checks tie; no worktree or process is left."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import oauthpy
from oauthpy import Comparison, UncommittedChangesWarning, Verdict
from oauthpy._workspace import home
from oauthpy.testing import Match, structured, text, write_file
from tests.git_repos import USERS_EDIT_WARNED, git, make_repo
from tests.support import Rig, assert_no_leftovers, open_rig, shell_step

pytestmark = USERS_EDIT_WARNED

ALLOW = {"on_permission": lambda request: True}


@contextlib.contextmanager
def rigs(root: Path, *names: str) -> Iterator[dict[str, Rig]]:
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(open_rig(name, root / name)) for name in names}


def compared(rigs: dict[str, Rig], repo: Path, *providers: str, **kw: Any) -> Comparison:
    """``compare`` over ``providers`` (default: every rig's agent): one environment for all
    the rigs (each agent's state apart, one marker on every process), each with its fake's
    model."""
    env: dict[str, str] = {}
    for rig in rigs.values():
        env.update(rig.env)
    models = {name: rig.model for name, rig in rigs.items() if rig.model}
    kw.setdefault("timeout", 120)
    return oauthpy.compare(
        "fix the bug",
        list(providers or rigs),
        cwd=repo,
        env=env,
        auth_source="external",
        models=models,
        **ALLOW,
        **kw,
    )


def nothing_left(repo: Path, rigs: dict[str, Rig]) -> None:
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert not os.path.isdir(home()) or os.listdir(home()) == []
    assert_no_leftovers(list(rigs.values())[-1].env, within_s=5.0)


def test_the_check_passes_for_the_attempt_that_made_the_tested_file_and_that_one_is_best(tmp_path: Path):
    with rigs(tmp_path, "codex", "claude", "gemini") as agents:
        repo = make_repo(tmp_path / "repo")
        agents["codex"].fake.script(write_file("notes.md", "# notes\n"), text("wrote notes instead"))
        agents["claude"].fake.script(shell_step("claude", "echo fixed > fixed.txt"), text("fixed it"))
        agents["gemini"].fake.script(text("I could not fix it"))
        check = 'echo "attempt=$OAUTHPY_ATTEMPT in=$(pwd) worktree=$OAUTHPY_WORKTREE"; test -f fixed.txt'
        with pytest.warns(UncommittedChangesWarning) as caught:  # the user's edit of README.md
            comparison = compared(agents, repo, check=check)
        assert caught[0].filename == __file__  # the caller's line (compared), not the event loop's

        codex, claude, gemini = comparison
        assert [(a.provider, a.index, a.error) for a in comparison] == [
            ("codex", 0, None),
            ("claude", 1, None),
            ("gemini", 2, None),
        ]
        assert claude.check is not None and claude.check.passed and claude.check.exit_code == 0
        assert codex.check is not None and not codex.check.passed and codex.check.exit_code == 1
        assert gemini.check is not None and not gemini.check.passed
        assert comparison.best() is claude
        assert [c.path for c in claude.changes] == ["fixed.txt"] and "+fixed" in (claude.diff or "")
        assert gemini.text == "I could not fix it" and gemini.changes == ()
        worktrees = set()
        for attempt in comparison:  # each check ran at the top of its own attempt's worktree
            assert attempt.check is not None
            found = re.search(r"attempt=(\d+) in=(\S+) worktree=(\S+)", attempt.check.output)
            assert found is not None, attempt.check.output
            assert int(found[1]) == attempt.index and found[2] == found[3] != str(repo)
            worktrees.add(found[3])
            assert attempt.path is None  # not kept: removed after its check
            assert attempt.result is not None and attempt.result.workspace is None
        assert len(worktrees) == 3
        assert not (repo / "fixed.txt").exists()
        nothing_left(repo, agents)


def test_n_2_gives_one_agent_two_attempts_each_in_its_own_worktree_and_number(tmp_path: Path):
    with rigs(tmp_path, "claude") as agents:
        repo = make_repo(tmp_path / "repo")
        # two runs at once on one fake: the request that carries the write gets the answer
        agents["claude"].fake.script(
            Match("zq-own-file", text("done"), otherwise=write_file("own.txt", "zq-own-file\n"))
        )
        setup = 'echo "$OAUTHPY_ATTEMPT" > setup.txt'
        check = 'test "$(pwd)" = "$OAUTHPY_WORKTREE" && echo "attempt $OAUTHPY_ATTEMPT, set up as $(cat setup.txt)"'
        comparison = compared(agents, repo, n=2, setup=setup, check=check, keep_workspace=True)

        assert [(a.provider, a.index) for a in comparison] == [("claude", 0), ("claude", 1)]
        paths = [a.path for a in comparison]
        assert None not in paths and len(set(paths)) == 2
        for attempt in comparison:
            assert attempt.error is None and [c.path for c in attempt.changes] == ["own.txt"]
            assert Path(str(attempt.path), "own.txt").read_text() == "zq-own-file\n"
            assert attempt.check is not None and attempt.check.passed
            assert attempt.check.output == f"attempt {attempt.index}, set up as {attempt.index}\n"
        assert len(agents["claude"].model_bodies()) == 4  # two turns of two requests
        assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 3
        from oauthpy._workspace import clean

        assert sorted(clean()) == sorted(str(p) for p in paths)
        nothing_left(repo, agents)


def two_attempts(agents: dict[str, Rig]) -> None:
    """codex changes one line, gemini three: without a judge, codex's is best."""
    agents["codex"].fake.script(write_file("by-codex.txt", "one\n"), text("short fix"))
    agents["gemini"].fake.script(write_file("by-gemini.txt", "one\ntwo\nthree\n"), text("long fix"))


def test_a_judge_function_decides_best_when_the_checks_tie(tmp_path: Path):
    with rigs(tmp_path, "codex", "gemini") as agents:
        repo = make_repo(tmp_path / "repo")
        two_attempts(agents)
        seen = []

        def judge(attempts: Any) -> tuple[list[int], str]:
            seen.append([(a.provider, a.text, [c.path for c in a.changes]) for a in attempts])
            return [1], "gemini's is complete"

        comparison = compared(agents, repo, check="true", judge=judge)

        assert seen == [[("codex", "short fix", ["by-codex.txt"]), ("gemini", "long fix", ["by-gemini.txt"])]]
        assert comparison.verdict is not None and comparison.verdict.order == (1,)
        assert comparison.verdict.reason == "gemini's is complete"
        assert comparison.best().provider == "gemini"
        assert Comparison(comparison.attempts).best().provider == "codex"  # the judge decided it
        nothing_left(repo, agents)


def test_an_agent_judge_decides_best_read_only_in_a_folder_of_its_own(tmp_path: Path):
    with rigs(tmp_path, "codex", "gemini", "claude") as agents:
        repo = make_repo(tmp_path / "repo")
        two_attempts(agents)
        # the judge tries to write; refused, then answers
        judge = agents["claude"].fake
        judge.script(
            write_file("judged.txt", "x\n"),
            structured({"order": [1, 0], "reason": "gemini's covers every case"}),
        )
        comparison = compared(
            agents, repo, "codex", "gemini", check="true", judge="claude", keep_workspace=True
        )

        assert comparison.verdict == Verdict("claude", (1, 0), "gemini's covers every case")
        assert comparison.best().provider == "gemini"
        asked = agents["claude"].model_bodies()
        assert len(asked) == 2 and "+three" in asked[0] and "+one" in asked[0]
        assert "oauthpy-judge-" in asked[0]  # its working folder: an empty one of its own
        assert "the user denied this action" in asked[1]  # its write, refused
        for attempt in comparison:  # the judge changed nothing in any worktree
            assert attempt.path is not None and attempt.path not in asked[0]
            status = git(Path(attempt.path), "status", "--porcelain", "--untracked-files=all")
            assert status == f"A  by-{attempt.provider}.txt\n"  # staged when its changes were read
        from oauthpy._workspace import clean

        assert len(clean()) == 2
        nothing_left(repo, agents)
