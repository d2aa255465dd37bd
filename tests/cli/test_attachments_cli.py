"""Images in a prompt with an agent named: an ACP agent that takes none is refused before its
prompt; ``oauthpy run --attach`` and a batch line's pictures (the shared attachments suite is
tests/contract/test_attachments.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy import Client, NotSupportedError
from oauthpy.testing import text
from tests.contract.test_attachments import asked_with, picture
from tests.support import batch, open_rig


def test_an_acp_agent_that_takes_no_images_is_refused_and_gets_no_prompt(tmp_path: Path):
    shot, _ = picture(tmp_path, 6)
    with open_rig("acp-test", tmp_path / "rig") as rig:
        env = {**rig.env, "ACP_TEST_AGENT_NO_IMAGES": "1"}
        client = Client("acp-test", auth_source="external", env=env)
        with pytest.raises(NotSupportedError, match="does not accept images") as err:
            client.run("Describe it", cwd=rig.work, attachments=[shot], timeout=60)
        assert "the prompt was not sent" in str(err.value)
        assert rig.fake.model_requests() == []
        assert client.capabilities().images is False


def test_oauthpy_run_attach_sends_the_picture(tmp_path: Path):
    shot, b64 = picture(tmp_path, 7)
    with open_rig("codex", tmp_path / "rig") as rig:
        rig.fake.script(text("a chart"))
        cmd = [sys.executable, "-m", "oauthpy.cli", "run", "-p", "codex", "--source", "external"]
        cmd += ["--cwd", str(rig.work), "-a", str(shot), "describe it, ROBIN-7"]
        done = subprocess.run(cmd, env={**os.environ, **rig.env}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "a chart"
        assert asked_with(rig, b64, "ROBIN-7")


def test_a_batch_line_with_pictures_runs_and_resumes(tmp_path: Path):
    from oauthpy.testing import HttpError, Match

    pictures = tmp_path / "input"
    pictures.mkdir()
    _, first_b64 = picture(pictures, 8)
    _, second_b64 = picture(pictures, 9)
    items = pictures / "items.jsonl"
    lines = [
        {"id": "a", "prompt": "first OWL-8", "attachments": ["shot-8.png"]},
        {"id": "b", "prompt": "second OWL-9 fail-once", "attachments": ["shot-9.png"]},
    ]
    items.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "out.jsonl"
    with open_rig("codex", tmp_path / "rig") as rig:
        rig.fake.script(Match("fail-once", HttpError(400, "bad request by fake"), otherwise=text("ok")))
        # run from elsewhere: the pictures are found beside the file that names them
        done = batch("codex", rig.env, str(items), "-o", str(out), "-j", "1", "--cwd", str(rig.work))
        assert done.returncode == 1, done.stderr
        assert asked_with(rig, first_b64, "OWL-8") and asked_with(rig, second_b64, "OWL-9")
        rig.fake.script(text("ok now"))
        seen = len(rig.fake.model_requests())
        done = batch("codex", rig.env, str(items), "-o", str(out), "--resume", "--cwd", str(rig.work))
        assert done.returncode == 0, done.stderr
        again = [r.body_text for r in rig.fake.model_requests()[seen:]]
        assert len(again) == 1 and second_b64 in again[0] and "OWL-9" in again[0]
    results = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert results["a"]["ok"] and results["b"]["ok"] and results["b"]["text"] == "ok now"
