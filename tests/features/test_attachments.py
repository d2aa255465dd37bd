"""``attachments=``: what is refused before anything starts, for every agent, and how a file
shows in a record (a placeholder, never its bytes)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from oauthpy import InvalidOptionsError, NotSupportedError
from oauthpy import _registry as registry
from oauthpy._attachments import described, scrubbed, sniff
from oauthpy.testing import sample_png

pytestmark = pytest.mark.fast

AGENTS = registry.names()


def sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of ``size`` bytes that starts with ``head`` (sparse: no disk is written)."""
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def refused(tripwire: Any, client: Any, tmp_path: Path, error: type[Exception], **kw: Any) -> str:
    """The message of the error a run with ``kw`` raises; nothing may have been started."""
    _env, fired = tripwire
    with pytest.raises(error) as err:
        client.run("Describe it", cwd=tmp_path, **kw)
    assert not fired.exists(), "a process was started for bad attachments"
    return str(err.value)


@pytest.mark.parametrize("provider", AGENTS)
def test_missing_folders_and_unknown_types_are_refused_naming_the_file(
    provider: str, tripwire: Any, tripwire_client: Any, tmp_path: Path
):
    client = tripwire_client(provider)
    missing = tmp_path / "gone.png"
    assert f"attachment not found: {missing}" in refused(
        tripwire, client, tmp_path, InvalidOptionsError, attachments=[missing]
    )
    assert f"attachment is not a file: {tmp_path}" in refused(
        tripwire, client, tmp_path, InvalidOptionsError, attachments=[tmp_path]
    )
    archive = tmp_path / "shot.png"  # a zip named like an image: the bytes decide
    archive.write_bytes(b"PK\x03\x04" + bytes(40))
    message = refused(tripwire, client, tmp_path, InvalidOptionsError, attachments=[archive])
    assert str(archive) in message and "PNG, JPEG, GIF or WebP" in message
    message = refused(tripwire, client, tmp_path, InvalidOptionsError, attachments=str(archive))
    assert "attachments must be a list of file paths" in message


@pytest.mark.parametrize("provider", AGENTS)
def test_a_file_over_the_agents_limit_is_refused_with_the_limit(
    provider: str, tripwire: Any, tripwire_client: Any, tmp_path: Path
):
    agent = registry.get(provider)
    limit = agent.attachment_limits["image/png"]
    big = sparse(tmp_path / "big.png", sample_png(), limit + 1)
    message = refused(tripwire, tripwire_client(provider), tmp_path, InvalidOptionsError, attachments=[big])
    assert str(big) in message and "takes at most" in message and "per PNG file" in message


def test_qwen_takes_four_images_and_codex_no_pdf(tripwire: Any, tripwire_client: Any, tmp_path: Path):
    shots = []
    for i in range(5):
        shots.append(tmp_path / f"s{i}.png")
        shots[-1].write_bytes(sample_png(i))
    message = refused(tripwire, tripwire_client("qwen"), tmp_path, InvalidOptionsError, attachments=shots)
    assert "qwen takes at most 4 attachments per prompt; got 5" in message
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(100))
    message = refused(tripwire, tripwire_client("codex"), tmp_path, InvalidOptionsError, attachments=[pdf])
    assert f"attachment {pdf} is PDF (application/pdf); codex takes PNG, JPEG, GIF or WebP" in message


def test_an_agent_without_attachments_is_not_supported(tripwire: Any, tripwire_client: Any, tmp_path: Path):
    shot = tmp_path / "s.png"
    shot.write_bytes(sample_png())
    client = tripwire_client("acp")
    original = registry.get("acp")
    registry._ENTRIES["acp"] = original._replace(attachment_limits={})
    try:
        message = refused(tripwire, client, tmp_path, NotSupportedError, attachments=[shot])
    finally:
        registry._ENTRIES["acp"] = original
    assert "acp does not take attachments" in message


def test_a_session_takes_attachments_per_turn_not_for_all(tripwire_client: Any, tmp_path: Path):
    shot = tmp_path / "s.png"
    shot.write_bytes(sample_png())
    with pytest.raises(InvalidOptionsError, match="attachments go with the turn"):
        tripwire_client("codex").session(cwd=tmp_path, attachments=[shot])


def test_the_type_is_read_from_the_bytes():
    assert sniff(sample_png()) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff(b"GIF89a....") == "image/gif"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"%PDF-1.4") == "application/pdf"
    assert sniff(b"PK\x03\x04") is None and sniff(b"") is None


def test_every_agents_shape_of_an_image_shows_as_its_type_and_size_never_its_bytes():
    data = sample_png()
    b64 = base64.b64encode(data).decode()
    shown = f"[image/png, {len(data)} B]"
    shapes: list[dict[str, Any]] = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64}},  # claude
        {"inlineData": {"mimeType": "image/png", "data": b64}},  # gemini
        {"type": "image", "mimeType": "image/png", "data": b64},  # ACP
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64}"}},  # chat completions
        {"type": "input_image", "image_url": f"data:image/png;base64,{b64}"},  # Responses
    ]
    for shape in shapes:
        assert described(shape) == shown
        assert b64 not in repr(scrubbed({"content": [shape]})) and shown in repr(scrubbed(shape))
    assert described({"type": "text", "text": "hi"}) is None
