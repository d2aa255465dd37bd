"""Gemini CLI 0.61 over ``gemini --acp``: what it does beyond the protocol's letter.

* It asks before a shell command (``kind: execute``, the command only as the ``title``), a file
  edit and every MCP tool call (``title`` ``"<tool> (<server> MCP Server)"``, the arguments as
  JSON text in ``content``). Read-only commands such as ``echo`` run without asking.
* It reports usage per model in ``_meta.quota`` of the prompt's answer, and a turn without
  any model call (a cut stream, a prompt over the context window) as an ordinary end.
* It puts ``[MODE_UPDATE]`` notices in the answer text when a session's mode changes.
* It advertises ``loadSession`` but cannot load (``session/load`` answers "No previous sessions
  found"); it writes every ACP turn to its chat files, and headless ``gemini --resume <id>``
  carries them on: a conversation that is only on disk goes on through the headless path
  (`GeminiAcpConversation`).
* A failed prompt's JSON-RPC code is the model API's HTTP status; the message is often the
  API's JSON error body.

Recorded messages: tests/recordings/gemini-acp/.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from oauthpy._agents.gemini.parser import CONNECTION_FAILURES, QUOTA_WORDS
from oauthpy._errors import (
    CommandExecutionError,
    InvalidOptionsError,
    OauthPyError,
)
from oauthpy._events import Event, Usage
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._mcp_tools import SERVER_NAME
from oauthpy._options import RunRequest
from oauthpy._pool import AgentPool
from oauthpy._transports.acp.conversation import AcpConversation, Launch
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.base import Conversation, as_int
from oauthpy._transports.live import LiveAgent

#: the Gemini CLI's switch that keeps it from re-spawning itself (see `GeminiAcp.environment`)
NO_RELAUNCH_VAR = "GEMINI_CLI_NO_RELAUNCH"

_MCP_SUFFIX = " MCP Server)"
#: the option ids gemini offers only for an MCP tool's confirmation (fixed by the tool's class)
_MCP_OPTION_IDS = frozenset({"proceed_always_server", "proceed_always_tool"})
#: what gemini says in the answer text when a session's mode changes; not part of any answer
_MODE_UPDATE = "[MODE_UPDATE]"


def mcp_title(title: str) -> tuple[str, str] | None:
    """(tool, server) of an MCP tool call's title ``"<tool> (<server> MCP Server)"``."""
    if not title.endswith(_MCP_SUFFIX) or " (" not in title:
        return None
    tool, _, rest = title.rpartition(" (")
    return tool, rest[: -len(_MCP_SUFFIX)]


#: the option ids gemini offers only for an MCP tool's confirmation (fixed by the tool's class)
_MCP_OPTION_IDS = frozenset({"proceed_always_server", "proceed_always_tool"})


def own_tool_name(call: Any, own: frozenset[str]) -> str | None:
    """The name of the run's own tool that a tool call (a ``tool_call`` update or a permission's
    ``toolCall``) shows, else None.

    Only what gemini fills in from what oauthpy registered counts, never what the model writes:
    the call's ``kind`` comes from the tool's class (``other`` for an MCP tool; a shell command is
    ``execute``, a write ``edit``), and its title is the display name ``"<tool> (oauthpy MCP
    Server)"`` of a tool oauthpy registered in this conversation. The ``toolCallId`` is the
    model's own call id when it gives one: it proves nothing.
    """
    call = as_dict(call)
    if call.get("kind") != "other":
        return None
    found = mcp_title(as_str(call.get("title")))
    if found is None or found[1] != SERVER_NAME or found[0] not in own:
        return None
    return found[0]


def own_permission(params: Any, own: frozenset[str]) -> bool:
    """Whether a ``session/request_permission`` asks about one of the run's own tools.

    Besides `own_tool_name`: the options must be an MCP tool's confirmation (gemini offers
    ``proceed_always_server``/``_tool`` for MCP tools only), and the arguments must hold no
    string ``command``, since gemini shows an MCP tool's ``command`` argument (the model's text)
    as its title in place of the display name.
    """
    options = {as_str(as_dict(o).get("optionId")) for o in as_list(as_dict(params).get("options"))}
    call = as_dict(as_dict(params).get("toolCall"))
    if not options & _MCP_OPTION_IDS or own_tool_name(call, own) is None:
        return False
    arguments = _arguments(call.get("content"))
    if isinstance(arguments, dict):
        return not isinstance(arguments.get("command"), str)
    return isinstance(arguments, str) and _plain_omitted(arguments)


