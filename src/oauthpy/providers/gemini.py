"""The Gemini provider: builds ``gemini --output-format stream-json`` invocations (CLI 0.61.0).

The prompt goes through stdin with no ``-p``: headless gemini takes piped stdin as the prompt
(verified with 0.61.0: a leading ``--`` stays text, and it is not in the process list). The
CLI's own limit for piped input is 8 MB.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..catalog import GEMINI_DEFAULT_MODEL as DEFAULT_MODEL
from ..errors import InvalidOptionsError, ProviderNotInstalledError
from ..executables import which
from ..options import RunRequest
from ..process import Invocation
from .base import RETRY_OPTIONS, Opt, check_options
from .gemini_parser import GeminiParser

APPROVAL_MODES = ("default", "auto_edit", "yolo", "plan")
MAX_PROMPT_BYTES = 8 * 1024 * 1024
INSTALL_HINT = "npm install -g @google/gemini-cli (or set OAUTHPY_GEMINI_BINARY)"

OPTIONS: dict[str, Opt] = {
    "approval_mode": Opt((str,), APPROVAL_MODES),
    "yolo": Opt((bool,)),
    "include_directories": Opt((list, tuple), items=str),
    "sandbox": Opt((bool,)),
    "extra_args": Opt((list, tuple), items=str),
    **RETRY_OPTIONS,
}


def find_binary(env: Mapping[str, str]) -> str:
    """``OAUTHPY_GEMINI_BINARY``, else ``gemini`` on PATH."""
    explicit = env.get("OAUTHPY_GEMINI_BINARY")
    if explicit:
        return explicit
    found = which("gemini", env)
    if not found:
        raise ProviderNotInstalledError("the Gemini CLI is not installed", hint=INSTALL_HINT)
    return found


class GeminiProvider:
    name = "gemini"
    transport = "cli"
    #: how the vendor says it does not know a resumed session id
    unknown_session = re.compile(
        r"Error resuming session|Invalid session identifier|No previous sessions found"
    )

    def check(self, request: RunRequest) -> None:
        opts = request.provider_options
        if "reasoning_effort" in opts:
            raise InvalidOptionsError(
                "the Gemini CLI has no reasoning-effort setting; remove reasoning_effort"
            )
        check_options(self.name, opts, OPTIONS)
        if opts.get("yolo") and opts.get("approval_mode") not in (None, "yolo"):
            raise InvalidOptionsError("yolo=True conflicts with approval_mode; give one of them")
        if len(self.prompt_text(request).encode()) > MAX_PROMPT_BYTES:
            raise InvalidOptionsError(f"prompt is larger than the Gemini CLI's {MAX_PROMPT_BYTES} byte limit")

    @staticmethod
    def prompt_text(request: RunRequest) -> str:
        if request.output_schema is None:
            return request.prompt
        # The CLI has no schema flag: ask for JSON; the shared runtime extracts and validates it.
        return (
            f"{request.prompt}\n\nReply with only one JSON value, no prose and no code fence, "
            f"that conforms to this JSON schema:\n{json.dumps(request.output_schema)}"
        )

    def build(self, request: RunRequest, env: dict[str, str]) -> Invocation:
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
            env=env,
            cwd=request.cwd,
            stdin=self.prompt_text(request).encode("utf-8"),
            install_hint=INSTALL_HINT,
            # gemini drops stdout past 64 KiB when it is a pipe: see process._open_pty
            stdout_pty=True,
        )

    def new_parser(self, request: RunRequest) -> GeminiParser:
        return GeminiParser(model=request.model or DEFAULT_MODEL)
