"""Claude auth: ``CLAUDE_CONFIG_DIR`` relocates the state; ``claude auth`` owns the login."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oauthpy._agents.claude.spec import SPEC
from oauthpy._auth.base import PROBE_TIMEOUT_S, LoginCommand, Probe, env_auth, home_of
from oauthpy._commands import run_captured
from oauthpy._errors import InvalidOptionsError
from oauthpy._executables import which

if TYPE_CHECKING:
    from oauthpy._options import RunRequest

ENV_MODES = {
    "ANTHROPIC_API_KEY": "api-key",
    "ANTHROPIC_AUTH_TOKEN": "env",
    "CLAUDE_CODE_OAUTH_TOKEN": "oauth",
    "CLAUDE_CODE_USE_BEDROCK": "cloud",
    "CLAUDE_CODE_USE_VERTEX": "cloud",
    "CLAUDE_CODE_USE_FOUNDRY": "cloud",
}
LOGIN_METHODS = ("claudeai", "console", "sso")
#: settings an administrator sets for every user (Linux, macOS); they may supply credentials
MANAGED_SETTINGS = (
    Path("/etc/claude-code/managed-settings.json"),
    Path("/Library/Application Support/ClaudeCode/managed-settings.json"),
)


def bundled_cli() -> Path | None:
    """The ``claude`` binary inside the installed claude-agent-sdk wheel (without importing it)."""
    spec = importlib.util.find_spec("claude_agent_sdk")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "_bundled" / "claude"
    return path if path.is_file() else None


class ClaudeAuth:
    provider = "claude"
    state_var = SPEC.state_var
    strip_vars: tuple[str, ...] = (
        *ENV_MODES,
        "ANTHROPIC_FOUNDRY_API_KEY",
        "AWS_BEARER_TOKEN_BEDROCK",
    )
    install_hint = "pip install claude-agent-sdk"
    key_hint = "or pass ANTHROPIC_API_KEY in env="
    login_options: Mapping[str, type] = {"method": str, "email": str}

    def external_state(self, env: Mapping[str, str]) -> Path:
        return Path(env.get("CLAUDE_CONFIG_DIR") or home_of(env) / ".claude")

    def _config_file(self, env: Mapping[str, str], state: Path) -> Path:
        # Without CLAUDE_CONFIG_DIR the CLI keeps its config next to the dir, in ~/.claude.json.
        if env.get("CLAUDE_CONFIG_DIR"):
            return state / ".claude.json"
        return home_of(env) / ".claude.json"

    def find_binary(self, env: Mapping[str, str]) -> str | None:
        explicit = env.get("OAUTHPY_CLAUDE_BINARY")
        if explicit:
            return explicit
        bundled = bundled_cli()
        return str(bundled) if bundled else which("claude", env)

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None:
        stamp = Path(binary).with_name("claude.version")
        if stamp.is_file():  # the SDK wheel records the bundled version next to the binary
            return stamp.read_text().split()[0]
        done = await run_captured([binary, "--version"], env, timeout=PROBE_TIMEOUT_S)
        out = done.stdout.strip()
        return out.split()[0] if done.returncode == 0 and out else None

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        found = env_auth(env, ENV_MODES)
        if found:
            return found
        if not self._config_file(env, state).exists():
            # The CLI has never run with this state, so nothing can be logged in; and its
            # first start would write its config here, which a status check must not do.
            return Probe(False, reason="not_authenticated")
        done = await run_captured([binary, "auth", "status", "--json"], env, timeout=PROBE_TIMEOUT_S)
        try:
            info = json.loads(done.stdout)
        except ValueError:
            info = None
        if not isinstance(info, dict):
            return Probe(False, reason="status_failed", details={"status_exit_code": done.returncode})
        details = {k: info[k] for k in ("authMethod", "apiProvider") if isinstance(info.get(k), str)}
        if not info.get("loggedIn"):
            return Probe(False, reason="not_authenticated", details=details)
        return Probe(True, _mode(info), details=details)

    async def preflight(
        self, env: Mapping[str, str], state: Path, request: RunRequest, transport: str
    ) -> str | None:
        """Sure only of a state the CLI has never run in, with no credential variable and no
        settings (an ``apiKeyHelper`` there could supply a key); the CLI answers the rest itself,
        without a model request."""
        opts = request.provider_options
        if env_auth(env, ENV_MODES) or opts.get("sdk_options"):
            return None
        if self._config_file(env, state).exists() or (state / "settings.json").exists():
            return None
        if any(path.exists() for path in MANAGED_SETTINGS):
            return None
        return f"Claude Code has no login in {state} and no API key is set"

    def prepare_isolated(self, state: Path) -> None:
        pass

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        if api_key is not None:
            raise InvalidOptionsError(
                "Claude Code has no API-key login command",
                hint="set ANTHROPIC_API_KEY in the environment and use auth_source='external'",
            )
        if device_code:
            raise InvalidOptionsError(
                "Claude Code has no device-code login; its login prints a URL and asks for the code"
            )
        argv = [binary, "auth", "login"]
        method = options.get("method", "claudeai")
        if method not in LOGIN_METHODS:
            raise InvalidOptionsError(
                f"login method must be one of {', '.join(LOGIN_METHODS)}; got {method!r}"
            )
        argv.append(f"--{method}")
        if options.get("email"):
            argv += ["--email", options["email"]]
        return LoginCommand(argv)

    def logout_command(self, binary: str) -> list[str]:
        return [binary, "auth", "logout"]


def _mode(info: Mapping[str, Any]) -> str:
    provider = str(info.get("apiProvider") or "firstParty")
    if provider != "firstParty":
        return "cloud"
    method = str(info.get("authMethod") or "").lower()
    if "key" in method or method == "console":
        return "api-key"
    if "claude" in method or "oauth" in method:
        return "oauth"
    return "unknown"
