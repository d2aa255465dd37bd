"""Reading an attachment's bytes (T7): the file that was checked, bounded by its checked size,
never a file swapped in after the check, never blocking; codex's private copies."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from oauthpy._attachments import (
    Attachment,
    check_attachments,
    described,
    loaded,
    private_copies,
    private_folder,
    read_checked,
    remove_copies,
)
from oauthpy._errors import InvalidOptionsError
from oauthpy.testing import sample_png

pytestmark = pytest.mark.fast

SECRET = b"\x89PNG\r\n\x1a\n SECRET-KEY-BYTES"


def checked(folder: Path) -> tuple[Path, Attachment]:
    shot = folder / "shot.png"
    shot.write_bytes(sample_png(1))
    (attachment,) = check_attachments([shot])
    return shot, attachment


def to_secret(shot: Path) -> None:
    (shot.parent / "key").write_bytes(SECRET)
    shot.unlink()
    shot.symlink_to(shot.parent / "key")


def to_zero(shot: Path) -> None:
    shot.unlink()
    shot.symlink_to("/dev/zero")


def to_fifo(shot: Path) -> None:
    shot.unlink()
    os.mkfifo(shot)


def grown(shot: Path) -> None:
    with shot.open("ab") as fh:
        fh.write(b"\0" * (30 * 1024 * 1024))


def rewritten_as_new_file(shot: Path) -> None:
    """Same size, same name, another file (an editor's save): not the file that was checked."""
    data = shot.read_bytes()
    shot.unlink()
    shot.write_bytes(data[:-1] + b"X")


SWAPS: dict[str, Callable[[Path], None]] = {
    "secret": to_secret,
    "dev-zero": to_zero,
    "fifo": to_fifo,
    "grown": grown,
    "new-file": rewritten_as_new_file,
}


def bounded(call: Callable[[], object]) -> object:
    """``call()`` in a thread, waited for at most 10 s: a read that blocks fails the test."""
    out: list[object] = []
    worker = threading.Thread(target=lambda: out.append(_outcome(call)), daemon=True)
    worker.start()
    worker.join(10)
    assert out, "the read blocked"
    return out[0]


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except Exception as exc:
        return exc


@pytest.mark.parametrize("swap", sorted(SWAPS))
def test_a_file_swapped_after_its_check_is_refused_not_read(tmp_path: Path, swap: str):
    shot, attachment = checked(tmp_path)
    SWAPS[swap](shot)
    try:
        outcome = bounded(attachment.read)
    finally:
        if swap == "fifo":  # an old-style blocked reader gets its end of file
            fd = os.open(shot, os.O_WRONLY | os.O_NONBLOCK) if _has_reader(shot) else None
            if fd is not None:
                os.close(fd)
    assert isinstance(outcome, InvalidOptionsError), outcome if isinstance(outcome, Exception) else "read"
    assert "changed after it was checked" in str(outcome)


def _has_reader(fifo: Path) -> bool:
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        return False
    return True


def test_the_checked_file_left_in_place_is_read_whole_even_through_the_users_own_link(tmp_path: Path):
    shot = tmp_path / "shot.png"
    shot.write_bytes(sample_png(2))
    (tmp_path / "latest.png").symlink_to(shot)
    (attachment,) = check_attachments([tmp_path / "latest.png"])
    assert read_checked(attachment) == sample_png(2)
    (ready,) = asyncio.run(loaded([attachment], None, 0.0))
    shot.unlink()  # read once: what `loaded` holds is what is sent
    assert ready.read() == sample_png(2) and "data" not in repr(ready)


def test_a_fifo_or_a_device_is_refused_at_the_check_without_blocking(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.png")
    for path in (tmp_path / "pipe.png", Path("/dev/zero")):
        outcome = bounded(lambda p=path: check_attachments([p]))
        assert isinstance(outcome, InvalidOptionsError) and "is not a file" in str(outcome)


def test_private_copies_are_the_checked_bytes_in_a_private_folder_and_go_with_it(tmp_path: Path):
    _, attachment = checked(tmp_path)
    folder = private_folder()
    try:
        (path,) = private_copies([attachment], folder)
        assert Path(path).read_bytes() == sample_png(1) and "," not in path
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    finally:
        remove_copies(folder)
    assert not os.path.exists(folder)
    # the transcript's placeholder of a copy that is gone: its type and size, from its name
    assert described({"type": "localImage", "path": path}) == f"[image/png, {len(sample_png(1))} B]"


def test_a_recorded_image_path_that_is_now_a_fifo_does_not_block_a_transcript(tmp_path: Path):
    os.mkfifo(tmp_path / "shot.png")
    outcome = bounded(lambda: described({"type": "localImage", "path": str(tmp_path / "shot.png")}))
    assert outcome == "[shot.png]"
