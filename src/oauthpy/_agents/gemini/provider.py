"""The Gemini provider: builds ``gemini --output-format stream-json`` invocations (CLI 0.61.0).

The prompt goes through stdin with no ``-p``: headless gemini takes piped stdin as the prompt
(verified with 0.61.0: a leading ``--`` stays text, and it is not in the process list).

Two limits of the CLI, both silent in 0.61.0 and so checked here before spawning:

* it reads at most 8 MiB of stdin and cuts the rest off (``readStdin``, ``MAX_STDIN_SIZE``);
* before each model call it estimates the request at 4 characters per token (JavaScript string
  length, so UTF-16 code units, for a text part over 100,000 of them; ``estimateTextTokens``)
  and skips the call when that is more than the model's context window (``tokenLimit``:
  1,048,576 tokens, 256,000 for the gemma-4 models) minus its estimate of the conversation so
  far. Headless mode (``runNonInteractive`` in nonInteractiveCli.ts) has no branch for that
  ``ContextWindowWillOverflow`` event: the run ends with exit 0, no error record and a
  ``status: "success"`` result whose stats list no model. A first turn's conversation is the
  CLI's own session context (date, paths, folder listing; about 116 tokens in an empty folder),
  so a prompt fits only somewhat below 4 x 1,048,576 = 4,194,304 characters: measured, 4,193,843
  ASCII characters were sent and 4,193,844 were not (the same count of ``é`` or of UTF-16 units
  of emoji, so characters, not bytes). Prompts over the whole window are refused here; the rest
  (session context, resumed history) is caught by `GeminiParser`, which never reports a
  run without a model call as a success.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauthpy._agents.gemini.cli import INSTALL_HINT, find_binary
from oauthpy._agents.gemini.parser import GeminiParser
from oauthpy._errors import InvalidOptionsError
from oauthpy._options import RunRequest
from oauthpy._process import Invocation
from oauthpy._transports.base import RETRY_OPTIONS, Opt, check_options

if TYPE_CHECKING:
    from oauthpy._events import ModelInfo
    from oauthpy._pool import AgentPool
    from oauthpy._transports.base import Conversation

#: what runs without a model get: gemini routes each request to a model itself
DEFAULT_MODEL = "auto"
APPROVAL_MODES = ("default", "auto_edit", "yolo", "plan")
#: the CLI reads at most this much stdin and silently drops the rest
MAX_PROMPT_BYTES = 8 * 1024 * 1024
#: characters (UTF-16 code units) per token in the CLI's estimate of a request's size
CHARS_PER_TOKEN = 4
#: the CLI's context window per model (``tokenLimit``); every other model gets the default
CONTEXT_WINDOW_TOKENS = {"gemma-4-31b-it": 256_000, "gemma-4-26b-a4b-it": 256_000}
DEFAULT_CONTEXT_WINDOW_TOKENS = 1_048_576

OPTIONS: dict[str, Opt] = {
    "approval_mode": Opt((str,), APPROVAL_MODES),
    "yolo": Opt((bool,)),
    "include_directories": Opt((list, tuple), items=str),
    "sandbox": Opt((bool,)),
    "extra_args": Opt((list, tuple), items=str),
    **RETRY_OPTIONS,
}


def max_prompt_chars(model: str) -> int:
    """The most characters (UTF-16 code units) the CLI sends to ``model`` in one request."""
    return CONTEXT_WINDOW_TOKENS.get(model, DEFAULT_CONTEXT_WINDOW_TOKENS) * CHARS_PER_TOKEN


def utf16_length(text: str) -> int:
    """``text.length`` in JavaScript: characters outside the BMP (emoji) count twice."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class GeminiProvider:
    name = "gemini"
    #: ``stream-json``: a ``gemini -o stream-json`` process per turn; ``acp``: one live
    #: ``gemini --acp`` process for a session or a warm client (see `open`)
    transports: tuple[str, ...] = ("stream-json", "acp")
    asking: tuple[str, ...] = ("acp",)
    #: headless gemini takes text only: a run with attachments goes over ACP (image blocks)
    attaching: tuple[str, ...] = ("acp",)
    ephemeral = False

    async def models(self, env: dict[str, str]) -> tuple[ModelInfo, ...]:
        """The models a new ACP session offers (gemini answers offline, from its own list)."""
        from oauthpy._agents.gemini.acp import GEMINI
        from oauthpy._options import build_request
        from oauthpy._transports.acp.conversation import list_models
        from oauthpy._transports.live import REQUEST_WAIT_S

        request = build_request(None, require_prompt=False)
        return await list_models(GEMINI, self.launch(request, env), request, REQUEST_WAIT_S)

    def open(self, transport: str | None, *, session: bool, pool: AgentPool | None) -> Conversation:
        """Unless asked for one transport: ACP for a session or inside ``with Client`` (one
        process for every turn), ``stream-json`` for a lone run. ACP 0.61 does not carry a
        shell command's output or exit code, which ``stream-json`` does (docs/live.md); a lone
        run pays the same Node start-up on either."""
        from oauthpy._transports.oneshot import OneShotCli

        headless = OneShotCli(self, "stream-json")
        if transport is None:
            transport = "acp" if session or pool is not None else "stream-json"
        if transport == "stream-json":
            return headless
        from oauthpy._agents.gemini.acp import GeminiAcpConversation

        return GeminiAcpConversation(self.launch, session=session, pool=pool, headless=headless)

    def check(self, request: RunRequest) -> None:
        opts = request.provider_options
        if "reasoning_effort" in opts:
            raise InvalidOptionsError(
                "the Gemini CLI has no reasoning-effort setting; remove reasoning_effort"
            )
        check_options(self.name, opts, OPTIONS)
        if request.on_permission is not None:
            from oauthpy._agents.gemini.workspace import refuse_preapprovals

            refuse_preapprovals(request.cwd)
        if request.lean:
            from oauthpy._agents.gemini.lean import check

            check(request)
        if opts.get("yolo") and opts.get("approval_mode") not in (None, "yolo"):
            raise InvalidOptionsError("yolo=True conflicts with approval_mode; give one of them")
        prompt = self.prompt_text(request)
        size = len(prompt.encode("utf-8"))
        if size > MAX_PROMPT_BYTES:
            raise InvalidOptionsError(
                f"prompt is {size} bytes (UTF-8); the Gemini CLI reads at most {MAX_PROMPT_BYTES} "
                "bytes of input and drops the rest"
            )
        model = request.model or DEFAULT_MODEL
        limit = max_prompt_chars(model)
        # UTF-8 never takes fewer bytes than UTF-16 code units: most prompts skip the count
        chars = utf16_length(prompt) if size > limit else size
        if chars > limit:
            raise InvalidOptionsError(
                f"prompt is {chars} characters (UTF-16 code units); the Gemini CLI calls model "
                f"{model!r} only with at most {limit}, its {limit // CHARS_PER_TOKEN}-token context "
                f"window at {CHARS_PER_TOKEN} characters per token, less its own session context"
            )

    @staticmethod
    def prompt_text(request: RunRequest) -> str:
        # The CLI has no schema flag: ask for JSON; the shared runtime extracts and validates it.
        from oauthpy._structured import structured_prompt

        return structured_prompt(request)

    def build(self, request: RunRequest, env: dict[str, str]) -> Invocation:
        from oauthpy._agents.gemini.acp import GEMINI

        opts = request.provider_options
        argv = [find_binary(env), "--output-format", "stream-json", "--model", request.model or DEFAULT_MODEL]
        if opts.get("yolo"):
            argv.append("--yolo")
        elif opts.get("approval_mode"):
            argv += ["--approval-mode", opts["approval_mode"]]
        if opts.get("include_directories"):
            argv += ["--include-directories", ",".join(opts["include_directories"])]
        if opts.get("sandbox"):
            argv.append("--sandbox")
        if request.resume:
            argv += ["--resume", request.resume]
        argv += list(opts.get("extra_args") or ())
        return Invocation(
            argv=argv,
            env=GEMINI.environment(env, request),
            cwd=request.cwd,
            stdin=self.prompt_text(request).encode("utf-8"),
            install_hint=INSTALL_HINT,
            # gemini drops stdout past 64 KiB when it is a pipe: see `oauthpy._pty.open_pty`
            stdout_pty=True,
        )

    def launch(self, request: RunRequest, env: dict[str, str]) -> Invocation:
        """The ``gemini --acp`` process for a run: only process-level settings go here (model
        and approval mode are set per ACP session), so runs that share them share it."""
        from oauthpy._agents.gemini.acp import GEMINI

        argv = GEMINI.argv(request, env) + list(request.provider_options.get("extra_args") or ())
        return Invocation(
            argv=argv, env=GEMINI.environment(env, request), cwd=request.cwd, install_hint=INSTALL_HINT
        )

    def new_parser(self, request: RunRequest) -> GeminiParser:
        return GeminiParser(model=request.model or DEFAULT_MODEL, resume=request.resume)
