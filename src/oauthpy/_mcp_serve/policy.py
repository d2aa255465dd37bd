"""Who answers an agent's permission question when the agent runs for an MCP client.

Fail closed: what the server's policy (``--allow``) does not allow goes to the client's person
as ``elicitation/create`` when the client offers it; accept allows once, anything else (decline,
cancel, an error, no answer) denies. A client without elicitation gets a no.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from oauthpy._mcp_serve.readonly import only_reads
from oauthpy._permissions import PermissionRequest

#: ``--allow`` choices: what is allowed without asking anyone
POLICIES = ("none", "read-only", "all")

Ask = Callable[[str], Awaitable[bool]]


def allowed_by(policy: str, request: PermissionRequest) -> bool:
    """Whether ``policy`` allows ``request`` without asking: ``all`` everything, ``read-only``
    one plain command of an exact reading shape (`readonly`; never a file change or a tool),
    ``none`` nothing."""
    if policy == "all":
        return True
    if policy != "read-only":
        return False
    words = request.argv()
    return words is not None and only_reads(words)


def question(title: str, request: PermissionRequest) -> str:
    """What the person is asked, in words they can judge (`PermissionRequest.asked`: a command
    on a line of its own, escaped, redacted: the question is shown and may be logged)."""
    return f"{title} wants to {request.asked()}\n\nAllow it this once?"


def on_permission(policy: str, title: str, ask: Ask | None) -> Callable[[PermissionRequest], Awaitable[bool]]:
    """The run's ``on_permission``: the policy, then the person (``ask``), else no."""

    async def decide(request: PermissionRequest) -> bool:
        if allowed_by(policy, request):
            return True
        if ask is None:
            return False
        try:
            return await ask(question(title, request))
        except Exception:  # the client failed to ask: not a yes
            return False

    return decide


def elicitation_asker(session: Any, request_id: Any) -> Ask | None:
    """Asking the client's person through ``elicitation/create``, when the client offers it."""
    capabilities = getattr(session, "client_capabilities", None)
    if capabilities is None or getattr(capabilities, "elicitation", None) is None:
        return None

    async def ask(message: str) -> bool:
        answer = await session.elicit_form(
            message, {"type": "object", "properties": {}}, related_request_id=request_id
        )
        return getattr(answer, "action", None) == "accept"

    return ask
