"""``oauthpy compare`` as a user runs it, with the real CLIs against their fakes: ``--check`` in
``--json`` and in the table, ``--apply-best`` (the winner only, refused when no check passed),
``--keep`` beside each row, and Ctrl-C, which keeps the finished attempts' rows."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from oauthpy._workspace import home, listed, prune_stale
from oauthpy.testing import Gate, text, write_file
from oauthpy.testing.processes import MARKER_VAR
from tests.git_repos import git, make_repo
from tests.support import COMPARE, Rig, assert_no_leftovers, open_rig, shell_step

CHECK = "test -f fixed.txt"
#: a key of OpenAI's shape, which no printed line may show
KEY = "sk-proj-" + "a1B2c3D4" * 5


def env_of(*rigs: Rig) -> dict[str, str]:
    """One environment for the agents (their state apart; the last rig's marker on every process)."""
    env = dict(os.environ)
    for rig in rigs:
        env.update(rig.env)
    return env


def compare(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMPARE, *args],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )


def nothing_left(repo: Path, env: dict[str, str]) -> None:
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert not os.path.isdir(home()) or os.listdir(home()) == []
    assert_no_leftovers({MARKER_VAR: env[MARKER_VAR]}, within_s=5.0)


def claude_fixes_it(claude: Rig, codex: Rig) -> None:
    """claude makes the file the check tests (a shell command); codex writes another one."""
    claude.fake.script(shell_step("claude", "echo fixed > fixed.txt"), text("Fixed it.\nDetails below."))
    codex.fake.script(write_file("notes.md", "# notes\n"), text("I wrote notes"))


