"""OpenCode (``opencode acp``, opencode-ai 1.18) as an ACP profile.

What it does beyond the protocol's letter (facts from runs against the chat-completions fake):

* It resolves paths from ``$PWD``, not from its process's working directory: ``PWD`` is the run's.
* It asks nobody by default (shell, writes, web fetches, MCP tools all run unasked). With an
  ``on_permission`` callback, the shell, edits and web fetches are set to ``ask``, at the top
  level and for every agent that sets permissions of its own (`opencode_settings`); the run's
  own tools are never asked about.
* ``opencode acp`` also serves its HTTP API on 127.0.0.1 with no password unless
  ``OPENCODE_SERVER_PASSWORD`` is set: oauthpy sets a random one, the same for every process it
  starts (one per Python process, so warm agents are still shared), and masks it.
* It offers the model as a config option (``configOptions``), not ``models``; its session ids
  are ``ses_...``; ``usage`` covers the turn's last model request only.
* A failed model request is ``-32603 "Internal error: <the API's message>"``: the HTTP status is
  lost, so errors are told apart by their words. It retries 429 and 5xx itself, up to 5 times.
* A refused command ends the turn at once (``end_turn``, no reply text) unless its config sets
  ``experimental.continue_loop_on_deny``, which oauthpy does with ``on_permission``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauthpy._options import RunRequest
from oauthpy._redact import remember_secrets
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.acp.provider import AcpProvider
from oauthpy._transports.base import Opt

#: the embedded HTTP server's password for every opencode this Python process starts
_SERVER_PASSWORD = secrets.token_hex(16)
remember_secrets([_SERVER_PASSWORD])
_PLUGIN = {"@opencode-ai/plugin": "1.18.33"}


class OpencodeAcp(AcpProfile):
    name = "opencode"
    title = "opencode acp"
    install_hint = "npm install -g opencode-ai (or set OAUTHPY_OPENCODE_BINARY)"
    login_hint = "run `opencode auth login` in a terminal (or `oauthpy auth login --provider opencode`)"
    #: oauthpy's approval mode "plan" is OpenCode's plan agent (no edit tools)
    modes: Mapping[str, str] = {"plan": "plan"}
    #: processes started at once on a new data dir race to create its database ("Failed
    #: query: CREATE TABLE ..."), and all but one exit
    one_start_at_a_time = True
    #: one `opencode acp` serves many sessions at once (its server runs each): a batch starts one
    #: process, not one per worker (about 5 CPU-s and 500 MB each)
    sessions_side_by_side = True
    #: what OpenCode says when the model API refused the key (the status itself is not passed on)
    auth_words = ("api key", "unauthorized", "authentication", "forbidden", "401", "403")
    #: what the OpenAI API says of a passing failure (OpenCode retried it 5 times already)
    transient_words = ("server had an error", "server error", "try again", "at capacity", "unavailable")
    #: what it titles a session it has not named (title requests off, or not answered yet)
    untitled_title = r"New session - \d{4}-\d\d-\d\dT[\d:.]+Z"
    #: ACP has no session/delete here; `opencode session delete <id>` is its own
    deleter = "oauthpy._agents.opencode.delete:delete"

    has_lean = True
    options: Mapping[str, Opt] = {
        "approval_mode": Opt((str,), ("default", "plan"), help="plan: OpenCode's plan agent, no edits"),
        "extra_args": Opt((list, tuple), items=str, help="more argv"),
    }

    def argv(self, request: RunRequest, env: Mapping[str, str]) -> list[str]:
        return [self.program("opencode", env), "acp"]

    def environment(self, env: Mapping[str, str], request: RunRequest) -> dict[str, str]:
        extra = {
            "PWD": request.cwd,
            "OPENCODE_DISABLE_AUTOUPDATE": "1",
            "OPENCODE_SERVER_PASSWORD": _SERVER_PASSWORD,
        }
        if request.on_permission is not None:
            from oauthpy._agents.opencode.settings import asking

            content, asked = asking(request.cwd, env)
            extra["OPENCODE_PERMISSION"] = json.dumps(asked)
            extra["OPENCODE_CONFIG_CONTENT"] = content
        if request.lean:
            from oauthpy._agents.opencode.lean import environment

            extra.update(environment(env))
        return {**env, **extra}

    def check(self, request: RunRequest) -> None:
        super().check(request)
        from oauthpy._lean import refuse

        refuse("opencode", request, permission=True, tools=True)

    def unknown_session(self, code: int | None, message: str, data: Any) -> bool:
        # it answers an unknown id with a bare "OpenCode service failure"
        return super().unknown_session(code, message, data) or "service failure" in message.lower()

    def error_text(self, message: str) -> str:
        return message.removeprefix("Internal error: ")


def provider() -> AcpProvider:
    return AcpProvider(OpencodeAcp())


def fake_env(fake: Any, root: Path) -> dict[str, str]:
    """The environment that sends a real ``opencode acp`` to oauthpy's chat-completions fake,
    all its state under ``root`` (no title requests, no OpenCode Zen models, no npm install)."""
    root = Path(root)
    dirs = {var: root / name for var, name in (
        ("HOME", "home"), ("TMPDIR", "tmp"), ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state"),
    )}  # fmt: skip
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # opencode installs its plugin package into its config dir at every start unless it is there
    config = dirs["XDG_CONFIG_HOME"] / "opencode"
    (config / "node_modules").mkdir(parents=True, exist_ok=True)
    (config / "package.json").write_text(json.dumps({"dependencies": _PLUGIN}))
    (config / "package-lock.json").write_text(json.dumps({"packages": {"": {"dependencies": _PLUGIN}}}))
    # the fake provider is whole in the config below; an empty model catalogue spares each start
    # parsing the models.dev one it bundles (about 1 of its 4 CPU-s), and OpenCode then knows no
    # provider but the fake: another agent's key in the environment (ANTHROPIC_API_KEY) is no
    # OpenCode login to `opencode auth list` (doctor's picture shows the fake's stored key)
    catalogue = root / "models.json"
    catalogue.write_text("{}")
    # a model that takes images, else OpenCode swaps a prompt's image for an error text
    modalities = {"input": ["text", "image"], "output": ["text"]}
    models = {name: {"name": name, "modalities": modalities} for name in ("fake-model", "fake-model-large")}
    content = {
        "model": "fake/fake-model",
        "disabled_providers": ["opencode"],
        "agent": {"title": {"disable": True}},
        "provider": {
            "fake": {
                "npm": "@ai-sdk/openai-compatible",
                "name": "Fake",
                "options": {"baseURL": fake.base_url, "apiKey": fake.api_key},
                "models": models,
            }
        },
    }
    return {
        **{var: str(path) for var, path in dirs.items()},
        "OPENCODE_CONFIG_CONTENT": json.dumps(content),
        # the fake's key as a stored credential too: `opencode auth list` then reports a login
        "OPENCODE_AUTH_CONTENT": json.dumps({"fake": {"type": "api", "key": fake.api_key}}),
        "OPENCODE_DISABLE_MODELS_FETCH": "1",
        "OPENCODE_MODELS_PATH": str(catalogue),
        # a run against a fake lasts seconds: Bun's optimizing JIT tier (FTL) and its parallel
        # GC markers only cost CPU there (a sixth of a start's, more with agents side by side)
        "BUN_JSC_useFTLJIT": "0",
        "BUN_JSC_numberOfGCMarkers": "1",
        "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
        "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
        "OPENCODE_DISABLE_CLAUDE_CODE": "1",
        "OPENCODE_DISABLE_EXTERNAL_SKILLS": "1",
        "OPENCODE_PURE": "1",
    }
