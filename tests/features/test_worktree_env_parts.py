"""A worktree's environment, part by part, with no vendor CLI: ``.worktreeinclude``/``include``
copy only the ignored files they match (never through a link that leaves the repository, never
into ``changes``), ``base="working"`` starts from the user's uncommitted work without touching
their index, a dirty tree warns, ``setup`` runs before the agent and its failure or timeout is a
`SetupError` with the agent never started, and bad values are refused before anything starts."""

from __future__ import annotations

import hashlib
import os
import pickle
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client, InvalidOptionsError, OauthPyError, SetupError, UncommittedChangesWarning
from oauthpy._options import build_request
from oauthpy._workspace import Worktree, apply, home, plan
from oauthpy._worktree_env import attempt
from oauthpy.testing.processes import new_marker
from tests.git_repos import git, make_repo
from tests.support import assert_no_leftovers

pytestmark = pytest.mark.fast

MakeClient = Callable[..., Client]


def commit(repo: Path, *paths: str) -> None:
    git(repo, "add", *paths)
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "more")


def clean_repo(repo: Path) -> Path:
    make_repo(repo)
    git(repo, "checkout", "-q", "README.md")
    return repo


def made(repo: Path, **options: Any) -> Worktree:
    planned = plan("worktree", str(repo), **options)
    assert planned is not None
    return Worktree.create(planned)


def no_worktree_left(repo: Path) -> bool:
    left = os.listdir(home()) if os.path.isdir(home()) else []
    return git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1 and not left


# -- include -----------------------------------------------------------------------------------


def test_worktreeinclude_and_include_copy_the_ignored_files_they_match_and_nothing_else(tmp_path: Path):
    repo = clean_repo(tmp_path / "repo")
    (repo / ".gitignore").write_text(".env\nbuild/\nconfig/local.yml\n*.log\n")
    (repo / ".worktreeinclude").write_text("# the secrets the tests need\n.env\n")
    commit(repo, ".gitignore", ".worktreeinclude")
    (repo / ".env").write_text("API_URL=http://localhost\n")
    (repo / ".env").chmod(0o600)
    (repo / "config").mkdir()
    (repo / "config" / "local.yml").write_text("debug: true\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.bin").write_bytes(b"\0built")
    (repo / "debug.log").write_text("log\n")
    (repo / "notes.txt").write_text("untracked, not ignored\n")
    with pytest.warns(UncommittedChangesWarning):  # notes.txt
        tree = made(repo, include=["config/local.yml", "notes.txt", "README.md"])
    try:
        root = Path(tree.path)
        assert (root / ".env").read_text() == "API_URL=http://localhost\n"
        assert (root / ".env").stat().st_mode & 0o777 == 0o600  # a secret stays private
        assert (root / "config" / "local.yml").read_text() == "debug: true\n"
        # ignored but not named; named but not ignored; tracked (never duplicated)
        assert not (root / "build").exists() and not (root / "debug.log").exists()
        assert not (root / "notes.txt").exists()
        assert sorted(tree.copied) == [".env", "config/local.yml"]
        assert tree.changes() == ((), "")
    finally:
        tree.remove()
    assert no_worktree_left(repo)


def test_copied_files_are_never_in_changes_even_where_the_worktree_does_not_ignore_them(tmp_path: Path):
    repo = clean_repo(tmp_path / "repo")
    # the user's own .gitignore change, not committed: HEAD's worktree does not ignore .env
    (repo / ".gitignore").write_text(".env\n")
    (repo / ".env").write_text("TOKEN=abc\n")
    with pytest.warns(UncommittedChangesWarning):
        tree = made(repo, include=[".env"])
    try:
        root = Path(tree.path)
        assert (root / ".env").read_text() == "TOKEN=abc\n"
        (root / "new.txt").write_text("the agent's\n")
        git(root, "add", "-f", ".env")  # an agent that stages it on purpose
        changes, diff = tree.changes()
        assert [(c.path, c.status) for c in changes] == [("new.txt", "added")]
        assert "TOKEN" not in diff
    finally:
        tree.remove()


