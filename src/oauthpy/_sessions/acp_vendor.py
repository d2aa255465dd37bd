"""Deleting a session where the ACP agent offers no ``session/delete``: through the agent's own
documented interface (named by `AcpProfile.deleter`).

* OpenCode: ``opencode session delete <id>`` (its CLI; exit 1 and ``Session not found: <id>``
  for an unknown id).
* Copilot: ``session.delete`` of its SDK server (``copilot --headless --stdio``, JSON-RPC in
  ``Content-Length`` frames, what ``github-copilot-sdk``'s ``deleteSession`` sends), answered
  ``{success, error}``.

Each runs one bounded process in a neutral folder with the client's environment (the run's
environment of the profile: OpenCode's server password, no auto-update), and stops it after.
"""

from __future__ import annotations

import re
import tempfile
from typing import TYPE_CHECKING

from oauthpy._agents.copilot.auth import sdk_request
from oauthpy._errors import CommandExecutionError, OauthPyError, SessionNotFoundError
from oauthpy._fields import as_dict, as_str
from oauthpy._options import build_request
from oauthpy._process import Invocation, Process
from oauthpy._sessions.records import seconds_left

if TYPE_CHECKING:
    from oauthpy._transports.acp.profile import AcpProvider

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


async def opencode_delete(
    provider: AcpProvider, env: dict[str, str], session_id: str, deadline: float
) -> None:
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


async def copilot_delete(
    provider: AcpProvider, env: dict[str, str], session_id: str, deadline: float
) -> None:
    binary = _invocation(provider, env, []).argv[0]
    params = {"sessionId": session_id}
    answer = await sdk_request(binary, env, "session.delete", params, timeout=seconds_left(deadline))
    if answer is None:
        raise CommandExecutionError(
            "copilot --headless did not answer session.delete in time", transient=True
        )
    result = as_dict(answer.get("result"))
    if "error" in answer or result.get("success") is not True:
        why = as_str(result.get("error")) or as_str(as_dict(answer.get("error")).get("message"))
        if "not found" in why.lower() or "does not exist" in why.lower():
            raise SessionNotFoundError(session_id, f"copilot: {why}")
        raise OauthPyError(f"copilot could not delete session {session_id}: {why or 'no reason given'}")


__all__ = ["copilot_delete", "opencode_delete"]
