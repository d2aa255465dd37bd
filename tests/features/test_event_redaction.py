"""A secret in what an agent does (its command) never reaches ``oauthpy compare``'s progress
lines nor the MCP server's progress notifications: both come from the one describer, which
redacts before it escapes and cuts. The real codex against its fake."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from oauthpy.testing import shell, text
from tests.git_repos import make_repo
from tests.mcp_client import McpClient
from tests.support import COMPARE, open_rig

KEY = "sk-proj-" + "a1B2c3D4" * 5
#: the command starts the key 16 characters before a progress line's end (120): cut before it is
#: redacted, "sk-proj-a1B2c3D4" is left, too short to look like a key, and shown
COMMAND = "echo " + "x" * (120 - len("running: echo ") - 1 - 16) + " " + KEY


def assert_no_part_of_the_key(shown: str) -> None:
    assert KEY[:16] not in shown and "a1B2c3D4" not in shown


def test_a_secret_in_a_command_is_redacted_in_the_compare_progress_lines(tmp_path: Path):
    with open_rig("codex", tmp_path / "rig") as rig:
        repo = make_repo(tmp_path / "repo")
        rig.fake.script(shell(COMMAND), text("ran it"))
        done = subprocess.run(
            [*COMPARE, "-p", "codex", "--yes", "go"],
            cwd=repo,
            env={**os.environ, **rig.env, "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        assert "codex: running: echo xxx" in done.stderr  # the progress line is there
        assert_no_part_of_the_key(done.stdout + done.stderr)


def test_a_secret_in_a_command_is_redacted_in_the_mcp_progress_notifications(tmp_path: Path):
    with open_rig("codex", tmp_path) as rig:
        argv = ["--agent", "codex", "--source", "external", "--cwd", str(rig.work), "--allow", "all"]
        with McpClient(argv, rig.env) as mcp:
            rig.fake.script(shell(COMMAND), text("ran it"))
            result = mcp.call("codex", {"prompt": "go"}, progress="p")
            assert not result["isError"], result
            messages = [p.get("message") or "" for p in mcp.progress("p")]
            assert any(m.startswith("running: echo xxx") for m in messages), messages
            assert_no_part_of_the_key("\n".join(messages))
