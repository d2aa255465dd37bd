"""``workspace="worktree"`` and ``oauthpy compare`` with the real CLIs against the fakes: what
an agent changes is in ``changes``/``diff``, never in the user's tree, and no worktree is left."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from oauthpy import Client, OauthPyError
from oauthpy._workspace import home
from oauthpy.testing import Gate, shell, text, write_file
from oauthpy.testing.processes import MARKER_VAR
from tests.git_repos import USERS_EDIT_WARNED, git, make_repo
from tests.support import COMPARE, Rig, assert_no_leftovers, batch, open_rig

pytestmark = USERS_EDIT_WARNED

ALLOW = {"on_permission": lambda request: True}


def only_the_users_tree(repo: Path) -> bool:
    """``git worktree list`` shows the user's tree alone, and oauthpy keeps no worktree."""
    listed = git(repo, "worktree", "list", "--porcelain")
    left = os.listdir(home()) if os.path.isdir(home()) else []
    return listed.count("worktree ") == 1 and not left


@pytest.mark.parametrize("agent", ["codex", "claude", "gemini"])
def test_what_the_agent_writes_is_in_changes_and_diff_not_in_the_users_tree(agent: str, tmp_path: Path):
    with open_rig(agent, tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        rig.fake.script(
            write_file("notes.txt", "a note\n"), write_file("src/app.py", "print('new')\n"), text("done")
        )
        result = rig.run("write", workspace="worktree", provider_options=rig.write_options, **ALLOW)
        assert result.text == "done"
        assert {(c.path, c.status) for c in result.changes} == {
            ("notes.txt", "added"),
            ("src/app.py", "modified"),
        }
        assert "+a note" in result.diff and "-print('app')" in result.diff and "+print('new')" in result.diff
        assert not (repo / "notes.txt").exists() and (repo / "src" / "app.py").read_text() == "print('app')\n"
        assert (repo / "README.md").read_text() == "hello\nthe user's own edit\n"
        assert git(repo, "status", "--porcelain") == " M README.md\n"  # the user's index untouched
        assert only_the_users_tree(repo) and result.workspace is None
        assert_no_leftovers(rig.env)


def test_without_oauthpy_home_a_small_worktree_is_made_in_memory_and_leaves_nothing_there(
    memory: Path, tmp_path: Path
):
    # claude: codex's sandbox cannot see a worktree in memory (the next test)
    with open_rig("claude", tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        rig.fake.script(write_file("notes.txt", "a note\n"), text("done"))
        result = rig.run("write", workspace="worktree", **ALLOW)
        assert [(c.path, c.status) for c in result.changes] == [("notes.txt", "added")]
        # claude was told its working folder: a worktree in the memory folder
        assert f"{memory}/oauthpy-worktrees-{os.getuid()}/{repo.name}-" in rig.model_bodies()[0]
        assert os.listdir(memory / f"oauthpy-worktrees-{os.getuid()}") == []
        assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
        assert not (repo / "notes.txt").exists()


def test_codex_gets_its_worktree_on_disk_where_a_small_one_would_go_to_memory(memory: Path, tmp_path: Path):
    """Whatever this machine's /dev/shm: with a memory folder that fits, codex's worktree still
    goes to disk (its sandbox mounts a /dev of its own)."""
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        rig.fake.script(text("done"))
        assert rig.run("hi", workspace="worktree").text == "done"
        first = rig.model_bodies()[0]
        assert f"{home()}/{repo.name}-" in first and str(memory) not in first
        assert only_the_users_tree(repo)


def test_claude_with_bubblewrap_on_its_path_gets_its_worktree_on_disk(memory: Path, tmp_path: Path):
    """Claude's own sandbox (off unless its settings turn it on) runs bubblewrap with a fresh
    /dev, as codex's does: where it could run, a worktree in memory would not exist for it."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "bwrap").write_text("#!/bin/sh\nexit 1\n")
    (tools / "bwrap").chmod(0o755)
    with open_rig("claude", tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        rig.fake.script(text("done"))
        path = f"{tools}:{os.environ['PATH']}"
        result = rig.run("hi", workspace="worktree", env={"PATH": path}, **ALLOW)
        assert result.text == "done"
        first = rig.model_bodies()[0]
        assert f"{home()}/{repo.name}-" in first and str(memory) not in first


@pytest.mark.parametrize(
    ("agent", "transport", "asking"),
    [
        ("codex", "app-server", False),
        ("codex", "app-server", True),
        ("codex", "exec", False),
        ("claude", None, True),
    ],
)
def test_at_its_default_place_the_agents_commands_run_inside_the_worktree(
    agent: str, transport: str | None, asking: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """No stand-in folder: where a worktree goes by default (/dev/shm when it fits). codex's
    sandbox mounts a /dev of its own, where such a worktree does not exist: its commands ran in
    $HOME (round 5, issue 50 item 1)."""
    import tempfile

    monkeypatch.delenv("OAUTHPY_HOME")
    # the disk's worktree folder of this test alone (it is shared by every process of the user)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    with open_rig(agent, tmp_path / "rig") as rig:
        make_repo(rig.work)
        rig.fake.script(shell("cat src/app.py && ls"), text("done"))
        client = Client(agent, auth_source="external", env=rig.env, transport=transport)
        kw = ALLOW if asking else {}
        result = client.run("read", cwd=rig.work, model=rig.model, workspace="worktree", timeout=60, **kw)
        assert result.text == "done"
        last = rig.model_bodies()[-1]
        assert "print('app')" in last and "README.md" in last, "the command did not run in the worktree"
        assert only_the_users_tree(rig.work)


def test_an_agent_that_rewrites_the_worktrees_dot_git_fails_the_run_and_runs_nothing_of_its_own(
    tmp_path: Path,
):
    """Round 5, T1: the agent may write its worktree's .git file; oauthpy's own git calls never
    follow it (to a git dir whose config runs a program, or to the user's index)."""
    pwned = tmp_path / "PWNED"
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        git(repo, "add", "README.md")  # the user's staged change: their index must stay as it is
        config = f"[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = touch {pwned}\n"
        rig.fake.script(
            write_file(".evil/HEAD", "ref: refs/heads/main\n"),
            write_file(".evil/config", config),
            write_file(".evil/objects/info/keep", ""),
            write_file(".evil/refs/heads/keep", ""),
            write_file(".git", "gitdir: .evil\n"),
            text("done"),
        )
        with pytest.raises(OauthPyError, match=r"changed or removed the worktree's \.git file"):
            rig.run("write", workspace="worktree", provider_options=rig.write_options, **ALLOW)
        assert not pwned.exists()
        assert git(repo, "status", "--porcelain") == "M  README.md\n"
        assert only_the_users_tree(repo)
        assert_no_leftovers(rig.env)


def test_two_runs_at_once_on_one_repository_keep_their_changes_apart(tmp_path: Path):
    opened = threading.Event()
    repo = make_repo(tmp_path / "repo")
    with open_rig("codex", tmp_path / "a") as a, open_rig("codex", tmp_path / "b") as b:
        a.fake.script(write_file("first.txt", "1\n"), Gate(opened, text("one")))
        b.fake.script(write_file("second.txt", "2\n"), Gate(opened, text("two")))

        async def run(rig: Rig) -> object:
            client = Client("codex", auth_source="external", env=rig.env)
            kw = {"cwd": repo, "workspace": "worktree", "provider_options": rig.write_options, **ALLOW}
            return await client.arun("write", timeout=60, **kw)

        async def main() -> list[object]:
            runs = [asyncio.ensure_future(run(a)), asyncio.ensure_future(run(b))]
            # both have written and wait for their last answer: two worktrees at once
            await asyncio.to_thread(a.fake.wait_for_model_requests, 2)
            await asyncio.to_thread(b.fake.wait_for_model_requests, 2)
            opened.set()
            return list(await asyncio.gather(*runs))

        first, second = asyncio.run(main())
        assert [c.path for c in first.changes] == ["first.txt"]  # type: ignore[attr-defined]
        assert [c.path for c in second.changes] == ["second.txt"]  # type: ignore[attr-defined]
        assert only_the_users_tree(repo)


def test_a_session_shares_one_worktree_and_keep_then_apply_and_clean(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        git(repo, "checkout", "-q", "README.md")  # a clean tree, for apply
        rig.fake.script(write_file("a.txt", "a\n"), text("one"), write_file("b.txt", "b\n"), text("two"))
        client = Client("codex", auth_source="external", env=rig.env)
        kw = {
            "cwd": repo,
            "workspace": "worktree",
            "keep_workspace": True,
            "provider_options": rig.write_options,
        }
        with client.session(**kw, **ALLOW) as chat:
            chat.run("first")
            second = chat.run("second")
        assert [c.path for c in second.changes] == ["a.txt", "b.txt"]  # the turns share one tree
        assert chat.workspace is not None and Path(chat.workspace, "b.txt").exists()
        second.apply()
        assert (repo / "a.txt").read_text() == "a\n" and (repo / "b.txt").read_text() == "b\n"
        with pytest.raises(Exception, match="do not apply cleanly"):
            second.apply()  # the files are there now: refused, nothing changed
        done = subprocess.run(
            [sys.executable, "-m", "oauthpy.cli", "workspaces", "clean"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **rig.env},
        )
        assert done.returncode == 0 and chat.workspace in done.stdout
        assert only_the_users_tree(repo)


def compare_env(codex: Rig, gemini: Rig) -> dict[str, str]:
    """One environment for both agents (their state apart; one marker for every process)."""
    return {**os.environ, **gemini.env, **codex.env}


def test_compare_gives_each_agent_its_own_changes_as_json_and_as_a_table(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, open_rig("gemini", tmp_path / "g") as gemini:
        repo = make_repo(tmp_path / "repo")
        for rig, name in ((codex, "by-codex.txt"), (gemini, "by-gemini.txt")):
            rig.fake.script(write_file(name, "x\n"), text(f"wrote {name}"))

        cmd = [*COMPARE, "-p", "codex,gemini"]

        def compare(*args: str) -> subprocess.CompletedProcess[str]:
            env = compare_env(codex, gemini)
            return subprocess.run(
                [*cmd, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=180
            )

        done = compare("--json", "--yes", "--out", str(tmp_path / "out"), "write a file")
        assert done.returncode == 0, done.stderr
        rows = {row["provider"]: row for row in map(json.loads, done.stdout.splitlines())}
        assert [c["path"] for c in rows["codex"]["changes"]] == ["by-codex.txt"]
        assert [c["path"] for c in rows["gemini"]["changes"]] == ["by-gemini.txt"]
        assert rows["gemini"]["error"] is None and rows["gemini"]["duration_s"] > 0
        assert "+x" in (tmp_path / "out" / "codex.diff").read_text()
        assert only_the_users_tree(repo) and not (repo / "by-codex.txt").exists()

        for rig in (codex, gemini):
            rig.fake.script(text("nothing to do"))
        table = compare("--yes", "look")
        assert table.returncode == 0, table.stderr
        lines = table.stdout.splitlines()
        assert lines[0].split() == ["agent", "status", "check", "time", "files", "+/-", "cost", "answer"]
        assert [line.split()[:2] for line in lines[1:]] == [["codex", "ok"], ["gemini", "ok"]]


def test_ctrl_c_during_compare_stops_every_agent_and_leaves_no_worktree(tmp_path: Path):
    opened = threading.Event()
    with open_rig("codex", tmp_path / "c") as codex, open_rig("gemini", tmp_path / "g") as gemini:
        repo = make_repo(tmp_path / "repo")
        for rig in (codex, gemini):
            rig.fake.script(Gate(opened, text("late")))
        proc = subprocess.Popen(
            [*COMPARE, "-p", "codex,gemini", "go"],
            cwd=repo,
            env=compare_env(codex, gemini),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            codex.fake.wait_for_model_request()
            gemini.fake.wait_for_model_request()  # both agents are mid-run
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=60) == 130
        finally:
            opened.set()
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=60)
        assert_no_leftovers({MARKER_VAR: codex.env[MARKER_VAR]}, within_s=5.0)
        assert only_the_users_tree(repo)


def test_a_batch_runs_each_item_in_its_own_worktree(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        rig.fake.script(write_file("one.txt", "1\n"), text("a"), write_file("two.txt", "2\n"), text("b"))
        items = tmp_path / "items.jsonl"
        items.write_text('{"id": "a", "prompt": "one"}\n{"id": "b", "prompt": "two"}\n')
        out = tmp_path / "out.jsonl"
        config = Path(rig.env["CODEX_HOME"]) / "config.toml"  # a CLI batch asks no one: codex may write
        config.write_text('sandbox_mode = "workspace-write"\n' + config.read_text())
        done = batch(
            "codex",
            rig.env,
            str(items),
            "-o",
            str(out),
            "-j",
            "1",
            "--workspace",
            "worktree",
            "--cwd",
            str(repo),
        )
        assert done.returncode == 0, done.stderr
        lines = {line["id"]: line for line in map(json.loads, out.read_text().splitlines())}
        assert [c["path"] for c in lines["a"]["changes"]] == ["one.txt"] and "+1" in lines["a"]["diff"]
        assert [c["path"] for c in lines["b"]["changes"]] == ["two.txt"]
        assert only_the_users_tree(repo)


def test_a_batchs_worktrees_get_the_ignored_files_and_the_setup_compare_gives_them(tmp_path: Path):
    """``oauthpy batch --workspace worktree --include .env --setup CMD``: each item's worktree has
    the ignored file, then the setup runs in it, before its agent; the uncommitted-changes warning
    is one line in the command's words. Without ``--workspace`` the flags are refused at once."""
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        (repo / ".gitignore").write_text(".env\n")
        git(repo, "add", ".gitignore")
        git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "ignore .env")
        (repo / ".env").write_text("KEY=local\n")
        items = tmp_path / "items.jsonl"
        items.write_text('{"id": "a", "prompt": "one"}\n{"id": "b", "prompt": "two"}\n')
        out, log = tmp_path / "out.jsonl", tmp_path / "setup.log"
        setup = f"test -f .env && pwd >> {log}"
        args = [
            str(items),
            "-o",
            str(out),
            "-j",
            "2",
            "--cwd",
            str(repo),
            "--setup",
            setup,
            "--include",
            ".env",
        ]

        refused = batch("codex", rig.env, *args)
        assert refused.returncode == 2, refused.stderr
        assert "prepares a worktree: it needs --workspace worktree" in refused.stderr
        assert not out.exists() and not log.exists()

        done = batch("codex", rig.env, *args, "--workspace", "worktree")
        assert done.returncode == 0, done.stderr
        assert [json.loads(line)["ok"] for line in out.read_text().splitlines()] == [True, True]
        folders = log.read_text().splitlines()  # the setup found .env in each item's worktree
        assert len(set(folders)) == 2 and str(repo) not in folders, folders
        warned = [line for line in done.stderr.splitlines() if "uncommitted changes" in line]
        assert len(warned) == 1 and warned[0].startswith("warning: ") and "--base working" in warned[0]
        assert only_the_users_tree(repo)
        assert_no_leftovers(rig.env)


def test_workspaces_list_and_clean_see_a_worktree_kept_by_an_offline_run(tmp_path: Path):
    """Issue 50 item 2: an OAUTHPY_OFFLINE run keeps its worktrees under its own OAUTHPY_HOME;
    the workspaces command found none there. With none, each says so."""
    repo = make_repo(tmp_path / "repo")
    env = {**os.environ, "OAUTHPY_HOME": str(tmp_path / "oauthpy-home")}

    def cli(*args: str, **more: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "oauthpy.cli", *args],
            env={**env, **more},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert cli("workspaces", "list") == "no worktree kept or left by a crash\n"
    keep = (
        "from oauthpy import Client; import sys; "
        "r = Client('codex').run('hi', cwd=sys.argv[1], workspace='worktree', keep_workspace=True, "
        "timeout=60); print(r.workspace)"
    )
    done = subprocess.run(
        [sys.executable, "-c", keep, str(repo)],
        env={**env, "OAUTHPY_OFFLINE": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    kept = done.stdout.strip().splitlines()[-1]
    assert os.path.isdir(kept)
    assert cli("workspaces", "list") == f"{kept}  (kept)\n"
    assert cli("workspaces") == f"{kept}  (kept)\n"  # list is what it does unless told to clean
    assert cli("workspaces", "list", OAUTHPY_OFFLINE="1") == f"{kept}  (kept)\n"
    assert cli("workspaces", "clean") == f"removed {kept}\n"
    assert not os.path.exists(kept)
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert cli("workspaces", "clean") == "no worktree to remove\n"