def test_a_link_that_points_outside_the_repository_is_not_copied_nor_followed(tmp_path: Path):
    outside = tmp_path / "outside.txt"
    outside.write_text("SECRET OUTSIDE\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo = clean_repo(tmp_path / "repo")
    (repo / ".gitignore").write_text("*.env\n")
    (repo / ".worktreeinclude").write_text("*.env\n")
    (repo / "settings.txt").write_text("inside\n")
    (repo / "conf").symlink_to(elsewhere)  # a tracked link to a folder outside
    commit(repo, ".gitignore", ".worktreeinclude", "settings.txt", "conf")
    (repo / "absolute.env").symlink_to(outside)
    (repo / "up.env").symlink_to("../outside.txt")
    (repo / "inside.env").symlink_to(repo / "settings.txt")  # absolute: it names the user's tree
    (repo / "local.env").symlink_to("settings.txt")
    # the user replaced the tracked link by a folder: in HEAD's worktree, conf/ leads outside
    git(repo, "rm", "-q", "conf")
    (repo / "conf").mkdir()
    (repo / "conf" / "db.env").write_text("DB=1\n")
    with pytest.warns(UncommittedChangesWarning):
        tree = made(repo)
    try:
        root = Path(tree.path)
        for name in ("absolute.env", "up.env", "inside.env"):
            assert not os.path.lexists(root / name), name
        assert os.readlink(root / "local.env") == "settings.txt"  # stays inside: the worktree's own
        assert (root / "local.env").read_text() == "inside\n"
        assert not (elsewhere / "db.env").exists() and os.listdir(elsewhere) == []
        assert tree.copied == ("local.env",)
    finally:
        tree.remove()
    assert outside.read_text() == "SECRET OUTSIDE\n"


# -- base ----------------------------------------------------------------------------------------


def index_state(repo: Path) -> tuple[str, str, str]:
    index = (repo / ".git" / "index").read_bytes()
    return git(repo, "status", "--porcelain"), git(repo, "ls-files", "-s"), hashlib.sha256(index).hexdigest()


def test_base_working_starts_from_the_users_uncommitted_work_and_counts_only_the_agents_changes(
    tmp_path: Path,
):
    repo = clean_repo(tmp_path / "repo")
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "old.txt").write_text("old\n")
    commit(repo, ".gitignore", "old.txt")
    (repo / "README.md").write_text("hello\nthe user's own edit\n")  # not staged
    (repo / "src" / "app.py").write_text("print('staged')\n")
    git(repo, "add", "src/app.py")  # staged
    (repo / "old.txt").unlink()
    (repo / "new.txt").write_text("untracked\n")
    (repo / "junk.log").write_text("ignored\n")
    before = index_state(repo)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UncommittedChangesWarning)  # base="working" has nothing to warn of
        tree = made(repo, base="working")
    try:
        root = Path(tree.path)
        assert (root / "README.md").read_text() == "hello\nthe user's own edit\n"
        assert (root / "src" / "app.py").read_text() == "print('staged')\n"
        assert (root / "new.txt").read_text() == "untracked\n"
        assert not (root / "old.txt").exists() and not (root / "junk.log").exists()
        assert tree.changes() == ((), "")  # the user's work is the start, not a change
        (root / "README.md").write_text("hello\nthe user's own edit\nthe agent's line\n")
        (root / "agent.txt").write_text("made\n")
        changes, diff = tree.changes()
        assert [(c.path, c.status) for c in changes] == [("README.md", "modified"), ("agent.txt", "added")]
        assert "+the agent's line" in diff and "+the user's own edit" not in diff and "staged" not in diff
    finally:
        tree.remove()
    assert index_state(repo) == before  # the user's index never written
    apply(str(repo), diff)  # onto the user's tree as it is, uncommitted work included
    assert (repo / "README.md").read_text() == "hello\nthe user's own edit\nthe agent's line\n"
    assert no_worktree_left(repo)


