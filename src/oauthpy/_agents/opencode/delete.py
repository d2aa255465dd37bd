"""Deleting an OpenCode session: ``opencode session delete <id>`` (its CLI; exit 1 and
``Session not found: <id>`` for an unknown id), as ACP has no ``session/delete`` here.

Named by `OpencodeAcp.deleter` ("module:attribute"); the generic session catalogue
(`oauthpy._transports.acp.catalogue`) imports it only when a delete is asked. It runs one bounded
process in a neutral folder with the client's environment (the run's environment of the profile:
its server password, no auto-update), and stops it after.
"""

from __future__ import annotations

import re
import tempfile
from typing import TYPE_CHECKING

from oauthpy._errors import CommandExecutionError, SessionNotFoundError
from oauthpy._options import build_request
from oauthpy._process import Invocation, Process

if TYPE_CHECKING:
    from oauthpy._transports.acp.provider import AcpProvider

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _invocation(provider: AcpProvider, env: dict[str, str], args: list[str]) -> Invocation:
    """The agent's program with ``args`` instead of its ACP arguments, in a neutral folder
    (OpenCode makes a project of a git checkout it starts in)."""
    request = build_request(None, cwd=tempfile.gettempdir(), require_prompt=False)
    inv = provider.launch(request, env)
    return Invocation(argv=[inv.argv[0], *args], env=inv.env, cwd=inv.cwd, install_hint=inv.install_hint)


def said(text: str) -> str:
    """A CLI's words without its colours, on one line."""
    return " ".join(_ANSI.sub("", text).split())


async def delete(provider: AcpProvider, env: dict[str, str], session_id: str, deadline: float) -> None:
    inv = _invocation(provider, env, ["session", "delete", session_id])
    proc = await Process.start(inv)
    try:
        out = "\n".join([line async for line in proc.lines(deadline=deadline)])
        code = await proc.wait(deadline)
    finally:
        await proc.close()
    words = said(proc.stderr_tail() or out)
    if code == 0:
        return
    if "not found" in words.lower():
        raise SessionNotFoundError(session_id, f"opencode: {words}")
    raise CommandExecutionError(f"opencode could not delete session {session_id}: {words}")
