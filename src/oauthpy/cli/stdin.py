"""What the commands read from stdin, so that piped input is never dropped without a word.

``oauthpy run "Review this" < diff`` joins the two the way ``claude -p`` does: the argument,
a newline, then stdin. It waits a bounded time for the first byte (a launcher may leave stdin
an open, silent pipe) and says so on stderr when it proceeds without.
"""

from __future__ import annotations

import select
import sys
from typing import BinaryIO, TextIO

from oauthpy._errors import InvalidOptionsError

#: how long a prompt argument waits for piped stdin to start (``claude -p`` waits 3 s too)
STDIN_WAIT_S = 3.0


def _stdin() -> TextIO | None:
    stream = sys.stdin
    return None if stream is None or stream.closed else stream


def _read(stream: TextIO, what: str) -> str:
    buffer: BinaryIO | None = getattr(stream, "buffer", None)
    if buffer is None:  # a program calling main() with sys.stdin = io.StringIO(...)
        return stream.read()
    return decode(buffer.read(), what)


def piped() -> bool:
    """stdin is something other than a terminal (a pipe, a file, /dev/null)."""
    stream = sys.stdin
    return stream is not None and not stream.closed and not stream.isatty()


def decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidOptionsError(f"{what} on stdin is not UTF-8 text (byte {exc.start})") from None


def read_all(what: str = "the prompt") -> str:
    """All of stdin, as the prompt (``-`` or no argument)."""
    if sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty():
        print("reading the prompt from stdin; end it with Ctrl-D", file=sys.stderr)
    stream = _stdin()
    return "" if stream is None else _read(stream, what)


def read_context(wait_s: float = STDIN_WAIT_S) -> str:
    """Piped stdin that comes with a prompt argument: all of it, or ``""`` when stdin is a
    terminal, empty, or stays silent for ``wait_s`` (said on stderr)."""
    stream = _stdin()
    if stream is None or not piped():
        return ""
    try:
        ready, _, _ = select.select([stream], [], [], wait_s)
    except (OSError, ValueError):  # no file descriptor (io.StringIO): it is all there already
        ready = [stream]
    if not ready:
        print(
            f"oauthpy: no input on stdin within {wait_s:g} s, running the prompt alone "
            "(redirect stdin from /dev/null to skip this wait)",
            file=sys.stderr,
        )
        return ""
    try:
        return _read(stream, "the input")
    except OSError:  # a stand-in that refuses reads (pytest's captured stdin): nothing piped
        return ""


def unread_note(input_name: str) -> None:
    """Tell that data waiting on stdin will not be read (batch reads INPUT, not stdin)."""
    if not piped() or _waiting() == 0:
        return
    print(f"oauthpy: stdin is not read: the items come from {input_name} ('-' reads stdin)", file=sys.stderr)


def _waiting() -> int:
    """Bytes ready on stdin now, without reading them (0 when unknown)."""
    import fcntl
    import struct
    import termios

    try:
        # a pipe's unread bytes, or for a regular file what is left after the position
        raw = fcntl.ioctl(sys.stdin.fileno(), termios.FIONREAD, b"\0\0\0\0")
    except (OSError, ValueError, AttributeError):
        return 0
    return int(struct.unpack("i", raw)[0])


def join(argument: str, context: str) -> str:
    """The argument first, then stdin as its context on the next line, as ``claude -p`` does."""
    return f"{argument}\n{context}" if context else argument


__all__ = ["STDIN_WAIT_S", "join", "piped", "read_all", "read_context", "unread_note"]
