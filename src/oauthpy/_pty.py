"""The pseudo-terminal a CLI may write its stdout to (`Invocation.stdout_pty`), for
`oauthpy._process`."""

from __future__ import annotations

import asyncio
import errno
import os
from typing import IO


class _PtyReader(asyncio.StreamReaderProtocol):
    """A pty master reads EIO once the child's side is closed: that is its end of file.

    asyncio hands the EIO to the reader as an error, and ``StreamReader.read`` raises a stored
    error before it returns what it still holds: a reader that lagged behind the child's last
    writes (many runs at once) lost them, gemini's result line among them. As an end of file,
    everything read before it is read first."""

    def connection_lost(self, exc: Exception | None) -> None:
        if isinstance(exc, OSError) and exc.errno == errno.EIO:
            exc = None
        super().connection_lost(exc)


async def connect_pty(reader: asyncio.StreamReader, pipe: IO[bytes]) -> asyncio.BaseTransport:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_read_pipe(lambda: _PtyReader(reader), pipe)
    return transport


def close_fd(fd: int) -> None:
    if fd >= 0:
        os.close(fd)


def open_pty() -> tuple[int, int]:
    """A pseudo-terminal pair whose slave passes bytes through unchanged (no CR/LF mapping).

    For Node CLIs: Node writes a large line to a pipe with a non-blocking write and exits
    before it drains, so anything past the pipe's 64 KiB is lost (gemini 0.61 loses the end of
    a 200 KB reply and its result line). Writes to a terminal block, so nothing is lost.
    """
    import pty
    import termios

    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # oflag: no output processing
    attrs[3] &= ~termios.ECHO  # lflag
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, slave


__all__ = ["close_fd", "connect_pty", "open_pty"]
