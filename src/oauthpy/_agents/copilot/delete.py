"""Deleting a Copilot session: ``session.delete`` of its SDK server (``copilot --headless
--stdio``, what ``github-copilot-sdk``'s ``deleteSession`` sends), answered ``{success, error}``,
as ACP has no ``session/delete`` here.

Named by `CopilotAcp.deleter` ("module:attribute"); the generic session catalogue
(`oauthpy._transports.acp.catalogue`) imports it only when a delete is asked. It runs one bounded
process in a neutral folder with the client's environment (the run's environment of the profile:
no auto-update), and stops it after.
"""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING

from oauthpy._agents.copilot.sdk_server import sdk_request
from oauthpy._errors import CommandExecutionError, OauthPyError, SessionNotFoundError
from oauthpy._fields import as_dict, as_str
from oauthpy._options import build_request
from oauthpy._sessions import seconds_left

if TYPE_CHECKING:
    from oauthpy._transports.acp.provider import AcpProvider


def _binary(provider: AcpProvider, env: dict[str, str]) -> str:
    """The program the profile starts (its ACP arguments aside)."""
    request = build_request(None, cwd=tempfile.gettempdir(), require_prompt=False)
    return provider.launch(request, env).argv[0]


async def delete(provider: AcpProvider, env: dict[str, str], session_id: str, deadline: float) -> None:
    binary = _binary(provider, env)
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