def _plain_omitted(text: str) -> bool:
    """Whether gemini's placeholder for long arguments names all of them, none ``command``."""
    head = "[Payload omitted due to length"
    if not text.startswith(head) or not text.endswith("]") or text.endswith(", ...]"):
        return False
    _, _, names = text[len(head) : -1].partition("with parameters: ")
    return "command" not in (n.strip() for n in names.split(","))


def _arguments(content: Any) -> Any:
    for block in as_list(content):
        text = as_str(as_dict(as_dict(block).get("content")).get("text"))
        if text:
            try:
                return json.loads(text)
            except ValueError:
                return text
    return None


def api_message(message: str) -> str:
    """The model API's own message, when gemini passes its JSON error body on as the text."""
    if message.startswith("{"):
        try:
            inner = json.loads(message)
        except ValueError:
            return message
        said = as_dict(as_dict(inner).get("error")).get("message")
        if isinstance(said, str) and said:
            return said
    return message


class GeminiAcp(AcpProfile):
    name = "gemini"
    title = "gemini --acp"
    #: one process serves a batch's workers, a session each (`AgentPool.share`)
    sessions_side_by_side = True
    install_hint = "npm install -g @google/gemini-cli (or set OAUTHPY_GEMINI_BINARY)"
    #: its lean settings come with its environment (`environment`, `gemini.lean`)
    has_lean = True
    login_hint = "log in with `gemini` (or `oauthpy auth login --provider gemini`), or set GEMINI_API_KEY"
    default_model = "auto"
    #: oauthpy's approval modes (the headless CLI's names) -> ACP session modes
    modes: Mapping[str, str] = {"auto_edit": "autoEdit", "yolo": "yolo", "plan": "plan"}
    loads_sessions = False
    auth_words = ("API key not valid",)
    transient_words = CONNECTION_FAILURES
    # not OpenAI's words: the Gemini API says "You exceeded your current quota" of a per-minute
    # quota too
    quota_words = QUOTA_WORDS

    def argv(self, request: RunRequest, env: Mapping[str, str]) -> list[str]:
        from oauthpy._agents.gemini.cli import find_binary

        opts = request.provider_options
        argv = [find_binary(env), "--acp"]
        if opts.get("include_directories"):
            argv += ["--include-directories", ",".join(opts["include_directories"])]
        if opts.get("sandbox"):
            argv.append("--sandbox")
        return argv

    def environment(self, env: Mapping[str, str], request: RunRequest | None = None) -> dict[str, str]:
        from oauthpy._agents.gemini.settings import run_settings_env

        # One Node process instead of the CLI's launcher that re-spawns it with a larger heap:
        # about 1 s and a third of the CPU less per start, and a plain SIGTERM works. The CLI
        # tests the variable for any non-empty value: ``""`` in the caller's env keeps the relaunch.
        if request is not None and request.lean:
            from oauthpy._agents.gemini.lean import environment

            return {NO_RELAUNCH_VAR: "true", **env, **environment(env)}
        return {NO_RELAUNCH_VAR: "true", **env, **run_settings_env(env)}

    def mode_of(self, request: RunRequest) -> str | None:
        return "yolo" if request.provider_options.get("yolo") else super().mode_of(request)

    def skip_chunk(self, text: str) -> bool:
        return text.startswith(_MODE_UPDATE)

    def command_of(self, call: Mapping[str, Any]) -> str | None:
        return None  # the title is the command as the model wrote it

    def tool_of_permission(self, call: Mapping[str, Any]) -> tuple[str, Any] | None:
        mcp = mcp_title(as_str(call.get("title")))
        return (mcp[0], _arguments(call.get("content"))) if mcp is not None else None

    def own_tool_name(self, call: Any, own: frozenset[str]) -> str | None:
        return own_tool_name(call, own)

    def own_permission(self, params: Any, own: frozenset[str]) -> bool:
        return own_permission(params, own)

    def tool_name(self, call_id: str, update: Mapping[str, Any]) -> str | None:
        # gemini's call ids are "<tool>__<n>" (run_shell_command__1)
        return call_id.split("__", 1)[0] if "__" in call_id else None

    def usage(self, answer: Mapping[str, Any]) -> tuple[Usage, str | None] | None:
        quota = as_dict(as_dict(answer.get("_meta")).get("quota"))
        by_model = [m for m in as_list(quota.get("model_usage")) if isinstance(m, dict)]
        if not by_model:
            return None
        tokens = as_dict(quota.get("token_count"))
        inp, out = as_int(tokens.get("input_tokens")), as_int(tokens.get("output_tokens"))
        answered = [as_str(m.get("model")) for m in by_model if as_str(m.get("model")) not in ("", "auto")]
        usage = Usage(input_tokens=inp, output_tokens=out, total_tokens=inp + out)
        return usage, answered[-1] if answered else None

    def check_finish(self, answer: Mapping[str, Any], text: str, reported: bool) -> None:
        reason = as_str(answer.get("stopReason"))
        if not reported and text:
            # Text came, but no model call was accounted for: the stream broke off.
            raise CommandExecutionError(
                "gemini ended the turn without a complete model reply (the model stream was cut)",
                details={"provider": "gemini", "stop_reason": reason},
                transient=True,
            )
        if not reported:
            # gemini skips the call when it estimates the request over the model's context window
            raise CommandExecutionError(
                "gemini never called the model (the prompt with its session context may be over "
                "the model's context window)",
                details={"provider": "gemini", "stop_reason": reason},
            )

    def error_text(self, message: str) -> str:
        return api_message(message)


