"""The Claude provider: drives the official claude-agent-sdk (``query`` + ``ClaudeAgentOptions``).

The SDK owns the CLI process and its protocol. oauthpy adds what the SDK does not guarantee:
a total/idle timeout, and a hard stop when a run ends early. Every run's processes carry a
marker variable, so on timeout, cancellation or an early close `oauthpy._teardown.stop`
sends them SIGTERM first (the SDK's own close would wait up to 5 s for a graceful exit), runs
the SDK's close within the grace, and kills whatever is left.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import deque
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from oauthpy._agents.claude.asks import OWN_PREFIX, ClaudeAsks
from oauthpy._agents.claude.parser import ClaudeParser, expected_mode
from oauthpy._agents.claude.sdk import (
    CLOSE_WAIT_S,
    INSTALL_HINT,
    Reader,
    cli_parts,
    prompt_input,
    read_turn,
)
from oauthpy._errors import InvalidOptionsError, ProviderNotInstalledError
from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._redact import secret_values
from oauthpy._registry import get as _entry
from oauthpy._run_marks import RUN_ID_VAR
from oauthpy._teardown import stop
from oauthpy._transports.base import RETRY_OPTIONS, Opt, check_options

if TYPE_CHECKING:
    from oauthpy._events import ModelInfo
    from oauthpy._pool import AgentPool
    from oauthpy._transports.base import Conversation

PERMISSION_MODES = ("default", "acceptEdits", "plan", "bypassPermissions", "dontAsk", "auto")
#: longest stdout line the SDK may buffer (its default, 1 MB, fails on long replies)
MAX_LINE_BYTES = 256 * 1024 * 1024

OPTIONS: dict[str, Opt] = {
    "reasoning_effort": Opt((str,), _entry("claude").efforts),
    "max_turns": Opt((int,)),
    "permission_mode": Opt((str,), PERMISSION_MODES),
    "allowed_tools": Opt((list, tuple), items=str),
    "disallowed_tools": Opt((list, tuple), items=str),
    "system_prompt": Opt((str,)),
    "append_system_prompt": Opt((str,)),
    "mcp_servers": Opt((dict, str)),
    "max_budget_usd": Opt((int, float)),
    "output_format": Opt((dict,)),
    "sdk_options": Opt((dict,)),
    "ephemeral": Opt((bool,)),
    **RETRY_OPTIONS,
}


def _sdk_fields() -> set[str]:
    from claude_agent_sdk import ClaudeAgentOptions

    return {f.name for f in dataclasses.fields(ClaudeAgentOptions)}


class ClaudeProvider:
    name = "claude"
    transports: tuple[str, ...] = ("sdk",)
    asking: tuple[str, ...] = ("sdk",)
    ephemeral = True

    async def models(self, env: dict[str, str]) -> tuple[ModelInfo, ...]:
        from oauthpy._catalog import catalog_models

        return catalog_models(self.name)

    def open(self, transport: str | None, *, session: bool, pool: AgentPool | None) -> Conversation:
        if session:
            from oauthpy._agents.claude.session import ClaudeConversation

            return ClaudeConversation(self)
        if pool is not None:
            from oauthpy._agents.claude.pool import PooledClaude

            return PooledClaude(self, pool)
        return _OneShot(self)

    def check(self, request: RunRequest) -> None:
        opts = request.provider_options
        check_options(self.name, opts, OPTIONS)
        if isinstance(opts.get("max_turns"), int) and opts["max_turns"] < 1:
            raise InvalidOptionsError("provider_options['max_turns'] must be at least 1")
        fmt = opts.get("output_format")
        if fmt is not None and (fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict)):
            raise InvalidOptionsError(
                "provider_options['output_format'] must be {'type': 'json_schema', 'schema': {...}}"
            )
        if fmt is not None and request.output_schema is not None:
            raise InvalidOptionsError("give output_schema or provider_options['output_format'], not both")
        if request.on_permission is not None and opts.get("permission_mode") == "bypassPermissions":
            raise InvalidOptionsError(
                "permission_mode 'bypassPermissions' never asks: on_permission would not be called; "
                "remove one of them"
            )
        from oauthpy._lean import refuse

        refuse(self.name, request, permission=True, tools=True)
        if request.tools and isinstance(opts.get("mcp_servers"), str):
            raise InvalidOptionsError(
                "provider_options['mcp_servers'] must be a dict (not a config file path) when tools are given"
            )
        try:
            fields = _sdk_fields()
        except ImportError:
            raise ProviderNotInstalledError("claude-agent-sdk is not installed", hint=INSTALL_HINT) from None
        for key in opts.get("sdk_options") or {}:
            if key not in fields:
                raise InvalidOptionsError(
                    f"the installed claude-agent-sdk does not support option {key!r} (sdk_options)"
                )

    def options(
        self,
        request: RunRequest,
        env: dict[str, str],
        marker: str,
        stderr: deque[str],
        asks: ClaudeAsks | None = None,
    ) -> Any:
        """The ``ClaudeAgentOptions`` for a run (imports the SDK); ``asks``: the conversation's
        permission callback and tools, when it has them."""
        from claude_agent_sdk import ClaudeAgentOptions

        opts = request.provider_options
        # No model or effort unless asked: Claude Code then picks the account's defaults.
        kw: dict[str, Any] = {
            "model": request.model,
            "effort": opts.get("reasoning_effort"),
            "cwd": request.cwd,
            "include_partial_messages": True,
            "stderr": stderr.append,
        }
        for key in ("max_turns", "permission_mode", "allowed_tools", "disallowed_tools", "mcp_servers"):
            if opts.get(key) is not None:
                kw[key] = list(opts[key]) if isinstance(opts[key], tuple) else opts[key]
        if opts.get("max_budget_usd") is not None:
            kw["max_budget_usd"] = float(opts["max_budget_usd"])
        if opts.get("append_system_prompt"):
            kw["system_prompt"] = {
                "type": "preset",
                "preset": "claude_code",
                "append": opts["append_system_prompt"],
            }
        if opts.get("system_prompt") is not None:
            kw["system_prompt"] = opts["system_prompt"]
        schema = request.output_schema or (opts.get("output_format") or {}).get("schema")
        if schema is not None:
            kw["output_format"] = {"type": "json_schema", "schema": dict(schema)}
            if kw.get("max_turns") is not None:
                # the StructuredOutput call is a turn of its own, after the turns asked for; no
                # limit unless asked (a review reads files first; Claude Code bounds its own
                # retries of a malformed answer)
                kw["max_turns"] += 1
        if request.resume:
            kw["resume"] = request.resume
        # The SDK refuses stdout lines over 1 MB by default; a long reply is one line.
        kw["max_buffer_size"] = MAX_LINE_BYTES
        binary = env.get("OAUTHPY_CLAUDE_BINARY")
        if binary:
            kw["cli_path"] = binary
        if asks is not None:
            self._asking(kw, asks)
        if request.on_permission is not None:
            # The project's and the local settings (.claude/settings.json, settings.local.json)
            # can allow tools, set acceptEdits or add hooks: none of that may answer for the
            # callback. The user's own settings still apply (and the init's mode is checked).
            kw["setting_sources"] = ["user"]
        if not env.get("CLAUDE_AGENT_SDK_CLIENT_APP"):  # a label of the user's own wins
            from oauthpy import __version__

            kw["client_app"] = f"oauthpy/{__version__}"  # in the User-Agent, as the SDK asks apps
        if request.lean:
            from oauthpy._agents.claude.lean import options as lean

            kw.update(lean())
        kw.update(opts.get("sdk_options") or {})
        if opts.get("ephemeral"):
            # the CLI writes no transcript, so the session cannot be resumed later
            kw["extra_args"] = {**(kw.get("extra_args") or {}), "no-session-persistence": None}
        # The SDK starts from os.environ and can only set variables: a removed one is blanked.
        child_env = {k: "" for k in os.environ if k not in env}
        child_env.update(env)
        child_env.pop("CLAUDECODE", None)  # nested runs from inside Claude Code must work
        child_env[RUN_ID_VAR] = marker
        if schema is not None and "MAX_STRUCTURED_OUTPUT_RETRIES" not in env:
            # a malformed answer is asked for once more within the turn (Claude Code: 5 times)
            child_env["MAX_STRUCTURED_OUTPUT_RETRIES"] = "2"
        if request.tools:
            # Claude Code 2.1 otherwise lists SDK MCP tools only behind its ToolSearch step
            child_env["ENABLE_TOOL_SEARCH"] = "false"
        kw["env"] = child_env
        return ClaudeAgentOptions(**kw)

    @staticmethod
    def _asking(kw: dict[str, Any], asks: ClaudeAsks) -> None:
        extra = asks.sdk_options()
        if "mcp_servers" in extra:
            kw["mcp_servers"] = {**(kw.get("mcp_servers") or {}), **extra.pop("mcp_servers")}
            if asks.callback is None:
                # no callback to answer for them: the run's own tools are allowed up front
                own = [f"{OWN_PREFIX}{t.name}" for t in asks.tools]
                kw["allowed_tools"] = [*(kw.get("allowed_tools") or ()), *own]
        kw.update(extra)

    async def events(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        try:
            from claude_agent_sdk import query
        except ImportError:
            raise ProviderNotInstalledError("claude-agent-sdk is not installed", hint=INSTALL_HINT) from None
        marker, stderr, asks = cli_parts(request)
        if asks is not None:
            asks.start_turn(request)
        options = self.options(request, env, marker, stderr, asks)
        want = request.output_schema is not None or "output_format" in request.provider_options
        parser = ClaudeParser(
            want_structured=want,
            declined=asks.declined if asks else frozenset(),
            expect_mode=expected_mode(request),
        )
        secrets = secret_values(env)
        messages: Any = query(prompt=prompt_input(request), options=options)
        reader = Reader(messages, asks.news if asks is not None else None)
        finished = False
        try:
            turn = read_turn(reader, parser, request, stderr, secrets)
            async with contextlib.aclosing(turn):
                async for event in turn:
                    yield event
            finished = True
        finally:
            # A finished run's CLI ends when the SDK closes its stdin; any other gets SIGTERM
            # now, not after the SDK's 5 s graceful wait.
            await stop(marker, close=reader.close, term=not finished, grace=CLOSE_WAIT_S)
        for event in parser.finish():
            yield event


class _OneShot:
    """A run through the SDK's one-shot ``query()``: its CLI process lives for the run."""

    transport = "sdk"

    def __init__(self, provider: ClaudeProvider) -> None:
        self.turn = provider.events

    async def aclose(self) -> None:
        pass
