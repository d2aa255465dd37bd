"""What every agent's lean run shares (docs/lean.md): oauthpy's short system prompt, and the
refusal of an option a lean run of that agent cannot honour. Each agent's own settings live in
its package (``_agents/<name>/lean.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauthpy._errors import InvalidOptionsError

if TYPE_CHECKING:
    from oauthpy._options import RunRequest

#: the system prompt of a lean run, in place of the coding harness's
PROMPT = (
    "You are a helpful assistant called through oauthpy. Answer the user's request directly and "
    "concisely, in plain text unless asked for another format. You have no tools."
)


def refuse(agent: str, request: RunRequest, *, permission: bool = False, tools: bool = False) -> None:
    """Refuse, before anything starts, what a lean run of ``agent`` cannot honour: a permission
    or question callback (no tool is left to ask about, or to ask with), the user's tools (they come through the MCP
    servers a lean run turns off)."""
    if not request.lean:
        return
    if permission and request.on_permission is not None:
        raise InvalidOptionsError(
            f"a lean {agent} run has no tools to ask permission for: on_permission would never be called",
            hint="drop on_permission, or run without lean=True",
        )
    if permission and request.on_question is not None:
        raise InvalidOptionsError(
            f"a lean {agent} run has no tools, its way to ask the user: on_question would never be called",
            hint="drop on_question, or run without lean=True",
        )
    if tools and request.tools:
        raise InvalidOptionsError(
            f"a lean {agent} run has no MCP servers, which carry tools= to {agent}",
            hint="drop tools=, or run without lean=True",
        )
