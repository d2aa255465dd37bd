"""``oauthpy review``'s ``--model`` and ``--command``, as ``oauthpy run`` has them: a model for one
reviewer (``-m AGENT=MODEL``) or all (``-m MODEL``), and any ACP agent as a reviewer (``-p acp
--command``), here the test suite's own agent beside codex, each against its fake."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from oauthpy.testing import FakeChatServer, text
from tests.features.test_review import FINDING, answer, changed_repo
from tests.support import ACP_TEST_AGENT, open_rig

REVIEW = [sys.executable, "-m", "oauthpy.cli", "review", "--source", "external"]
#: a model codex knows, not the one its fake's configuration names
OTHER_MODEL = "gpt-5.6-sol"


def review(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REVIEW, *args],
        cwd=repo,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_a_model_for_one_reviewer_and_an_acp_agent_by_its_command(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex, FakeChatServer() as chat:
        repo = changed_repo(tmp_path / "repo")
        (tmp_path / "acp-home").mkdir()
        env = {**codex.env, **chat.env(tmp_path / "chat"), "ACP_TEST_AGENT_HOME": str(tmp_path / "acp-home")}
        codex.fake.script(answer("codex", {"summary": "one", "findings": [FINDING]}))
        chat.script(text(json.dumps({"summary": "two", "findings": [FINDING]})))
        command = shlex.join(ACP_TEST_AGENT)
        args = ("-p", "codex,acp", "--command", command, "-m", f"codex={OTHER_MODEL}", "--json")
        done = review(repo, env, *args)
        (codex_body,) = [r.body for r in codex.fake.model_requests()]
        chat_requests = chat.model_requests()
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["provider"] == "codex+acp" and shown["errors"] == {}
    assert [f["agents"] for f in shown["findings"]] == [["codex", "acp"]]  # one finding, both agents
    assert codex_body["model"] == OTHER_MODEL and chat_requests
    assert all(r.body.get("model") != OTHER_MODEL for r in chat_requests)  # codex's model only


def test_a_model_for_every_reviewer(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex:
        repo = changed_repo(tmp_path / "repo")
        codex.fake.script(answer("codex", {"summary": "none", "findings": []}))
        done = review(repo, codex.env, "-p", "codex", "-m", OTHER_MODEL)
        (body,) = [r.body for r in codex.fake.model_requests()]
    assert done.returncode == 0, done.stderr
    assert body["model"] == OTHER_MODEL and "no findings" in done.stdout


def test_a_command_without_an_acp_reviewer_or_a_model_of_no_reviewer_is_exit_2(tmp_path: Path):
    with open_rig("codex", tmp_path / "c") as codex:
        repo = changed_repo(tmp_path / "repo")
        no_acp = review(repo, codex.env, "-p", "codex", "--command", "my-agent --acp")
        stray = review(repo, codex.env, "-p", "codex", "-m", "claude=some-model")
        assert codex.fake.model_requests() == []
    assert no_acp.returncode == 2 and "no reviewer is one" in no_acp.stderr
    assert stray.returncode == 2 and "'claude' is not one of the reviewers" in stray.stderr
