"""Codex against oauthpy's Responses fake: its ``config.toml`` and environment, and its test
provision (`PROVISION`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oauthpy.testing.provision import HTTP_FAULT_WORDS, Planted, Provision
from oauthpy.testing.responses import DEFAULT_MODEL, FAKE_OPENAI_KEY, KEY_VAR


def fake_env(
    fake: Any, codex_home: str | os.PathLike[str], *, api_key: str = FAKE_OPENAI_KEY
) -> dict[str, str]:
    """Write a ``config.toml`` into ``codex_home`` that sends codex to ``fake``, and return the env.

    The config uses a custom provider (no WebSocket, no login needed), turns background
    network features off and vendor retries down to zero so failures are fast. ``HOME`` is a
    directory of its own too: codex runs commands in a login shell, and the host's shell
    startup files (pyenv, conda, nvm hooks) would otherwise run and print into their output.
    """
    home = Path(codex_home)
    user_home = home / "home"
    user_home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(codex_config(fake.url, model=DEFAULT_MODEL))
    return {"CODEX_HOME": str(home), "HOME": str(user_home), KEY_VAR: api_key, "RUST_BACKTRACE": "0"}


def codex_config(base_url: str, *, model: str = DEFAULT_MODEL, use_login: bool = False) -> str:
    """The ``config.toml`` text that points codex at a fake Responses API at ``base_url``.

    By default the key comes from ``OAUTHPY_FAKE_OPENAI_KEY``; with ``use_login`` it is the one
    stored by ``codex login --with-api-key`` (``requires_openai_auth``).
    """
    auth = "requires_openai_auth = true" if use_login else f'env_key = "{KEY_VAR}"'
    return f"""# written by oauthpy.testing: send codex to a local fake Responses API
model = "{model}"
model_provider = "oauthpy-fake"

[model_providers.oauthpy-fake]
name = "oauthpy fake"
base_url = "{base_url}/v1"
{auth}
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 60000

[analytics]
enabled = false

[features]
plugins = false
unbounded_connection_retries = false
"""


def _redirect(env: dict[str, str], old_url: str, new_url: str) -> None:
    """Codex finds its model API in its ``config.toml``, not in its environment."""
    config = Path(env["CODEX_HOME"]) / "config.toml"
    config.write_text(config.read_text().replace(old_url, new_url))


def _no_login(fake: Any, root: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Codex's own OpenAI provider, sent to the fake: it needs the login that is not there (its
    fake's address is in its ``config.toml``, which an empty home has not)."""
    home = root / "user-home"
    home.mkdir(parents=True, exist_ok=True)
    # settings that keep it quiet and off the network (no login, no key among them)
    quiet = {
        "analytics": {"enabled": False},
        "features": {"plugins": False, "unbounded_connection_retries": False},
    }
    config = {"openai_base_url": f"{fake.url}/v1", **quiet}
    return {"HOME": str(home)}, {"model": DEFAULT_MODEL, "provider_options": {"config": config}}


def _saved_sessions(env: Mapping[str, str]) -> list[str]:
    return [path.name for path in Path(env["CODEX_HOME"], "sessions").rglob("rollout-*.jsonl")]


#: codex in the test suites: the binary its Python package installs (found like a user's), a
#: native program that starts at once
PROVISION = Provision(
    starts_at_once=True,
    answered_at_once=("lsb_release",),
    # no codex setting removes apply_patch; a lean run still asks before it and serves tools
    lean_tools=("apply_patch",),
    lean_takes_callbacks=True,
    # codex runs an approved command in its sandbox first (read-only by default) and again
    # outside only when it recognizes the denial, which codex 0.163 does not always do on a
    # loaded machine ("Read-only file system"); workspace-write lets the write succeed at once
    write_options=MappingProxyType({"sandbox": "workspace-write"}),
    redirect=_redirect,
    # `codex exec --json` has no text deltas: a command is what comes first
    text_deltas=False,
    whole_text_transports=("exec",),
    saved_sessions=_saved_sessions,
    login_vars=("OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_ACCESS_TOKEN"),
    no_login=_no_login,
    # it does not repeat the response body of a 429 or a 500
    error_body_statuses=(400, 401),
    fault_words=MappingProxyType(
        {
            **HTTP_FAULT_WORDS,
            "500": "high demand",  # codex words every 500 its own way
            "cut": "stream disconnected",
            "sse-error": "overloaded",
        }
    ),
    approving_settings=MappingProxyType(
        {"project-config": Planted({".codex/config.toml": 'approval_policy = "never"\n'})}
    ),
    install_words="pip install openai-codex-cli-bin==0.163.0",
    # a usage limit says when it resets (the app-server exactly, exec to the minute)
    quota_resets_at=True,
    # the app-server needs its sqlite state (`codex exec` answers without it)
    full_disk_words="sqlite state runtime",
    full_disk_exits=True,
)
