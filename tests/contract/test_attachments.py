"""Images in a prompt (``attachments=``) through every agent's real CLI against its fake: the
picture's bytes and the prompt's text reach the model request; a session's later turn and a
stream carry their own; the user's record shows a placeholder, never the bytes."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest

from oauthpy import EventKind
from oauthpy.testing import sample_png, text
from tests.support import Rig


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
    if rig.provision.transcript_keeps_images:
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
