"""Files sent with a prompt (``attachments=``): checked before anything starts, read once.

A file's type is read from its first bytes, never from its name: a ``.png`` that is really a
zip is refused, a screenshot saved without a suffix is sent. What each agent takes (types,
sizes, how many) is data on its registry entry (`Agent.attachment_limits`,
`Agent.max_attachments`); how it carries them is its transport's business.

The file is checked once (a regular file, its type, its size) and remembered by its device and
inode; when the run starts, `loaded` reads its bytes once, off the event loop, from that same
file (re-opened without following a link, at most its checked size plus one byte): a file
swapped after the check (a FIFO, a link to ``/dev/zero`` or to a key, a file grown past its
limit) is refused, never read. Those bytes are what every transport sends; nothing keeps them
after the run. An agent that reads a path itself (codex) gets a private copy of them
(`private_copies`), never the user's path.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._registry import IMAGE_TYPES as IMAGE_TYPES
from oauthpy._registry import MB as MB

PNG, JPEG, GIF, WEBP, PDF = "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"
#: how the types are called in messages
_NAMES = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WebP", PDF: "PDF"}
#: a private copy's file suffix, and its name: its type and size survive its removal (`_local`)
_SUFFIXES = {PNG: "png", JPEG: "jpg", GIF: "gif", WEBP: "webp", PDF: "pdf"}
_COPY_NAME = re.compile(r"oauthpy-(\d+)-(\d+)\.(png|jpg|gif|webp|pdf)")
#: never block on a FIFO or a device, never follow a link swapped in for the checked file
_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_REOPEN = _OPEN | getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One file of a prompt: where it is (absolute), its media type (from its bytes), its size;
    the file that was checked (its resolved path, device, inode and change time) and, once `loaded`, its bytes."""

    path: str
    media_type: str
    size: int
    real: str = ""
    dev: int = 0
    ino: int = 0
    #: its status-change time: an inode number reused by a new file, or written since, differs
    ctime_ns: int = 0
    data: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    def read(self) -> bytes:
        """The checked file's bytes: those `loaded` read, else read now from the same file."""
        return self.data if self.data is not None else read_checked(self)

    def base64(self) -> str:
        """The file's bytes in base64 (one encode per send)."""
        import base64

        return base64.b64encode(self.read()).decode("ascii")

    def placeholder(self) -> str:
        """What a transcript shows instead of the bytes."""
        return placeholder(self.media_type, self.size)


def placeholder(media_type: str, size: int | None) -> str:
    """``[image/png, 12.3 KB]``: an attachment in the user's record of a prompt, without its bytes."""
    return f"[{media_type}, {human_size(size)}]" if size is not None else f"[{media_type}]"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / MB:.1f} MB"


def sniff(head: bytes) -> str | None:
    """The media type the first bytes of a file say it is, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def check_attachments(value: Any, base: str | None = None) -> tuple[Attachment, ...]:
    """``attachments=`` as `Attachment`s: each path exists, is a readable file of a known type.
    A relative path is taken from ``base`` (default: the current folder, as ``open()`` does)."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, os.PathLike)) or not isinstance(value, Sequence):
        raise InvalidOptionsError(
            f"attachments must be a list of file paths, got {type(value).__name__}",
            hint="e.g. attachments=['screenshot.png']",
        )
    return tuple(_attachment(item, base) for item in value)


