"""GitHub Copilot CLI (``copilot --acp --stdio``, @github/copilot 1.0.102) as an ACP profile.

What it does beyond the protocol's letter (facts from runs against oauthpy's fakes on the chat
completions, Responses and Messages wires; /work/notes/copilot.md):

* A failed model request is no JSON-RPC error: the turn ends ``end_turn`` with no ``usage``,
  after an ``agent_message_chunk`` that reads ``Error: ...`` (``Authentication failed with
  provider at <url> (HTTP 401)...``, ``Failed to get response from the AI model; retried 5 times
  (...) Last error: 429 Rate limited``). Its retries are chunks too (``Info: Request failed due
  to a transient API error. Retrying...``), as are other notices (``Info: <path>`` after a file
  edit, ``Info: Operation cancelled by user`` after a refusal, ``Warning: ...``). None of them is
  answer text. A stream cut mid-answer is retried after ``Info: Response was interrupted...``,
  and the new attempt's text follows the cut one's: `CopilotTurn` drops the cut text.
* ``usage`` in the ``session/prompt`` answer counts every turn of the session in this process,
  not the turn: `CopilotTurn` reports the difference to the session's previous answer.
* It asks before shell commands, file edits and MCP tools (options ``allow_once``,
  ``allow_always``, ``reject_once``); a refused call ends the turn (``end_turn``, no further model
  request). The run's own tools are allowed one by one (``--allow-tool=<server>(<tool>)``, after
  the name of oauthpy's MCP server), so it never asks about them; it names them
  ``<server>-<tool>`` (a hyphen). An allow names a server and a tool, whoever serves them: with
  a user's own server of the same name, its tool of the same name ran unasked (red team T11), so
  here the run's server is ``oauthpy-<random hex>``, a name no user config can hold (one per
  Python process, so warm agents are still shared).
* Its modes are URLs; ``autopilot`` turns every approval off, so oauthpy never selects it.
* Session ids are UUIDs; ``session/load`` of an unknown id is ``-32002 Resource not found``;
  loading a session the process already holds is ``-32602 ... is already loaded``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauthpy._errors import OauthPyError
from oauthpy._events import Event, EventKind, ModelInfo, Usage
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._mcp_tools import SERVER_NAME
from oauthpy._options import RunRequest
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.acp.provider import AcpProvider
from oauthpy._transports.acp.turn import AcpTurn
from oauthpy._transports.base import Opt, as_int

_MODE = "https://agentclientprotocol.com/protocol/session-modes#"
#: copilot's notices that are no answer text (a whole ``agent_message_chunk`` each): its
#: retries, a written file's path, a refusal, a model it has no token multiplier for
_NOTICE = re.compile(
    r"(Info: (Request failed|Response was interrupted|Operation cancelled|Disabled tools: |/)"
    r"|Warning: No token count)"
)
#: a failed turn's last chunk
_ERROR = "Error: "
#: notices after which the model request starts again, so the text so far was not the answer
_RETRYING = ("Info: Response was interrupted", "Info: Request failed due to a transient")
#: where copilot's error words carry the HTTP status
_STATUS = (
    re.compile(r"\(HTTP (\d{3})\)"),
    re.compile(r"Last error: (\d{3})\b"),
    re.compile(r"^(\d{3}) "),
)
#: the closing line copilot appends to a shell command's output
_SHELL_END = re.compile(r"\n?<shellId: \S+ completed with exit code (-?\d+)>\s*$")
#: how many sessions' usage totals are kept (one per live session; old ones are dropped)
_KEPT_TOTALS = 1024


class CopilotAcp(AcpProfile):
    name = "copilot"
    title = "copilot --acp"
    #: one process serves a batch's workers, a session each (`AgentPool.share`)
    sessions_side_by_side = True
    install_hint = "npm install -g @github/copilot (or set OAUTHPY_COPILOT_BINARY)"
    login_hint = (
        "run `copilot login` in a terminal (or `oauthpy auth login --provider copilot`), or set "
        "COPILOT_GITHUB_TOKEN; to try oauthpy with no account, OAUTHPY_OFFLINE=1"
    )
    #: oauthpy's approval mode "plan" is copilot's plan mode; "autopilot" (allow-all) never
    modes: Mapping[str, str] = {"plan": _MODE + "plan", "default": _MODE + "agent"}
    loads_sessions = True
    #: it says so when it gave up after its own retries (a cut stream, an overload)
    transient_words = ("retried", "stream ended")
    #: ACP has no session/delete here; its SDK server (``--headless``) has ``session.delete``
    deleter = "oauthpy._agents.copilot.delete:delete"
    #: the run's own tool server, under a name no user's MCP config can hold (see above)
    tool_server = f"{SERVER_NAME}-{secrets.token_hex(6)}"
    no_fork = (
        "copilot 1.0.102 has no fork (no ACP session/fork, no fork in its SDK server) and no "
        "export to copy through (`copilot sessions import` reads a JSONL format it neither "
        "documents nor writes)"
    )

    has_lean = True
    options: Mapping[str, Opt] = {
        "approval_mode": Opt((str,), ("default", "plan"), help="plan: copilot's plan mode"),
        "extra_args": Opt((list, tuple), items=str, help="more argv"),
    }

    def __init__(self) -> None:
        #: the last cumulative usage each session reported ({session id: counts})
        self.totals: dict[str, dict[str, int]] = {}

    def argv(self, request: RunRequest, env: Mapping[str, str]) -> list[str]:
        # the run's own tools, each by name: oauthpy serves them and reports their calls itself.
        # Not the whole server: a server of the user's own with the same name (`oauthpy mcp
        # serve` registered as "oauthpy") would have every tool of it run unasked.
        own = [f"--allow-tool={self.tool_server}({tool.name})" for tool in request.tools]
        if request.lean:
            from oauthpy._agents.copilot.lean import args

            own += args()
        return [self.program("copilot", env), "--acp", "--stdio", "--no-auto-update", *own]

    def check(self, request: RunRequest) -> None:
        super().check(request)
        from oauthpy._lean import refuse

        refuse("copilot", request, permission=True, tools=True)

    def launches(self, program: str) -> bool:
        from oauthpy._agents.copilot.sdk_server import is_npm_loader

        return is_npm_loader(program)

    def environment(self, env: Mapping[str, str], request: RunRequest) -> dict[str, str]:
        # copilot's own "allow every tool" would answer before oauthpy could (approvals fail
        # closed); running unasked is an explicit choice: extra_args=["--allow-all-tools"]
        return {**{k: v for k, v in env.items() if k != "COPILOT_ALLOW_ALL"}, "COPILOT_AUTO_UPDATE": "false"}

    def turn(self, session_id: str, model: str | None, own: frozenset[str] = frozenset()) -> AcpTurn:
        """The translator of one turn (the generic layer's `AcpTurn` cannot tell copilot's
        notices, errors and retries from answer text)."""
        return CopilotTurn(self, session_id, model, own)

    def skip_chunk(self, text: str) -> bool:
        return _NOTICE.match(text) is not None

    def own_tool_name(self, call: Any, own: frozenset[str]) -> str | None:
        found = super().own_tool_name(call, own)
        if found is not None:
            return found
        call = as_dict(call)
        title = as_str(call.get("title"))
        if call.get("kind") in (None, "other") and title.startswith(f"{self.tool_server}-"):
            name = title[len(self.tool_server) + 1 :]
            return name if name in own else None
        return None

    def usage(self, answer: Mapping[str, Any]) -> tuple[Usage, str | None] | None:
        reported = super().usage(answer)
        thought = as_int(as_dict(answer.get("usage")).get("thoughtTokens"))
        if reported is None or not thought:
            return reported
        return dataclasses.replace(reported[0], reasoning_output_tokens=thought), reported[1]

    def check_finish(self, answer: Mapping[str, Any], text: str, reported: bool) -> None:
        # copilot's error chunk, left in the text (the generic turn; or words not known to be
        # copilot's, which count when the turn reported no usage, as every failed one)
        # (a turn that reported usage succeeded, whatever its text says)
        at = text.rfind(_ERROR)
        if at >= 0 and not reported:
            raise self.classify(None, text[at + len(_ERROR) :], None)

    def classify(self, code: int | None, message: str, data: Any, auth_methods: str = "") -> OauthPyError:
        status = status_of(message)
        if status is not None and not as_dict(data).get("status"):
            data = {**as_dict(data), "status": status}
        return super().classify(code, message, data, auth_methods)

    def next_usage(self, session_id: str, usage: Any) -> dict[str, Any]:
        """This turn's share of a session's cumulative ``usage``: the difference to the last
        one reported. A count that went down is a new process's (a loaded session starts from
        zero), so it is the turn's own."""
        now = {k: as_int(v) for k, v in as_dict(usage).items() if isinstance(v, int)}
        before = self.totals.pop(session_id, {})
        self.totals[session_id] = now
        while len(self.totals) > _KEPT_TOTALS:
            self.totals.pop(next(iter(self.totals)))
        if any(now.get(k, 0) < v for k, v in before.items()):
            before = {}
        return {**as_dict(usage), **{k: v - before.get(k, 0) for k, v in now.items()}}


