"""An attachment swapped between its check and the run (T7), through the real ACP test agent
and codex: the run reads the file that was checked or refuses, never the swapped one, and
never blocks; a picture whose path has a comma reaches the model through codex exec (T10)."""

from __future__ import annotations

import asyncio
import base64
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, InvalidOptionsError
from oauthpy.testing import sample_png, text
from tests.support import open_rig

SECRET = b"\x89PNG\r\n\x1a\n-----BEGIN OPENSSH PRIVATE KEY----- SWAP-SECRET-7 -----"


def to_secret(shot: Path) -> None:
    """The checked picture replaced by a link to a key file (of a picture's first bytes)."""
    secret = shot.with_name("id_key")
    secret.write_bytes(SECRET)
    shot.unlink()
    shot.symlink_to(secret)


def to_fifo(shot: Path) -> None:
    shot.unlink()
    os.mkfifo(shot)


def grown(shot: Path) -> None:
    """The same file grown past the agent's 20 MB limit (the check saw a few bytes)."""
    with shot.open("ab") as fh:
        fh.truncate(21 * 1024 * 1024)


SWAPS: dict[str, Callable[[Path], None]] = {"secret": to_secret, "fifo": to_fifo, "grown": grown}


@pytest.mark.parametrize("swap", sorted(SWAPS))
@pytest.mark.parametrize("agent", ["acp-test", "codex"])  # codex read the user's path itself
def test_a_file_swapped_after_its_check_is_refused_not_sent_and_nothing_blocks(
    tmp_path: Path, swap: str, agent: str
):
    shot = tmp_path / "shot.png"
    shot.write_bytes(sample_png(11))
    with open_rig(agent, tmp_path / "rig") as rig:
        rig.fake.script(text("seen"))
        client = Client(agent, auth_source="external", env=rig.env)
        # `stream` checks its arguments when called; the run starts at the first event
        events = client.stream("Describe SWAP-11", cwd=rig.work, attachments=[shot], timeout=30)
        SWAPS[swap](shot)

        async def drain() -> list[EventKind]:
            return [event.kind async for event in events]

        with pytest.raises(InvalidOptionsError, match="changed after it was checked"):
            asyncio.run(drain())
        assert rig.fake.model_requests() == []  # nothing was sent, the secret least of all


def test_a_sessions_turn_refuses_a_file_swapped_after_its_check(tmp_path: Path):
    shot = tmp_path / "shot.png"
    shot.write_bytes(sample_png(12))
    b64 = base64.b64encode(sample_png(12)).decode()
    with open_rig("acp-test", tmp_path / "rig") as rig:
        rig.fake.script(text("one"), text("two"))

        async def main() -> None:
            client = Client("acp-test", auth_source="external", env=rig.env)
            async with client.session(cwd=rig.work, timeout=60) as session:
                await session.arun("first TURN-A", attachments=[shot])
                turn = session.stream("second TURN-B", attachments=[shot])
                to_secret(shot)  # swapped between the turn's check and its start
                with pytest.raises(InvalidOptionsError, match="changed after it was checked"):
                    async for _ in turn:
                        pass

        asyncio.run(main())
        bodies = [r.body_text for r in rig.fake.model_requests()]
        assert len(bodies) == 1 and b64 in bodies[0]
        assert not any("SWAP-SECRET-7" in body or "TURN-B" in body for body in bodies)


@pytest.mark.parametrize("transport", ["exec", "app-server"])  # exec split it; app-server never did
def test_codex_reads_a_private_copy_so_a_comma_in_the_path_still_sends_the_picture(
    tmp_path: Path, transport: str
):
    # codex splits `--image=` at commas: `shot,1.png` was silently not sent (exec)
    folder = tmp_path / "x.png,"
    folder.mkdir()
    seed = 13 if transport == "exec" else 14  # each its own bytes: the two may run at once
    shot = folder / "shot,1.png"
    shot.write_bytes(sample_png(seed))
    b64 = base64.b64encode(sample_png(seed)).decode()
    with open_rig("codex", tmp_path / "rig") as rig:
        rig.fake.script(text("seen"))
        client = Client("codex", auth_source="external", env=rig.env, transport=transport)
        result = client.run("Name COMMA-13", cwd=rig.work, attachments=[shot], timeout=60)
        assert (result.text, result.transport) == ("seen", transport)
        assert any(b64 in body and "COMMA-13" in body for body in rig.model_bodies())
        copies = Path(tempfile.gettempdir()).glob(f"oauthpy-attach-*/oauthpy-0-{len(sample_png(seed))}.png")
        assert not [p for p in copies if p.read_bytes() == sample_png(seed)], (
            "a private copy outlived its run"
        )
