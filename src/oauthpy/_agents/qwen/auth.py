"""Qwen Code's auth: an API key only (its OAuth login ended in 2026-04).

The status is what the environment or its settings say: ``OPENAI_API_KEY`` set, or
``security.auth`` chosen in ``$QWEN_HOME/settings.json`` (``~/.qwen``), which oauthpy reads
for that one key, never the credentials; a run with neither is refused by the agent at once
(``-32000``), which oauthpy reports as `AuthRequiredError` with how to give a key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauthpy._agents.qwen.profile import KEY_HINT
from oauthpy._agents.qwen.spec import SPEC
from oauthpy._auth.base import PROBE_TIMEOUT_S, LoginCommand, Probe, env_auth, home_of
from oauthpy._commands import run_captured
from oauthpy._errors import InvalidOptionsError
from oauthpy._transports.acp.auth import AcpAuth


class QwenAuth(AcpAuth):
    key_hint = "or set OPENAI_API_KEY (with OPENAI_BASE_URL and OPENAI_MODEL) in env="
    login_options: Mapping[str, type] = {}

    def __init__(self) -> None:
        super().__init__(
            "qwen",
            "qwen",
            state_var=SPEC.state_var,
            key_vars=("OPENAI_API_KEY",),
            install_hint="npm install -g @qwen-code/qwen-code",
        )

    def external_state(self, env: Mapping[str, str]) -> Path:
        state = env.get("QWEN_HOME")
        return Path(state) if state else home_of(env) / ".qwen"

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None:
        done = await run_captured([binary, "--version"], env, timeout=PROBE_TIMEOUT_S)
        out = done.stdout.strip()
        return out.split()[-1] if done.returncode == 0 and out else None

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        by_env = env_auth(env, {"OPENAI_API_KEY": "api-key"})
        if by_env is not None:
            return by_env
        chosen = _selected_auth(state / "settings.json")
        if chosen:
            note = f"security.auth.selectedType is {chosen!r} in its settings"
            return Probe(True, "api-key", verified=False, details={"note": note})
        return Probe(False, reason="api_key_missing", hint=KEY_HINT)

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        raise InvalidOptionsError(
            "Qwen Code has no login of its own to run (its OAuth login ended)", hint=KEY_HINT
        )

    def logout_command(self, binary: str) -> list[str]:
        raise InvalidOptionsError("Qwen Code keeps no login to log out of", hint="unset OPENAI_API_KEY")


def _selected_auth(path: Path) -> str | None:
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    selected = (
        settings.get("security", {}).get("auth", {}).get("selectedType")
        if isinstance(settings, dict)
        else None
    )
    return selected if isinstance(selected, str) and selected else None