def test_a_dirty_tree_warns_with_base_head_and_a_clean_one_does_not(tmp_path: Path):
    dirty = make_repo(tmp_path / "dirty")
    with pytest.warns(UncommittedChangesWarning, match="uncommitted changes.*base='working'") as caught:
        plan("worktree", str(dirty))
    assert caught[0].filename == __file__  # it points at the caller, not into oauthpy
    untracked = clean_repo(tmp_path / "untracked")
    (untracked / "new.txt").write_text("new\n")
    with pytest.warns(UncommittedChangesWarning):
        plan("worktree", str(untracked), base="head")
    clean = clean_repo(tmp_path / "clean")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan("worktree", str(clean))


# -- setup ---------------------------------------------------------------------------------------


def test_a_failing_setup_is_a_setup_error_with_its_output_and_the_agent_never_starts(
    tripwire_client: MakeClient, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    _, fired = tripwire
    repo = clean_repo(tmp_path / "repo")
    token = "tok-4f9d8a7e6b5c4d3e2f1a0b9c"
    client = tripwire_client("codex")
    with pytest.raises(SetupError) as caught:
        client.run(
            "hi",
            cwd=repo,
            workspace="worktree",
            setup='echo preparing; echo "$MY_API_TOKEN" >&2; exit 3',
            env={"MY_API_TOKEN": token},
        )
    err = caught.value
    assert isinstance(err, OauthPyError) and err.exit_code == 3 and not err.timed_out
    assert "preparing" in err.output and "exit code 3" in str(err)
    assert token not in str(err) and token not in err.output and "[REDACTED]" in err.output
    assert not fired.exists()
    assert no_worktree_left(repo)
    again = pickle.loads(pickle.dumps(err))
    assert (again.exit_code, again.output, str(again)) == (err.exit_code, err.output, str(err))


def test_a_setup_that_runs_out_of_time_is_stopped_with_what_it_started(
    tripwire_client: MakeClient, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    _, fired = tripwire
    repo = clean_repo(tmp_path / "repo")
    marker = new_marker()
    client = tripwire_client("codex", env=marker)
    with pytest.raises(SetupError, match=r"did not finish in 0\.5 s") as caught:
        client.run(
            "hi", cwd=repo, workspace="worktree", setup="sleep 60 & echo started; wait", setup_timeout=0.5
        )
    assert caught.value.timed_out and caught.value.exit_code is None
    assert "started" in caught.value.output
    assert not fired.exists()
    assert_no_leftovers(marker)  # the shell and the sleep it left in the background
    assert no_worktree_left(repo)


def test_what_a_setup_leaves_running_is_stopped_and_does_not_hold_the_run(
    tripwire_client: MakeClient, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    _, fired = tripwire
    repo = clean_repo(tmp_path / "repo")
    marker = new_marker()
    client = tripwire_client("codex", env=marker)
    # the sleep holds the output open: a wait for its end would last until setup_timeout
    with pytest.raises(OauthPyError) as caught:
        client.run("hi", cwd=repo, workspace="worktree", setup="sleep 600 & echo started", setup_timeout=300)
    assert not isinstance(caught.value, SetupError) and fired.exists()  # the agent ran after it
    assert_no_leftovers(marker)
    assert no_worktree_left(repo)


def test_setup_runs_in_the_worktree_before_the_agent_with_its_attempt_number(
    tripwire_client: MakeClient, tripwire: tuple[dict[str, str], Path], tmp_path: Path
):
    _, fired = tripwire
    repo = clean_repo(tmp_path / "repo")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "mod.py").write_text("")
    commit(repo, "pkg/mod.py")
    log = tmp_path / "setup.log"
    setup = f'echo "$OAUTHPY_ATTEMPT $PWD $OAUTHPY_WORKTREE $FROM_CLIENT" >> "{log}"'
    client = tripwire_client("codex", env={"FROM_CLIENT": "client-env"})
    kw: dict[str, Any] = {"cwd": repo / "pkg", "workspace": "worktree"}
    first = f'[ -e "{fired}" ] && echo "the agent ran first" > "{tmp_path}/order"; {setup}'
    with pytest.raises(OauthPyError):  # then the agent (the tripwire) starts, and fails
        client.run("hi", setup=first, **kw)
    assert fired.exists() and not (tmp_path / "order").exists()
    with attempt(2), pytest.raises(OauthPyError):  # compare's numbering
        client.run("hi", setup=setup, **kw)
    results = client.map(["a", "b"], concurrency=1, setup=setup, **kw)  # a batch item's number
    assert all(isinstance(r, OauthPyError) and not isinstance(r, SetupError) for r in results)
    lines = log.read_text().splitlines()
    assert sorted(line.split()[0] for line in lines) == ["0", "0", "1", "2"]
    for line in lines:
        _, cwd, worktree, from_client = line.split()
        assert cwd == f"{worktree}/pkg" and worktree.startswith(home()) and from_client == "client-env"
    assert no_worktree_left(repo)


def test_a_setup_error_pickles_with_its_fields():
    err = SetupError("setup failed", exit_code=2, output="npm ERR! missing", timed_out=False)
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, SetupError) and again.exit_code == 2 and again.output == "npm ERR! missing"


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"base": "main"}, "base must be 'head' or 'working'"),
        ({"include": ".env"}, "include must be a list of gitignore patterns"),
        ({"include": [".env", 3]}, "include takes gitignore patterns"),
        ({"include": ["a\nb"]}, "include takes gitignore patterns"),
        ({"include": ["   "]}, "include takes gitignore patterns"),
        ({"setup": ""}, "setup must be a shell command"),
        ({"setup": ["npm", "ci"]}, "setup must be a shell command"),
        ({"setup": "echo \0"}, "setup contains a NUL"),
        ({"setup": "true", "setup_timeout": 0}, "setup_timeout must be a positive number"),
        ({"setup": "true", "setup_timeout": "10"}, "setup_timeout must be a number"),
    ],
)
def test_a_bad_worktree_option_is_refused_before_anything_starts(
    options: dict[str, Any],
    says: str,
    tripwire_client: MakeClient,
    tripwire: tuple[dict[str, str], Path],
    tmp_path: Path,
):
    _, fired = tripwire
    repo = clean_repo(tmp_path / "repo")
    with pytest.raises(InvalidOptionsError, match=says):
        tripwire_client("codex").run("hi", cwd=repo, workspace="worktree", **options)
    assert not fired.exists() and no_worktree_left(repo)