class CopilotTurn(AcpTurn):
    """One copilot turn: notices skipped, an ``Error:`` chunk raised at the end, a retried
    stream's cut text dropped, usage per turn."""

    __slots__ = ("error",)

    def __init__(
        self, profile: CopilotAcp, session_id: str, model: str | None, own: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(profile, session_id, model, own)
        self.error: str | None = None

    def feed(self, method: str, params: Any) -> list[Event]:
        update = as_dict(as_dict(params).get("update"))
        if method == "session/update" and update.get("sessionUpdate") == "agent_message_chunk":
            chunk = as_str(as_dict(update.get("content")).get("text"))
            if chunk.startswith(_RETRYING):
                self.turn_text = []  # streamed already, but not the answer: the retry's text is
                return []
            if error_words(chunk):
                self.error = chunk[len(_ERROR) :]
                return []
        return super().feed(method, params)

    def _tool(self, update: dict[str, Any], first: bool) -> Event:
        event = super()._tool(update, first)
        if event.kind is not EventKind.COMMAND or event.output is None:
            return event
        found = _SHELL_END.search(event.output)
        if found is None:
            return event
        exits = [
            as_dict(c).get("exitCode") for c in as_list(as_dict(update.get("rawOutput")).get("contents"))
        ]
        code = next((c for c in exits if isinstance(c, int)), int(found.group(1)))
        event = dataclasses.replace(event, output=event.output[: found.start()], exit_code=code)
        self.calls[as_str(update.get("toolCallId"))] = event
        return event

    def finish(self, answer: Any) -> list[Event]:
        profile = self.profile
        assert isinstance(profile, CopilotAcp)
        result = as_dict(answer)
        if result.get("usage"):
            # kept for the next turn's share even when this one is cancelled (it reports usage)
            result = {**result, "usage": profile.next_usage(self.session_id, result["usage"])}
        if self.error is not None and result.get("stopReason") != "cancelled":
            raise profile.classify(None, self.error, None)
        return super().finish(result)


def error_words(text: str) -> bool:
    """Whether ``text`` is one of copilot's error chunks (not a model's words that start so)."""
    if not text.startswith(_ERROR):
        return False
    said = text.removeprefix(_ERROR)
    return status_of(said) is not None or said.startswith(
        ("Failed to get response", "Authentication failed", "No response was returned")
    )


def status_of(message: str) -> int | None:
    """The HTTP status an error message of copilot's names, if any."""
    for pattern in _STATUS:
        found = pattern.search(message)
        if found is not None:
            return int(found.group(1))
    return None


class CopilotProvider(AcpProvider):
    async def models(self, env: dict[str, str]) -> tuple[ModelInfo, ...]:
        """The models of the GitHub login (``models.list`` of copilot's SDK server, which leaves
        no session behind, as a ``session/new`` would); none with a model provider of one's own."""
        from oauthpy._agents.copilot.sdk_server import list_models

        return await list_models(self.profile.program("copilot", env), env)


def provider() -> AcpProvider:
    return CopilotProvider(CopilotAcp())


def fake_env(fake: Any, root: Path) -> dict[str, str]:
    """The environment that sends a real ``copilot`` to one of oauthpy's fakes (BYOK): the chat
    completions fake, the Responses fake or the Messages fake, its state under ``root``.

    ``COPILOT_OFFLINE`` turns GitHub auth, telemetry, web tools and auto-update off. The CLI
    unpacks about 235 MB into ``$XDG_CACHE_HOME/copilot/pkg`` on its first start (3-4 s), so
    every root shares one cache directory per user; so does Node's compile cache (otherwise
    under each root's ``TMPDIR``: a quarter of every start's CPU, about 0.5 s, for a new root).
    """
    from oauthpy.testing.anthropic import FAKE_ANTHROPIC_KEY, FakeAnthropicServer
    from oauthpy.testing.chat import FakeChatServer
    from oauthpy.testing.responses import FAKE_OPENAI_KEY

    root = Path(root)
    dirs = {"HOME": root / "home", "TMPDIR": root / "tmp", "COPILOT_HOME": root / "copilot"}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.get("TMPDIR") or "/tmp") / f"oauthpy-copilot-cache-{os.getuid()}"
    if isinstance(fake, FakeAnthropicServer):
        wire = {"COPILOT_PROVIDER_TYPE": "anthropic", "COPILOT_PROVIDER_BASE_URL": fake.url}
        key = FAKE_ANTHROPIC_KEY
    elif isinstance(fake, FakeChatServer):
        wire = {"COPILOT_PROVIDER_TYPE": "openai", "COPILOT_PROVIDER_WIRE_API": "completions"}
        wire["COPILOT_PROVIDER_BASE_URL"] = fake.base_url
        key = fake.api_key
    else:  # the Responses fake
        wire = {"COPILOT_PROVIDER_TYPE": "openai", "COPILOT_PROVIDER_WIRE_API": "responses"}
        wire["COPILOT_PROVIDER_BASE_URL"] = f"{fake.url}/v1"
        key = FAKE_OPENAI_KEY
    from oauthpy.testing.node_cache import shared_compile_cache

    return {
        **shared_compile_cache(),
        **{var: str(path) for var, path in dirs.items()},
        "XDG_CACHE_HOME": str(cache),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_STATE_HOME": str(root / "state"),
        "XDG_DATA_HOME": str(root / "data"),
        "COPILOT_OFFLINE": "true",
        "COPILOT_AUTO_UPDATE": "false",
        **wire,
        # copilot masks this value wherever it occurs in its output: no scripted text holds it
        "COPILOT_PROVIDER_API_KEY": key,
        "COPILOT_MODEL": "fake-model",
        # no GitHub login may win over the fake
        "COPILOT_GITHUB_TOKEN": "",
        "GH_TOKEN": "",
        "GITHUB_TOKEN": "",
    }
