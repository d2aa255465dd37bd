"""A worktree's environment through the real CLIs against the fakes: the ignored ``.env`` that
``.worktreeinclude`` names, what ``setup`` wrote and (``base="working"``) the user's uncommitted
edit are all in the worktree when the agent's command runs, and none of them is in ``changes``;
a failing ``setup`` ends the run with `SetupError` before the agent sends anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import SetupError
from oauthpy.testing import text
from tests.features.test_workspaces import only_the_users_tree
from tests.git_repos import git, make_repo
from tests.support import assert_no_leftovers, open_rig, shell_step

ALLOW = {"on_permission": lambda request: True}
AGENTS = ["codex", "claude", "gemini"]


def with_env_file(repo: Path) -> None:
    """The user's repository: ``.env`` ignored and named in ``.worktreeinclude``."""
    (repo / ".gitignore").write_text(".env\n")
    (repo / ".worktreeinclude").write_text(".env\n")
    git(repo, "add", ".gitignore", ".worktreeinclude")
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "env")
    (repo / ".env").write_text("DATABASE_URL=sqlite:///included.db\n")


@pytest.mark.parametrize("agent", AGENTS)
def test_the_included_env_the_setups_file_and_the_users_edit_are_there_when_the_agents_command_runs(
    agent: str, tmp_path: Path
):
    with open_rig(agent, tmp_path / "rig") as rig:
        repo = make_repo(rig.work)  # README.md has the user's uncommitted edit
        with_env_file(repo)
        # `pwd` first: where the command ran, said by the failure below
        rig.fake.script(shell_step(agent, "pwd; cat .env ready.txt README.md"), text("read them"))
        result = rig.run(
            "read",
            workspace="worktree",
            base="working",
            setup='echo "set up as attempt $OAUTHPY_ATTEMPT" > ready.txt',
            **ALLOW,
        )
        assert result.text == "read them"
        seen = rig.model_bodies()[-1]  # the command's output, sent back to the model
        assert "DATABASE_URL=sqlite:///included.db" in seen, "the .env was not in the worktree"
        shown = seen[max(seen.find("DATABASE_URL") - 400, 0) :][:800]  # the command and its output
        assert "set up as attempt 0" in seen, f"setup had not run when the agent's command did: {shown}"
        assert "the user's own edit" in seen, "base='working' did not bring the uncommitted edit"
        # copied, set up and the user's: the worktree's start, none of them the agent's change
        assert result.changes == () and result.diff == ""
        assert not (repo / "ready.txt").exists()
        assert only_the_users_tree(repo)
        assert_no_leftovers(rig.env)


@pytest.mark.parametrize("agent", AGENTS)
def test_a_failing_setup_is_a_setup_error_and_the_agent_sends_no_request(agent: str, tmp_path: Path):
    with open_rig(agent, tmp_path / "rig") as rig:
        repo = make_repo(rig.work)
        git(repo, "checkout", "-q", "README.md")  # a clean tree: nothing to warn of
        rig.fake.script(text("never asked"))
        with pytest.raises(SetupError, match="failed with exit code 7") as caught:
            rig.run("hi", workspace="worktree", setup="echo 'npm ERR! missing script'; exit 7", **ALLOW)
        assert caught.value.exit_code == 7 and "npm ERR! missing script" in caught.value.output
        assert rig.fake.requests == [], "the agent started"
        assert only_the_users_tree(repo)
        assert_no_leftovers(rig.env)