@pytest.mark.parametrize(
    "options",
    [{"setup": "npm ci"}, {"base": "working"}, {"include": [".env"]}, {"setup_timeout": 30}],
    ids=["setup", "base", "include", "setup_timeout"],
)
def test_a_worktree_option_without_a_worktree_is_refused(
    options: dict[str, Any],
    tripwire_client: MakeClient,
    tripwire: tuple[dict[str, str], Path],
    tmp_path: Path,
):
    _, fired = tripwire
    name = next(iter(options))
    with pytest.raises(
        InvalidOptionsError, match=rf"^{name}= prepares a worktree: it needs workspace='worktree'"
    ):
        tripwire_client("codex").run("hi", cwd=tmp_path, **options)
    assert not fired.exists()


def test_the_defaults_given_without_a_worktree_change_nothing(tmp_path: Path):
    request = build_request("hi", cwd=tmp_path, base="head", include=[], setup_timeout=600)
    assert request.workspace is None


def test_a_session_sets_its_worktree_up_once_and_a_turn_may_not_change_that(
    tripwire_client: MakeClient, tmp_path: Path
):
    repo = clean_repo(tmp_path / "repo")
    log = tmp_path / "setup.log"
    chat = tripwire_client("codex").session(cwd=repo, workspace="worktree", setup=f"echo set-up >> '{log}'")
    with chat:
        with pytest.raises(TypeError, match="share the worktree it was opened with"):
            chat.run("hi", setup="false")  # type: ignore[call-arg]
        for _ in range(2):  # each turn's agent (the tripwire) fails; the worktree stays
            with pytest.raises(OauthPyError):
                chat.run("hi")
    assert log.read_text() == "set-up\n"
    assert no_worktree_left(repo)
