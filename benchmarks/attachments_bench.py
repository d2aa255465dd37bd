"""What a picture in a prompt costs: the same run with and without one 1 MB image, paired,
and oauthpy's own share of it (reading the file and its one base64 encode).

The target (issue 41): a run with the image costs at most 1.05x the run without it plus the
vendor's own upload time, that is, at most 1.05x the vendor's own run with the same image
(codex reads and encodes the file itself; every agent sends ~1.4 MB of base64 to the model
API). oauthpy's own share, which must be one read and one encode, is the last row.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path
from typing import Any

from rigs import PROMPT, rig
from stats import Row, paired

from oauthpy._attachments import check_attachments

MB = 1024 * 1024


def megabyte_png(path: Path) -> Path:
    """A ~1 MB PNG of noise (stored, not compressed: its size is its pixels')."""
    width, height = 600, 582

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )
    return path


def attachments(reps: int, providers: list[str], root: Path) -> list[Row]:
    """Per agent: the vendor's own run with the image (its upload included) against oauthpy's
    run with it; gemini, whose headless mode takes no image, with and without it over ACP."""
    rows = []
    image = megabyte_png(root / "megabyte.png")
    size = f"{image.stat().st_size / MB:.1f} MB"
    target = "<= 1.05x"
    for provider in providers:
        with rig(provider, root / f"image-{provider}") as r:
            r.files = [image]
            if provider == "gemini":
                client = r.client_on("acp")
                row = Row(
                    "attachments", f"gemini (acp): a run with one {size} image", "without", "with", target=""
                )
                rows.append(
                    paired(
                        row,
                        lambda c=client, r=r: _run(c, r, []),
                        lambda c=client, r=r: _run(c, r, [image]),
                        reps,
                    )
                )
                continue
            for transport in ["exec", "app-server"] if provider == "codex" else [None]:
                client = r.client_on(transport)
                raw = r.raw_app_run if transport == "app-server" else r.raw_run
                what = f"{provider} ({transport})" if transport else provider
                row = Row(
                    "attachments",
                    f"{what}: a run with one {size} image",
                    "raw vendor",
                    "Client.run",
                    target=target,
                )
                rows.append(paired(row, raw, lambda c=client, r=r: r.oauthpy_run(c), reps, warmup=1))
    (attachment,) = check_attachments([image])
    row = Row("attachments", f"oauthpy's own work for a {size} image", "read the file", "read + base64")
    rows.append(
        paired(row, lambda: _timed(image.read_bytes), lambda: _timed(attachment.base64), max(reps, 20))
    )
    return rows


def _run(client: Any, r: Any, files: list[Path]) -> None:
    result = client.run(PROMPT, cwd=r.work, model=r.model, attachments=files)
    assert result.text == "ok", result.text


def _timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
