"""An ACP agent's own sign-in, for agents whose login command oauthpy does not know.

The agent lists its ways in ``initialize`` (``authMethods``). A method the agent carries out
itself is started with ``authenticate`` (it may open a browser, or read a key it was given);
a terminal method (ACP's ``type: "terminal"``, or the ``terminal-auth`` of ``_meta`` that
Copilot and Zed's adapters send) names a command to run on the user's terminal instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from oauthpy._errors import CommandExecutionError, InvalidOptionsError
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._process import Invocation
from oauthpy._transports.acp.conversation import AcpAgent
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.rpc_messages import RpcError


def _choose(methods: list[dict[str, Any]], wanted: str, provider: str) -> dict[str, Any]:
    ids = [as_str(m.get("id")) for m in methods]
    offered = ", ".join(f"{i!r}" for i in ids) or "none"
    if not methods:
        raise InvalidOptionsError(f"{provider} offers no sign-in over ACP (its authMethods are empty)")
    if wanted:
        if wanted not in ids:
            raise InvalidOptionsError(f"{provider} has no sign-in method {wanted!r}; it offers {offered}")
        return methods[ids.index(wanted)]
    if len(methods) > 1:
        raise InvalidOptionsError(
            f"{provider} offers several sign-in methods: {offered}",
            hint="choose one: provider_options={'method': ...} (CLI: --method)",
        )
    return methods[0]


def terminal_command(
    method: Mapping[str, Any], agent_argv: list[str]
) -> tuple[list[str], dict[str, str]] | None:
    """The command (and extra variables) a terminal sign-in method names, else None."""
    meta = as_dict(as_dict(method.get("_meta")).get("terminal-auth"))
    if as_str(meta.get("command")):
        args = [a for a in as_list(meta.get("args")) if isinstance(a, str)]
        return [as_str(meta.get("command")), *args], {}
    if method.get("type") == "terminal":
        args = [a for a in as_list(method.get("args")) if isinstance(a, str)]
        env = {k: v for k, v in as_dict(method.get("env")).items() if isinstance(v, str)}
        return [agent_argv[0], *args], env
    return None


async def sign_in(
    provider: str, argv: list[str], env: dict[str, str], method: str, timeout: float
) -> tuple[list[str], dict[str, str]] | None:
    """Start the agent (``argv``), choose one of its ``authMethods`` (``method``, or its only
    one) and carry it out: ``authenticate`` when the agent does it, all within ``timeout``.
    Returns the command to run on the terminal instead, for a terminal method."""
    profile = AcpProfile()
    profile.name = provider
    profile.title = f"{provider} (signing in)"
    started = time.monotonic()
    deadline = started + timeout
    inv = Invocation(argv=argv, env=env, cwd=os.getcwd())
    agent = await AcpAgent.start(profile, inv, deadline, started)
    try:
        chosen = _choose(agent.auth_method_list, method, provider)
        on_terminal = terminal_command(chosen, argv)
        if on_terminal is not None:
            return on_terminal
        try:
            await agent.request("authenticate", {"methodId": as_str(chosen.get("id"))}, deadline)
        except RpcError as exc:
            raise CommandExecutionError(
                f"{provider} sign-in ({as_str(chosen.get('id'))}) failed: {exc.said}",
                details={"provider": provider, "code": exc.code},
            ) from None
        return None
    finally:
        await agent.aclose()
