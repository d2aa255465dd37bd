"""Small real images for tests of ``attachments=`` (every CLI gets a file it can decode)."""

from __future__ import annotations

import struct
import zlib


def sample_png(seed: int = 0, width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG whose pixels (and so bytes) differ by ``seed``: a test can tell which
    image reached the model by looking for its bytes (base64) in the request."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + bytes((x * 37 + y * 91 + seed * 13) % 256 for x in range(width * 3)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