def test_check_results_in_json_and_in_the_table_with_the_best_attempt_redacted(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("claude", tmp_path / "a") as claude:
        repo = make_repo(tmp_path / "repo")
        env = env_of(codex, claude)
        claude_fixes_it(claude, codex)
        check = f"echo 'testing with {KEY}'; {CHECK}"
        done = compare(repo, env, "-p", "codex,claude", "--yes", "--check", check, "--json", "fix it")
        assert done.returncode == 0, done.stderr
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        assert [(row["provider"], row["index"], row["status"]) for row in rows] == [
            ("codex", 0, "ok"),
            ("claude", 1, "ok"),
        ]
        codex_row, claude_row = rows
        assert claude_row["check"]["passed"] is True and claude_row["check"]["exit_code"] == 0
        assert codex_row["check"]["passed"] is False and codex_row["check"]["exit_code"] == 1
        assert claude_row["best"] is True and codex_row["best"] is False
        assert (claude_row["rank"], codex_row["rank"]) == (1, 2)
        assert [c["path"] for c in claude_row["changes"]] == ["fixed.txt"] and claude_row["added"] == 1
        assert claude_row["text"] == "Fixed it.\nDetails below." and claude_row["path"] is None
        assert claude_row["duration_s"] > 0 and claude_row["error"] is None and "usage" in claude_row
        assert (
            claude_row["check"]["output"] == "testing with [REDACTED]\n"
            and claude_row["check"]["duration_s"] >= 0
        )
        assert KEY not in done.stdout + done.stderr
        nothing_left(repo, env)

        claude.fake.script(
            shell_step("claude", "echo fixed > fixed.txt"), text(f"Fixed it, {KEY}\x1b[2J.\nMore.")
        )
        codex.fake.script(write_file("notes.md", "# notes\n"), text("I wrote notes"))
        table = compare(repo, env, "-p", "codex,claude", "--yes", "--check", CHECK, "fix it")
        assert table.returncode == 0, table.stderr
        lines = table.stdout.splitlines()
        assert lines[0].split() == ["agent", "status", "check", "time", "files", "+/-", "cost", "answer"]
        assert lines[1].split()[:3] == ["codex", "ok", "failed"] and lines[1].endswith("I wrote notes")
        assert lines[2].split()[:3] == ["claude", "ok", "passed"] and lines[2].endswith(
            "Fixed it, [REDACTED]\\x1b[2J."
        )
        assert KEY not in table.stdout + table.stderr and "\x1b" not in table.stdout
        assert lines[2].split()[4:6] == ["1", "+1/-0"]
        assert "best: claude (check passed)" in table.stderr.splitlines()
        assert "claude: finished, check passed" in table.stderr
        # the user's uncommitted edit, which the attempts do not see: said once, in the CLI's words
        warned = [line for line in table.stderr.splitlines() if line.startswith("warning: ")]
        assert len(warned) == 1 and warned[0].endswith("--base working starts it from them")
        assert "UncommittedChangesWarning" not in table.stderr
        nothing_left(repo, env)


def test_keep_prints_each_kept_worktree_beside_its_row(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("claude", tmp_path / "a") as claude:
        repo = make_repo(tmp_path / "repo")
        env = env_of(codex, claude)
        claude_fixes_it(claude, codex)
        done = compare(repo, env, "-p", "codex,claude", "--yes", "--keep", "--check", CHECK, "fix it")
        assert done.returncode == 0, done.stderr
        header, *rows = done.stdout.splitlines()
        assert header.split()[-1] == "worktree"
        kept = {row.split()[0]: row.split()[-1] for row in rows}
        assert set(kept) == {"codex", "claude"} and len(set(kept.values())) == 2
        assert Path(kept["claude"], "fixed.txt").exists() and not Path(kept["codex"], "fixed.txt").exists()
        cleaned = subprocess.run(
            [*COMPARE[:3], "workspaces", "clean"], env=env, capture_output=True, text=True, timeout=60
        )
        assert cleaned.returncode == 0 and set(kept.values()) <= set(cleaned.stdout.split())
        nothing_left(repo, env)


def test_setup_include_and_base_reach_every_attempts_worktree(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("claude", tmp_path / "a") as claude:
        repo = make_repo(tmp_path / "repo")  # README.md has an uncommitted edit of the user's
        (repo / ".gitignore").write_text(".env\nsetup.txt\n")
        (repo / ".env").write_text("TOKEN=local\n")
        env = env_of(codex, claude)
        codex.fake.script(text("looked"))
        claude.fake.script(text("looked"))
        check = (
            'grep -q "TOKEN=local" .env && grep -q "the user\'s own edit" README.md'
            ' && test "$(cat setup.txt)" = "set up $OAUTHPY_ATTEMPT"'
        )
        done = compare(
            repo,
            env,
            *("-p", "codex,claude", "--yes", "--include", ".env", "--base", "working"),
            *("--setup", 'echo "set up $OAUTHPY_ATTEMPT" > setup.txt', "--check", check, "--json", "look"),
        )
        assert done.returncode == 0, done.stderr
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        assert [(row["index"], row["check"]["passed"], row["changes"]) for row in rows] == [
            (0, True, []),
            (1, True, []),
        ], rows
        nothing_left(repo, env)


def test_apply_best_brings_in_the_attempt_whose_check_passed_and_nothing_else(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("claude", tmp_path / "a") as claude:
        repo = make_repo(tmp_path / "repo")
        env = env_of(codex, claude)
        claude_fixes_it(claude, codex)
        done = compare(repo, env, "-p", "codex,claude", "--yes", "--check", CHECK, "--apply-best", "fix it")
        assert done.returncode == 0, done.stderr
        assert (repo / "fixed.txt").read_text() == "fixed\n" and not (repo / "notes.md").exists()
        assert (repo / "README.md").read_text() == "hello\nthe user's own edit\n"  # still the user's
        assert f"applied claude's changes to {repo}" in done.stderr
        nothing_left(repo, env)


def test_apply_best_applies_nothing_when_no_check_passed(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("claude", tmp_path / "a") as claude:
        repo = make_repo(tmp_path / "repo")
        env = env_of(codex, claude)
        codex.fake.script(write_file("notes.md", "# notes\n"), text("wrote notes"))
        claude.fake.script(text("could not fix it"))
        done = compare(repo, env, "-p", "codex,claude", "--yes", "--check", CHECK, "--apply-best", "fix it")
        assert done.returncode == 1, done.stderr
        assert "error: no attempt passed its check: nothing applied" in done.stderr
        assert git(repo, "status", "--porcelain") == " M README.md\n"  # as the user left it
        nothing_left(repo, env)

        no_check = compare(repo, env, "-p", "codex,claude", "--yes", "--apply-best", "fix it")
        assert (
            no_check.returncode == 2
            and "--apply-best applies the attempt whose --check passed" in no_check.stderr
        )
        assert len(codex.model_bodies()) == 2  # the first compare's: nothing started for the second


def test_ctrl_c_keeps_the_finished_attempts_rows_and_leaves_nothing(tmp_path: Path):
    opened = threading.Event()
    with open_rig("codex", tmp_path / "c") as codex, open_rig("gemini", tmp_path / "g") as gemini:
        repo = make_repo(tmp_path / "repo")
        env = env_of(gemini, codex)
        codex.fake.script(write_file("by-codex.txt", "x\n"), text("done early"))
        gemini.fake.script(Gate(opened, text("late")))
        proc = subprocess.Popen(
            [*COMPARE, "-p", "codex,gemini", "--yes", "--check", "test -f by-codex.txt", "go"],
            cwd=repo,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        said: queue.Queue[str] = queue.Queue()
        assert proc.stderr is not None
        reader = threading.Thread(target=lambda: [said.put(line) for line in proc.stderr], daemon=True)  # type: ignore[union-attr]
        reader.start()
        try:
            while "codex: finished, check passed" not in said.get(timeout=120):
                pass
            gemini.fake.wait_for_model_request()  # gemini is mid-run
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=60) == 130
        finally:
            opened.set()
            if proc.poll() is None:
                proc.kill()
            out = proc.stdout.read() if proc.stdout else ""
            reader.join(timeout=30)
        lines = out.splitlines()
        assert lines[0].split()[:3] == ["agent", "status", "check"]
        assert [line.split()[:3] for line in lines[1:]] == [["codex", "ok", "passed"]]
        left = []
        while not said.empty():
            left.append(said.get())
        assert "error: interrupted\n" in left
        nothing_left(repo, env)


@contextlib.contextmanager
def compare_in_its_check(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, dict[str, str]]]:
    """``oauthpy compare -p codex --check CMD`` whose check has started in the attempt's worktree
    and waits on a FIFO the test never writes; let go of at the end if it still waits."""
    ready, hold = tmp_path / "ready", tmp_path / "hold"
    os.mkfifo(ready)
    os.mkfifo(hold)
    with open_rig("codex", tmp_path / "c") as codex:
        repo = make_repo(tmp_path / "repo")
        env = env_of(codex)
        codex.fake.script(write_file("by-codex.txt", "x\n"), text("done"))
        check = f"echo started > {ready}; read line < {hold}"
        proc = subprocess.Popen(
            [*COMPARE, "-p", "codex", "--yes", "--check", check, "go"],
            cwd=repo,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        said: queue.Queue[str] = queue.Queue()
        # opening a FIFO waits for its writer: in a thread, so that the wait is bounded
        waiter = threading.Thread(target=lambda: said.put(ready.read_text()), daemon=True)
        waiter.start()
        try:
            assert said.get(timeout=120) == "started\n"  # the check runs in the attempt's worktree
            yield proc, repo, env
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=60)
            with contextlib.suppress(OSError):  # a check still reading (its compare was killed)
                os.close(os.open(hold, os.O_WRONLY | os.O_NONBLOCK))  # sees its end of file


def test_ctrl_c_during_a_check_stops_it_and_removes_its_worktree(tmp_path: Path):
    with compare_in_its_check(tmp_path) as (proc, repo, env):
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130
        assert out.splitlines()[1:] == []  # no attempt finished: the header alone
        assert "error: interrupted" in err
    nothing_left(repo, env)  # the check's shell and its `read` too: they carry the marker


def test_a_compare_killed_during_a_check_leaves_its_worktree_as_a_crash_leaves_one(tmp_path: Path):
    """SIGKILL, no chance to clean up, while an attempt's check runs: the worktree kept for the
    check is one a crash left (`oauthpy workspaces list` says so, and the next worktree's start
    removes it), not one the user asked to keep."""
    with compare_in_its_check(tmp_path) as (proc, repo, env):
        proc.kill()
        proc.communicate(timeout=60)
    [(path, how)] = listed()
    assert how == "left by a crash" and os.path.isdir(path)
    assert prune_stale() == [path]
    nothing_left(repo, env)
