"""What makes one ACP agent different from another: an `AcpProfile`.

The Agent Client Protocol conversation is written once (`conversation`, `turn`, `asks`); an
agent is a profile: how its process starts, what it needs in its environment, how it words
usage and errors, how its own-tool calls look, which of its chunks are not answer text. The
defaults fit an agent that follows the protocol to the letter; a profile overrides only what
its agent does differently (`_agents/gemini/acp.py`). `AcpProvider` is the `Provider` any profile
becomes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from oauthpy._errors import (
    AuthRequiredError,
    CommandExecutionError,
    InvalidOptionsError,
    OauthPyError,
    QuotaExceededError,
    RateLimitError,
)
from oauthpy._events import Usage
from oauthpy._executables import which
from oauthpy._fields import as_dict, as_str
from oauthpy._mcp_tools import SERVER_NAME
from oauthpy._options import RunRequest
from oauthpy._transports.base import RETRY_OPTIONS, Opt, as_int, check_options

if TYPE_CHECKING:
    from oauthpy._transports.acp.turn import AcpTurn

#: ACP's JSON-RPC error code for "authentication required"
AUTH_REQUIRED = -32000
#: ACP's "resource not found" (an unknown session id)
NOT_FOUND = -32002
#: words of a failure that may pass on a retry (a model API that is down, overloaded, or cut
#: off mid-stream), where an agent's error carries no HTTP status
_TRANSIENT_WORDS = (
    "fetch failed",
    "econnrefused",
    "econnreset",
    "etimedout",
    "socket hang up",
    "unreachable",
    "overloaded",
    "ended early",
    "timed out",
    "connection",
    "temporarily",
    "cannot connect",
    "could not connect",
    "socket",
)


class AcpProfile:
    """One ACP agent. Class attributes are data; methods are the hooks a profile may override."""

    #: the provider's name (``RunResult.provider``, errors, permission requests)
    name = "acp"
    #: who it is in messages ("gemini --acp")
    title = "the ACP agent"
    #: how to install it, for `ProviderNotInstalledError`
    install_hint = "install the agent and put its program on PATH"
    #: how to log in, for `AuthRequiredError` (the agent's ``authMethods`` are added to it)
    login_hint = "log in with the agent's own command"
    #: the model set on every new session when a run names none (None: the agent's own)
    default_model: str | None = None
    #: oauthpy approval modes (``provider_options["approval_mode"]``) -> the agent's ACP modes
    modes: Mapping[str, str] = {}
    #: whether ``session/load`` works (None: as its ``initialize`` answer says)
    loads_sessions: bool | None = None
    #: ``provider_options`` it takes beyond the retry ones
    options: Mapping[str, Opt] = {"extra_args": Opt((list, tuple), items=str, help="more argv")}
    #: its profile makes a lean run of ``lean=True`` (docs/lean.md); else such a run is refused
    has_lean = False
    #: the name of the MCP server of the run's own tools (the model sees it in their names)
    tool_server = SERVER_NAME
    #: start its processes one after the other (in one event loop): for an agent whose
    #: processes race when they start at once (OpenCode migrates its database then)
    one_start_at_a_time = False
    #: its program is a launcher that starts the agent as a child and waits for it: a stop
    #: signals the agent first, so that the launcher reaps it (`Invocation.launcher`; a profile
    #: whose program may or may not be one says so in `launches`)
    launcher = False
    #: its sessions run side by side in one process (each turn's updates and questions carry
    #: their session's id): a batch's workers share one process (`AgentPool.share`)
    sessions_side_by_side = False
    #: words of its error messages that mean the model API refused the credentials, for an
    #: agent whose errors lose the HTTP status (compared case-insensitively)
    auth_words: tuple[str, ...] = ()
    #: words of its error messages that mean a failure a retry may cure, beyond the common ones
    transient_words: tuple[str, ...] = ()
    #: words of its error messages that mean the plan's usage limit or quota is spent, which no
    #: short wait cures (`QuotaExceededError`), compared case-insensitively; by default OpenAI's
    #: ``insufficient_quota`` as the OpenAI-compatible model APIs word it
    quota_words: tuple[str, ...] = ("insufficient_quota", "exceeded your current quota")
    #: the session catalogue (`oauthpy._transports.acp.catalogue`): a regular expression of the title the
    #: agent gives a session it has not named (the first prompt is shown instead)
    untitled_title = ""
    #: its own documented way to delete a session where ACP's ``session/delete`` is missing:
    #: ``"module:attribute"`` of an async function ``(provider, env, session_id, deadline)``
    deleter = ""
    #: why it cannot fork a session, where ACP's ``session/fork`` is missing
    no_fork = ""

    def launches(self, program: str) -> bool:
        """Whether ``program`` (as found) is a launcher of the agent (`launcher`)."""
        return self.launcher

    def session_folders(self, env: Mapping[str, str]) -> list[str] | None:
        """The folders a listing of every session asks ``session/list`` about one by one, for an
        agent whose ``session/list`` without ``cwd`` lists only the folder it runs in (None:
        one call without ``cwd`` lists them all)."""
        return None

    def turn(self, session_id: str, model: str | None, own: frozenset[str] = frozenset()) -> AcpTurn | None:
        """The translator of one turn when the agent needs its own (copilot streams its notices
        and errors as answer text); None: the generic `AcpTurn`."""
        return None

    def error_text(self, message: str) -> str:
        """The readable part of a failed request's message (the agent may wrap it)."""
        return message

    def argv(self, request: RunRequest, env: Mapping[str, str]) -> list[str]:
        """The command that starts the agent on stdio (process-level settings only: the model
        and the mode are set per ACP session, so runs that differ only there share a process)."""
        raise NotImplementedError

    def environment(self, env: Mapping[str, str], request: RunRequest) -> dict[str, str]:
        """The agent's environment: the run's, plus what the agent needs (e.g. settings).
        Process-level, like `argv`: runs whose environments differ get different processes."""
        return dict(env)

    def program(self, name: str, env: Mapping[str, str]) -> str:
        """``OAUTHPY_<NAME>_BINARY`` when set (another build, a wrapper), else ``name`` on the
        run's PATH, else `ProviderNotInstalledError` (nothing started)."""
        from oauthpy._errors import ProviderNotInstalledError

        explicit = env.get(binary_var(self.name))
        found = (
            explicit if explicit and os.access(explicit, os.X_OK) else None if explicit else which(name, env)
        )
        name = explicit or name
        if not found:
            raise ProviderNotInstalledError(
                f"{self.title} is not installed: {name!r} was not found", hint=self.install_hint
            )
        return found

    def check(self, request: RunRequest) -> None:
        """Raise `InvalidOptionsError` for what this agent cannot take; spawn nothing."""
        check_options(self.name, request.provider_options, {**self.options, **RETRY_OPTIONS})
        if request.lean and not self.has_lean:
            raise InvalidOptionsError(
                f"{self.name} has no lean run: oauthpy knows no options of it that turn its tools off",
                hint="run without lean=True",
            )

    def mode_of(self, request: RunRequest) -> str | None:
        """The ACP mode the run asks for (None: stay in the session's)."""
        mode = request.provider_options.get("approval_mode")
        return self.modes.get(mode) if isinstance(mode, str) else None

    # -- what comes back -------------------------------------------------------------------------

    def skip_chunk(self, text: str) -> bool:
        """Whether an ``agent_message_chunk`` is a notice of the agent's, not answer text."""
        return False

    def command_of(self, call: Mapping[str, Any]) -> str | None:
        """The shell command of an ``execute`` tool call: its ``rawInput.command`` as the model
        wrote it (an argv list joined), else None (then its title is shown)."""
        command = as_dict(call.get("rawInput")).get("command")
        if isinstance(command, list) and all(isinstance(c, str) for c in command):
            return " ".join(command)
        return command if isinstance(command, str) and command else None

    def command_result(self, text: str) -> tuple[str | None, int | None]:
        """A command call's output and exit code, from the text of its result (the content the
        agent reports); by default the text as it is, and no code."""
        return text or None, None

    def tool_of_permission(self, call: Mapping[str, Any]) -> tuple[str, Any] | None:
        """(tool name, arguments) of a question about a tool call that is no command and no
        file change; None makes it an ``other`` question."""
        title = as_str(call.get("title"))
        return (title, call.get("rawInput")) if title else None

    def own_tool_name(self, call: Any, own: frozenset[str]) -> str | None:
        """The run's own tool that a tool call update shows, so that its events are not
        reported twice (oauthpy reports each call of the run's tools itself, by the user's
        name). By default: a call of ``kind`` ``other`` titled with a registered tool's name,
        bare or as agents prefix MCP tools (``oauthpy_add``, ``mcp__oauthpy__add``)."""
        call = as_dict(call)
        if call.get("kind") not in (None, "other"):
            return None
        title = as_str(call.get("title"))
        for name in own:
            if title in (name, f"{self.tool_server}_{name}", f"mcp__{self.tool_server}__{name}"):
                return name
        return None

    def own_permission(self, params: Any, own: frozenset[str]) -> bool:
        """Whether a ``session/request_permission`` asks about one of the run's own tools,
        which oauthpy then allows itself. This decides a permission, so only what the agent
        fills in from what oauthpy registered may count, never what the model can write (a
        title can be either). The default trusts nothing: the question goes to
        ``on_permission``, and without a callback it is refused."""
        return False

    def tool_name(self, call_id: str, update: Mapping[str, Any]) -> str | None:
        """The agent's name for the tool of a call, where its updates carry one."""
        return None

    def usage(self, answer: Mapping[str, Any]) -> tuple[Usage, str | None] | None:
        """The turn's token usage and the model that answered, from the ``session/prompt``
        answer; None when it reports none. ACP's ``usage`` field by default."""
        usage = as_dict(answer.get("usage"))
        if not usage:
            return None
        inp, out = as_int(usage.get("inputTokens")), as_int(usage.get("outputTokens"))
        total = as_int(usage.get("totalTokens")) or inp + out
        cached = as_int(usage.get("cachedReadTokens"))
        return Usage(
            input_tokens=inp, cached_input_tokens=cached, output_tokens=out, total_tokens=total
        ), None

    def model_id(self, model: str, offered: tuple[str, ...]) -> str:
        """The agent's id for the model a run names (``offered``: the session's model ids);
        the name itself by default."""
        return model

    def model_name(self, model_id: str) -> str:
        """The model's name as a run reports it, from the agent's id; the id by default."""
        return model_id

    def chunk_usage(self, update: Mapping[str, Any]) -> Usage | None:
        """Usage an ``agent_message_chunk`` carries (an agent that reports each model request's
        there, not in the prompt's answer); the turn sums them. None by default."""
        return None

    def unknown_session(self, code: int | None, message: str, data: Any) -> bool:
        """Whether ``session/load``'s error says the agent has no such session."""
        return code == NOT_FOUND or "not found" in message.lower()

    def check_finish(self, answer: Mapping[str, Any], text: str, reported: bool) -> None:
        """Raise when a turn that ended normally did not really finish (an agent that reports a
        cut model stream as a success); ``reported``: whether it reported usage."""

    def classify(self, code: int | None, message: str, data: Any, auth_methods: str = "") -> OauthPyError:
        """A failed request as one error type. ``auth_methods``: the agent's, for the hint."""
        message = self.error_text(message)
        lowered = message.lower()
        status = as_dict(data).get("status")
        status = status if isinstance(status, int) else code if isinstance(code, int) and code > 0 else None
        details: dict[str, Any] = {"provider": self.name, "code": code, "status": status}
        if code == AUTH_REQUIRED or status in (401, 403) or _says(lowered, self.auth_words):
            hint = self.login_hint + (f"; the agent offers: {auth_methods}" if auth_methods else "")
            return AuthRequiredError(f"{self.name} is not authenticated: {message}", hint=hint)
        after = as_dict(data).get("retryAfter")
        wait = float(after) if isinstance(after, (int, float)) and not isinstance(after, bool) else None
        if _says(lowered, self.quota_words):
            return QuotaExceededError(
                f"{self.name} is out of quota: {message}", retry_after=wait, details=details
            )
        if status == 429 or "rate limit" in lowered:
            return RateLimitError(
                f"{self.name} was rate limited: {message}", retry_after=wait, details=details
            )
        transient = (isinstance(status, int) and 500 <= status < 600) or _says(
            lowered, _TRANSIENT_WORDS + self.transient_words
        )
        return CommandExecutionError(
            f"{self.name} run failed: {message}", details=details, transient=transient
        )


def _says(lowered: str, words: tuple[str, ...]) -> bool:
    return any(word.lower() in lowered for word in words)


def binary_var(provider: str) -> str:
    """The variable that names another program for ``provider`` (``OAUTHPY_ACP_TEST_BINARY``)."""
    return "OAUTHPY_" + provider.upper().replace("-", "_") + "_BINARY"


def auth_methods_text(methods: Any) -> str:
    """An ``initialize`` answer's ``authMethods`` as words for a hint: names and descriptions."""
    words = []
    for method in methods if isinstance(methods, list) else ():
        method = as_dict(method)
        name = as_str(method.get("name")) or as_str(method.get("id"))
        about = as_str(method.get("description"))
        if name:
            words.append(f"{name} ({about})" if about else name)
    return "; ".join(words)
