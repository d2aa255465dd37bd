"""The Codex provider: builds ``codex exec --json`` invocations (flags of codex 0.163).

The prompt always goes through stdin (``-``), so it is invisible in ``ps``, a leading ``-`` is
never a flag, and size is not limited by argv.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oauthpy._errors import InvalidOptionsError, ProviderNotInstalledError
from oauthpy._executables import which
from oauthpy._invocation import Invocation
from oauthpy._options import RunRequest
from oauthpy._provider_options import RETRY_OPTIONS, Opt, check_options
from oauthpy._registry import get as _entry

if TYPE_CHECKING:
    from oauthpy._agents.codex.exec_parser import CodexParser
    from oauthpy._events import ModelInfo
    from oauthpy._pool import AgentPool
    from oauthpy._transports.base import Conversation

SANDBOXES = ("read-only", "workspace-write", "danger-full-access")
#: codex 0.163 refuses longer input ("input_too_large"); checked before spawning
MAX_PROMPT_CHARS = 1_048_576
INSTALL_HINT = "pip install openai-codex-cli-bin==0.163.0 (or npm install -g @openai/codex)"

OPTIONS: dict[str, Opt] = {
    "reasoning_effort": Opt((str,), _entry("codex").efforts),
    "sandbox": Opt((str,), SANDBOXES),
    "profile": Opt((str,)),
    "add_dirs": Opt((list, tuple), items=str),
    "skip_git_repo_check": Opt((bool,)),
    "ephemeral": Opt((bool,)),
    "config": Opt((dict,)),
    "extra_args": Opt((list, tuple), items=str),
    **RETRY_OPTIONS,
}

_BARE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")


def toml_value(value: Any) -> str:
    """Encode a Python value as a TOML value for ``-c key=value``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise InvalidOptionsError(f"config value of type {type(value).__name__} cannot be TOML-encoded")


def toml_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidOptionsError(f"config keys must be non-empty strings, got {key!r}")
    return key if _BARE_KEY.match(key) else json.dumps(key)


def find_binary(env: Mapping[str, str]) -> str:
    """``OAUTHPY_CODEX_BINARY``, else ``codex`` on PATH, else the openai-codex-cli-bin package."""
    explicit = env.get("OAUTHPY_CODEX_BINARY")
    if explicit:
        return explicit
    found = which("codex", env)
    if found:
        return found
    try:
        import codex_cli_bin  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ProviderNotInstalledError("the Codex CLI is not installed", hint=INSTALL_HINT) from None
    return str(codex_cli_bin.bundled_codex_path())


