"""Codex against oauthpy's Responses fake: its ``config.toml`` and environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
