"""Images in a prompt (``attachments=``) through every agent's real CLI against its fake: the
picture's bytes and the prompt's text reach the model request; a session's later turn and a
stream carry their own; the user's record shows a placeholder, never the bytes."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, NotSupportedError
from oauthpy.testing import sample_png, text
from tests.support import Rig, codex_batch, open_rig


def picture(folder: Path, seed: int) -> tuple[Path, str]:
    """A PNG in ``folder`` and its bytes as base64, as every request format carries them."""
    data = sample_png(seed)
    path = folder / f"shot-{seed}.png"
    path.write_bytes(data)
    return path, base64.b64encode(data).decode()


def asked_with(rig: Rig, b64: str, words: str) -> bool:
    """Whether one model request carried both the picture and the words."""
    return any(b64 in body and words in body for body in rig.model_bodies())


@pytest.mark.warm_agent
def test_the_pictures_bytes_and_the_prompt_reach_the_model_and_the_record_shows_a_placeholder(
    rig: Rig, tmp_path: Path
):
    shot, b64 = picture(tmp_path, 1)
    rig.fake.script(text("a red square"))
    result = rig.run("What is in picture ZEBRA-1?", attachments=[shot])
    assert result.text == "a red square"
    assert asked_with(rig, b64, "ZEBRA-1"), rig.model_bodies()[-1][:2000]

    events = rig.client().transcript(result.session_id)
    assert b64 not in repr([(e.text, e.raw) for e in events]), "a transcript holds the image's bytes"
    prompt = next(e for e in events if e.kind == EventKind.USER and "ZEBRA-1" in (e.text or ""))
    # an agent whose session/load replays a prompt without its images has no placeholder either
    if rig.provision.images_replayed:
        assert f"[image/png, {len(sample_png(1))} B]" in prompt.text


def test_a_sessions_later_turn_streams_with_its_own_picture(rig: Rig, tmp_path: Path):
    first, first_b64 = picture(tmp_path, 2)
    second, second_b64 = picture(tmp_path, 3)
    rig.fake.script(text("one"), text("two"))

    async def main() -> list[EventKind]:
        async with rig.client().session(cwd=rig.work, model=rig.model, timeout=60) as session:
            await session.arun("Look at TURN-ONE", attachments=[first])
            return [e.kind async for e in session.stream("And TURN-TWO?", attachments=[second])]

    kinds = asyncio.run(main())
    assert kinds[-1] == EventKind.DONE and EventKind.MESSAGE in kinds
    last = rig.model_bodies()[-1]
    assert second_b64 in last and "TURN-TWO" in last
    assert asked_with(rig, first_b64, "TURN-ONE")


def test_codex_exec_carries_the_picture_and_the_prompt_after_it(tmp_path: Path):
    # codex's --image takes every following word as another file: the prompt must survive it
    shot, b64 = picture(tmp_path, 4)
    with open_rig("codex", tmp_path / "rig") as rig:
        rig.fake.script(text("seen"))
        client = Client("codex", auth_source="external", env=rig.env, transport="exec")
        result = client.run("Name GIRAFFE-4", cwd=rig.work, attachments=[shot, shot], timeout=60)
        assert (result.text, result.transport) == ("seen", "exec")
        assert asked_with(rig, b64, "GIRAFFE-4")


def test_a_lone_gemini_run_with_a_picture_goes_over_acp(tmp_path: Path):
    shot, b64 = picture(tmp_path, 5)
    with open_rig("gemini", tmp_path / "rig") as rig:
        rig.fake.script(text("seen"))
        result = rig.run("Name OKAPI-5", attachments=[shot])
        assert result.transport == "acp"  # headless gemini takes text only
        assert asked_with(rig, b64, "OKAPI-5")


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
        done = codex_batch(rig.env, str(items), "-o", str(out), "-j", "1", "--cwd", str(rig.work))
        assert done.returncode == 1, done.stderr
        assert asked_with(rig, first_b64, "OWL-8") and asked_with(rig, second_b64, "OWL-9")
        rig.fake.script(text("ok now"))
        seen = len(rig.fake.model_requests())
        done = codex_batch(rig.env, str(items), "-o", str(out), "--resume", "--cwd", str(rig.work))
        assert done.returncode == 0, done.stderr
        again = [r.body_text for r in rig.fake.model_requests()[seen:]]
        assert len(again) == 1 and second_b64 in again[0] and "OWL-9" in again[0]
    results = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert results["a"]["ok"] and results["b"]["ok"] and results["b"]["text"] == "ok now"