GEMINI = GeminiAcp()


def classify_rpc_error(code: int | None, message: str) -> OauthPyError:
    """A failed ``session/prompt`` of gemini as one error type (its code is the HTTP status)."""
    return GEMINI.classify(code, message, None)


class GeminiAcpConversation(AcpConversation):
    """Gemini's ACP conversation, which goes on headless where the conversation is only on disk."""

    @property
    def transport(self) -> str:  # type: ignore[override]  # a property in the base too
        return "stream-json" if self._on_disk is not None else "acp"

    def __init__(
        self, launch: Launch, *, session: bool, pool: AgentPool | None, headless: Conversation
    ) -> None:
        super().__init__(GEMINI, launch, session=session, pool=pool)
        #: carries a conversation that exists only on disk (see the module's docstring)
        self._headless = headless
        #: the session's id once its turns go through the headless path
        self._on_disk: str | None = None

    async def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        if self._on_disk is None and request.resume and not self.thread_is_live():
            self._on_disk = request.resume
            await self._drop_agent()  # its process no longer has the session, if it ever had it
        if self._on_disk is None:
            yielded = False
            gen = super().turn(request, env)
            try:
                async with contextlib.aclosing(gen):
                    async for event in gen:
                        yielded = True
                        yield event
                return
            except CommandExecutionError:
                # The session's process died before this turn showed anything (killed between
                # turns, say): the conversation is on disk, so the turn goes on there.
                if yielded or not self._session or self._thread is None or self.thread_is_live():
                    raise
                self._on_disk = self._thread
        if request.tools or request.on_permission is not None:
            # headless gemini can neither ask nor call the run's tools (nor does it offer the
            # model shell or write tools outside yolo mode)
            raise InvalidOptionsError(
                "gemini cannot take on_permission or tools in a conversation that goes on from "
                "disk (resume=, or a session whose gemini process was lost)",
                hint="start a new session for tools and permission prompts",
            )
        request = dataclasses.replace(request, resume=self._on_disk)
        gen = self._headless.turn(request, env)
        async with contextlib.aclosing(gen):
            async for event in gen:
                yield event

    async def _open(
        self, agent: LiveAgent, request: RunRequest, deadline: float | None
    ) -> tuple[str, str | None]:
        # A `resume=` of the caller's goes on from disk (`turn`); one that reaches here is the
        # session's own conversation on a new process, after its agent was stopped. Gemini
        # cannot load it there, so it goes on in a new ACP session (its history stays on disk).
        return await super()._open(agent, dataclasses.replace(request, resume=None), deadline)

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            await self._headless.aclose()