def _attachment(item: Any, base: str | None) -> Attachment:
    if not isinstance(item, (str, os.PathLike)):
        raise InvalidOptionsError(f"each attachment must be a file path, got {type(item).__name__}")
    given = os.fspath(item)
    if not isinstance(given, str) or not given or "\0" in given:
        raise InvalidOptionsError(f"each attachment must be a file path, got {given!r:.60}")
    path = os.path.abspath(os.path.join(base or os.getcwd(), os.path.expanduser(given)))
    if not os.path.lexists(path):
        raise InvalidOptionsError(f"attachment not found: {path}")
    try:
        fd = os.open(path, _OPEN)  # the user's own link is followed; a FIFO does not block
    except FileNotFoundError:
        raise InvalidOptionsError(f"attachment not found: {path}") from None
    except OSError as exc:
        raise InvalidOptionsError(f"attachment cannot be read: {path} ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidOptionsError(f"attachment is not a file: {path}")
        head = os.read(fd, 16)
    except OSError as exc:
        raise InvalidOptionsError(f"attachment cannot be read: {path} ({exc.strerror})") from None
    finally:
        os.close(fd)
    media_type = sniff(head)
    if media_type is None:
        raise InvalidOptionsError(
            f"attachment {path} is not a file type oauthpy can send",
            hint=f"send {kinds(IMAGE_TYPES)} images, or PDF documents to an agent that takes them "
            "(a file's type is told by its content, not its name)",
        )
    real = os.path.realpath(path)
    return Attachment(path, media_type, info.st_size, real, info.st_dev, info.st_ino, info.st_ctime_ns)


def read_checked(attachment: Attachment) -> bytes:
    """The bytes of the file that was checked: re-opened by its resolved path without following
    a link, the same device, inode and change time, a regular file of the checked size, at most
    that size plus one byte read. Anything else raises `InvalidOptionsError`: the file changed."""
    changed = InvalidOptionsError(
        f"attachment {attachment.path} changed after it was checked; nothing was sent",
        hint="keep the file in place until the run has started",
    )
    try:
        fd = os.open(attachment.real or attachment.path, _REOPEN)
    except OSError:
        raise changed from None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or (info.st_dev, info.st_ino, info.st_ctime_ns)
            != (attachment.dev, attachment.ino, attachment.ctime_ns)
            or info.st_size != attachment.size
        ):
            raise changed
        chunks, want = [], attachment.size + 1
        while want > 0:
            chunk = os.read(fd, min(want, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
    except OSError:
        raise changed from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) != attachment.size:
        raise changed
    return data


async def loaded(
    attachments: Sequence[Attachment], deadline: float | None, started: float
) -> tuple[Attachment, ...]:
    """``attachments`` with their bytes (`read_checked`), read in a thread within ``deadline``
    (a slow disk never holds the event loop)."""
    import asyncio
    import time

    def read_all() -> tuple[Attachment, ...]:
        return tuple(a if a.data is not None else replace(a, data=read_checked(a)) for a in attachments)

    left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
    try:
        return await asyncio.wait_for(asyncio.to_thread(read_all), left)
    except asyncio.TimeoutError:
        from oauthpy._process import start_timeout

        raise start_timeout("reading the attachments", started) from None


def private_folder() -> str:
    """A new private folder (0700) for `private_copies`; the caller removes it (`remove_copies`)
    once the agent has read them."""
    import tempfile

    return tempfile.mkdtemp(prefix="oauthpy-attach-")


def private_copies(attachments: Sequence[Attachment], folder: str) -> list[str]:
    """A copy (0600) in ``folder`` of each attachment's checked bytes, and the copies' paths, for
    an agent that reads a path itself: it reads what oauthpy checked, through a path with no
    character of the user's (codex splits ``--image=`` at commas)."""
    paths = []
    for i, attachment in enumerate(attachments):
        name = f"oauthpy-{i}-{attachment.size}.{_SUFFIXES[attachment.media_type]}"
        path = os.path.join(folder, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(attachment.read())
        paths.append(path)
    return paths


def remove_copies(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def kinds(types: Sequence[str]) -> str:
    """``PNG, JPEG, GIF or WebP``."""
    names = [_NAMES.get(t, t) for t in types]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def check_for_agent(
    attachments: Sequence[Attachment], agent: str, limits: Mapping[str, int], most: int | None
) -> None:
    """Refuse what ``agent`` does not take: a type without a limit, a file over its type's
    limit, more files than ``most``."""
    if not attachments:
        return
    if not limits:
        from oauthpy._errors import NotSupportedError

        raise NotSupportedError(f"{agent} does not take attachments (images) with a prompt")
    if most is not None and len(attachments) > most:
        raise InvalidOptionsError(
            f"{agent} takes at most {most} attachments per prompt; got {len(attachments)}"
        )
    for attachment in attachments:
        limit = limits.get(attachment.media_type)
        if limit is None:
            raise InvalidOptionsError(
                f"attachment {attachment.path} is {_NAMES[attachment.media_type]} "
                f"({attachment.media_type}); {agent} takes {kinds(list(limits))}"
            )
        if attachment.size > limit:
            raise InvalidOptionsError(
                f"attachment {attachment.path} is {human_size(attachment.size)}; {agent} takes at most "
                f"{human_size(limit)} per {_NAMES[attachment.media_type]} file"
            )


# -- in the user's record of a prompt (transcripts): a placeholder, never the bytes ------------


def described(block: Any) -> str | None:
    """The placeholder of a content block that carries a file, in any agent's shape (Messages
    API ``source``, Gemini ``inlineData``, ACP ``image``, a ``data:`` URL, codex ``localImage``);
    None for any other block."""
    if not isinstance(block, dict):
        return None
    path = block.get("path")
    if block.get("type") == "localImage" and isinstance(path, str):
        return _local(path)
    media, data = _payload(block)
    if data is None:
        return None
    return placeholder(media or "application/octet-stream", decoded_size(data))


def scrubbed(value: Any, depth: int = 0) -> Any:
    """``value`` (a vendor record) with every file's bytes replaced by its placeholder."""
    if depth > 40:
        return value
    if isinstance(value, str):
        return _data_url(value) or value
    if isinstance(value, list):
        return [scrubbed(item, depth + 1) for item in value]
    if not isinstance(value, dict):
        return value
    media, data = _payload(value)
    out = {key: scrubbed(item, depth + 1) for key, item in value.items()}
    if data is not None and isinstance(value.get("data"), str):
        out["data"] = placeholder(media or "application/octet-stream", decoded_size(data))
    return out


def decoded_size(data: str) -> int:
    """How many bytes base64 ``data`` holds."""
    return len(data) * 3 // 4 - data[-2:].count("=")


def _payload(block: dict[str, Any]) -> tuple[str | None, str | None]:
    """(media type, base64 data) of a block that carries a file inline, else (None, None)."""
    for inner, media_key in (("source", "media_type"), ("inlineData", "mimeType")):
        holder = block.get(inner)
        if isinstance(holder, dict) and isinstance(holder.get("data"), str):
            media = holder.get(media_key)
            return (media if isinstance(media, str) else None), holder["data"]
    for media_key in ("mimeType", "media_type"):
        if isinstance(block.get(media_key), str) and isinstance(block.get("data"), str):
            return block[media_key], block["data"]
    for key in ("image_url", "url"):
        url = block.get(key)
        url = url.get("url") if isinstance(url, dict) else url
        if isinstance(url, str) and url.startswith("data:") and ";base64," in url:
            head, _, data = url.partition(";base64,")
            return head[5:], data
    return None, None


def _data_url(text: str) -> str | None:
    if text.startswith("data:") and ";base64," in text[:100]:
        head, _, data = text.partition(";base64,")
        return placeholder(head[5:], decoded_size(data))
    return None


def _local(path: str) -> str:
    """A file an agent read itself (codex): oauthpy's private copy by its name (its type and
    size; the copy is gone after the run), another file by its first bytes while it is still
    there (never blocking on a FIFO), else its name."""
    name = os.path.basename(path)
    copy = _COPY_NAME.fullmatch(name)
    if copy is not None:
        media = next(m for m, suffix in _SUFFIXES.items() if suffix == copy.group(3))
        return placeholder(media, int(copy.group(2)))
    try:
        fd = os.open(path, _OPEN)
    except OSError:
        return f"[{name}]"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return f"[{name}]"
        return placeholder(sniff(os.read(fd, 16)) or "file", info.st_size)
    except OSError:
        return f"[{name}]"
    finally:
        os.close(fd)