class CodexProvider:
    name = "codex"
    #: ``app-server``: one live process, text deltas, fast follow-up turns; ``exec``: a
    #: ``codex exec --json`` process per turn
    transports: tuple[str, ...] = ("app-server", "exec")
    asking: tuple[str, ...] = ("app-server",)
    ephemeral = True

    def open(self, transport: str | None, *, session: bool, pool: AgentPool | None) -> Conversation:
        if transport == "exec":
            from oauthpy._transports.oneshot import OneShotCli

            return OneShotCli(self, transport)
        from oauthpy._agents.codex.app import AppServerConversation

        return AppServerConversation(self.launch, session=session, pool=pool)

    async def models(self, env: dict[str, str]) -> tuple[ModelInfo, ...]:
        """``model/list`` of the installed codex (offline: its bundled catalog)."""
        from oauthpy._agents.codex.app import list_models
        from oauthpy._options import build_request
        from oauthpy._transports.live import REQUEST_WAIT_S

        inv = self.launch(build_request(None, require_prompt=False), env)
        home = env.get("CODEX_HOME") or os.path.expanduser("~/.codex")
        return await list_models(inv, home, REQUEST_WAIT_S)

    def launch(self, request: RunRequest, env: dict[str, str]) -> Invocation:
        """The ``codex app-server`` process for a run: only process-level settings go here
        (thread and turn settings travel in the requests), so runs that share them share it."""
        opts = request.provider_options
        argv = [find_binary(env)]
        if opts.get("profile"):
            argv += ["--profile", opts["profile"]]
        argv += ["app-server", "--listen", "stdio://"]
        argv += ["-c", "features.shell_snapshot=false"]  # see build()
        if opts.get("add_dirs"):
            roots = [str(Path(request.cwd, d)) for d in opts["add_dirs"]]
            argv += ["-c", f"sandbox_workspace_write.writable_roots={toml_value(roots)}"]
        for key, value in (opts.get("config") or {}).items():
            argv += ["-c", f"{key}={toml_value(value)}"]
        argv += list(opts.get("extra_args") or ())
        return Invocation(argv=argv, env=env, cwd=request.cwd, install_hint=INSTALL_HINT)

    def check(self, request: RunRequest) -> None:
        opts = request.provider_options
        check_options(self.name, opts, OPTIONS)
        if len(request.prompt) > MAX_PROMPT_CHARS:
            raise InvalidOptionsError(
                f"prompt is {len(request.prompt)} characters; codex accepts at most {MAX_PROMPT_CHARS}"
            )
        for key, value in (opts.get("config") or {}).items():
            toml_key(key)  # each dotted part is validated by codex itself
            toml_value(value)

    def build(self, request: RunRequest, env: dict[str, str]) -> Invocation:
        opts = request.provider_options
        argv = [find_binary(env), "exec", "--json"]
        resume = request.resume
        if resume:
            argv.append("resume")
        if opts.get("skip_git_repo_check", True):
            argv.append("--skip-git-repo-check")
        if not resume:
            argv += ["--cd", request.cwd]
        if request.model:
            argv += ["-m", request.model]
        if opts.get("reasoning_effort"):  # else codex's own default for the model, as `codex exec`
            argv += ["-c", f"model_reasoning_effort={toml_value(opts['reasoning_effort'])}"]
        # codex's shell snapshot is a login shell started in a session of its own that outlives
        # short runs; killing it mid-profile can corrupt user state (a `pyenv rehash` lock).
        # Commands still run in a login shell without it. `config` can turn it back on.
        argv += ["-c", "features.shell_snapshot=false"]
        if opts.get("sandbox") and not resume:
            argv += ["--sandbox", opts["sandbox"]]
        if opts.get("profile"):
            argv += ["--profile", opts["profile"]]
        for d in opts.get("add_dirs") or ():
            argv += ["--add-dir", d]
        if opts.get("ephemeral"):
            argv.append("--ephemeral")
        for key, value in (opts.get("config") or {}).items():
            argv += ["-c", f"{key}={toml_value(value)}"]
        inv = Invocation(argv=argv, env=env, cwd=request.cwd, install_hint=INSTALL_HINT)
        try:
            if request.attachments:
                argv += _images(request, inv)
            if request.lean:
                argv += _lean_args(inv, env, request.cwd)
            if request.output_schema is not None:
                import tempfile  # only for an output schema

                fd, path = tempfile.mkstemp(prefix="oauthpy-schema-", suffix=".json")
                inv.cleanups.append(lambda: os.unlink(path))
                with os.fdopen(fd, "w") as fh:
                    json.dump(request.output_schema, fh)
                argv += ["--output-schema", path]
            argv += list(opts.get("extra_args") or ())
            if resume:
                argv.append(resume)
            argv.append("-")  # the prompt comes on stdin
            inv.stdin = request.prompt.encode("utf-8")
        except BaseException:
            inv.cleanup()  # nobody else holds the invocation yet: its temp file goes now
            raise
        return inv

    def new_parser(self, request: RunRequest) -> CodexParser:
        from oauthpy._agents.codex.exec_parser import CodexParser

        return CodexParser(model=request.model, resume=request.resume)


def _lean_args(inv: Invocation, env: dict[str, str], cwd: str) -> list[str]:
    """A lean run's flags, its instructions in a private file removed with the process."""
    import tempfile

    from oauthpy._agents.codex.lean import exec_args, mcp_servers
    from oauthpy._lean import PROMPT

    fd, path = tempfile.mkstemp(prefix="oauthpy-lean-", suffix=".md")
    inv.cleanups.append(lambda: os.unlink(path))
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(PROMPT)
    home = env.get("CODEX_HOME") or os.path.expanduser("~/.codex")
    return exec_args(path, mcp_servers(home, cwd))


def _images(request: RunRequest, inv: Invocation) -> list[str]:
    """``--image=`` for a private copy of each attachment's checked bytes (removed with the
    process): codex reads what oauthpy checked, and the user's path, where codex would split a
    comma, is never on the command line. ``--image=PATH``, never ``--image PATH``: its values
    are greedy and would take the prompt."""
    from oauthpy._attachments import private_copies, private_folder, remove_copies

    folder = private_folder()
    inv.cleanups.append(lambda: remove_copies(folder))
    if "," in folder:  # the copies' own names have none
        raise InvalidOptionsError(
            f"codex exec splits --image= at commas, and the temporary folder {folder!r} has one",
            hint="set TMPDIR to a folder without a comma, or use transport='app-server'",
        )
    return [f"--image={path}" for path in private_copies(request.attachments, folder)]
