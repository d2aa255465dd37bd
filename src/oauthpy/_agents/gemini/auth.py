"""Gemini auth: ``GEMINI_CLI_HOME`` replaces the home dir the CLI keeps ``.gemini/`` under.

The Gemini CLI has no status command (and even ``gemini --version`` writes into its home), so
the status is read from the environment and the non-secret ``settings.json``, plus whether a
cached Google login exists. That file is never opened, so such a login is reported as
plausible but unverified.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oauthpy._agents.gemini.spec import SPEC
from oauthpy._auth.base import LoginCommand, Probe, home_of
from oauthpy._errors import InvalidOptionsError, OauthPyError

if TYPE_CHECKING:
    from oauthpy._options import RunRequest

#: the credential variables the CLI reads; removed from an isolated run unless given explicitly
CREDENTIAL_VARS = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_GCA",
    "GEMINI_CLI_USE_COMPUTE_ADC",
    "GOOGLE_CLOUD_ACCESS_TOKEN",
)
#: variables that make the CLI headless (no sign-in UI) even when it runs on a terminal
HEADLESS_VARS = ("CI", "GITHUB_ACTIONS")
LOGIN_FILES = ("oauth_creds.json", "gemini-credentials.json")
SYSTEM_SETTINGS = "/etc/gemini-cli/settings.json"
SYSTEM_DEFAULTS = "/etc/gemini-cli/system-defaults.json"


class GeminiAuth:
    provider = "gemini"
    state_var = SPEC.state_var
    strip_vars: tuple[str, ...] = CREDENTIAL_VARS
    install_hint = "npm install -g @google/gemini-cli"
    key_hint = "or pass GEMINI_API_KEY in env= and select gemini-api-key in the CLI's settings.json"
    login_options: Mapping[str, type] = {}

    def external_state(self, env: Mapping[str, str]) -> Path:
        return Path(env.get("GEMINI_CLI_HOME") or home_of(env))

    def find_binary(self, env: Mapping[str, str]) -> str | None:
        from oauthpy._agents.gemini.cli import find_binary

        try:
            return find_binary(env)
        except OauthPyError:
            return None

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None:
        # From the npm package the binary belongs to: running it would write into its home.
        here = Path(binary).resolve()
        for parent in list(here.parents)[:4]:
            manifest = parent / "package.json"
            if manifest.is_file():
                try:
                    data = json.loads(manifest.read_text())
                except ValueError:
                    return None
                if isinstance(data, dict) and data.get("name") == "@google/gemini-cli":
                    return str(data.get("version"))
        return None

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        dot = state / ".gemini"
        selected = _selected_type(dot / "settings.json") or _type_from_env(env)
        details: dict[str, Any] = {"selected_auth_type": selected}
        has_login = any((dot / name).exists() for name in LOGIN_FILES)
        if selected == "gemini-api-key":
            if env.get("GEMINI_API_KEY"):
                details["credential_source"] = "env:GEMINI_API_KEY"
                return Probe(True, "api-key", details=details)
            return Probe(False, reason="api_key_missing", details=details)
        if selected in ("oauth-personal", "login-with-google", None):
            if has_login:
                return Probe(True, "login-state", verified=False, details=details)
            return Probe(False, reason="not_authenticated", details=details)
        if selected in ("vertex-ai", "compute-default-credentials", "cloud-shell"):
            return Probe(True, "cloud", verified=False, details=details)
        if selected == "gateway":
            # gemini 0.61 picks "gateway" when only GOOGLE_GEMINI_BASE_URL says so, then rejects it.
            return Probe(
                False,
                reason="auth_type_not_selected",
                hint="select an auth type in settings.json (security.auth.selectedType)",
                details=details,
            )
        return Probe(False, reason="unknown_auth_type", details=details)

    async def preflight(
        self, env: Mapping[str, str], state: Path, request: RunRequest, transport: str
    ) -> str | None:
        """Sure only when the settings and the environment the CLI reads select a login that is
        not there (a Google login with no cached one, an API key that is unset). Another
        settings layer or a ``.env`` file could change that: then the CLI answers itself."""
        if request.provider_options.get("extra_args") or _other_sources(env, state, request.cwd):
            return None
        found = await self.probe("", env, state)
        if found.reason not in ("not_authenticated", "api_key_missing"):
            return None
        return f"the Gemini CLI has no login in {state / '.gemini'} and no API key is set"

    def prepare_isolated(self, state: Path) -> None:
        pass

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        if api_key is not None:
            raise InvalidOptionsError(
                "the Gemini CLI has no API-key login command",
                hint="pass GEMINI_API_KEY in env= and select gemini-api-key in the CLI's settings.json",
            )
        # The CLI's own sign-in lives in its interactive UI; NO_BROWSER makes it print a URL
        # and ask for the code instead of opening a browser. The CLI treats CI=true or
        # GITHUB_ACTIONS=true as headless even on a terminal, and then refuses to sign in
        # ("Please set an Auth method", exit 41): a login asked for explicitly is interactive.
        return LoginCommand(
            [binary],
            env={"NO_BROWSER": "true"} if device_code else {},
            unset=HEADLESS_VARS,
            needs_terminal=True,
        )

    def logout_command(self, binary: str) -> list[str]:
        raise InvalidOptionsError(
            "the Gemini CLI has no logout command",
            hint="run `gemini` and use its /auth command to switch accounts",
        )


def _other_sources(env: Mapping[str, str], state: Path, cwd: str) -> bool:
    """Whether settings or ``.env`` files other than the user's settings.json exist (the CLI
    merges system and workspace settings, and loads ``.env`` files up from the cwd)."""
    system = (
        env.get("GEMINI_CLI_SYSTEM_SETTINGS_PATH") or SYSTEM_SETTINGS,
        env.get("GEMINI_CLI_SYSTEM_DEFAULTS_PATH") or SYSTEM_DEFAULTS,
    )
    if any(Path(p).exists() for p in system):
        return True
    here = Path(cwd).resolve()
    user_settings = (state / ".gemini" / "settings.json").resolve()
    for d in (here, *here.parents, state):
        if (d / ".env").exists() or (d / ".gemini" / ".env").exists():
            return True
        workspace = d / ".gemini" / "settings.json"
        if d != state and workspace.exists() and workspace.resolve() != user_settings:
            return True
    return False


def _type_from_env(env: Mapping[str, str]) -> str | None:
    """The auth type the CLI derives from the environment when settings select none (its order)."""
    if env.get("GOOGLE_GENAI_USE_GCA") == "true":
        return "oauth-personal"
    if env.get("GOOGLE_GENAI_USE_VERTEXAI") == "true":
        return "vertex-ai"
    if env.get("GOOGLE_GEMINI_BASE_URL"):
        return "gateway"
    if env.get("GEMINI_API_KEY"):
        return "gemini-api-key"
    if env.get("GEMINI_CLI_USE_COMPUTE_ADC") == "true":
        return "compute-default-credentials"
    return None


def _selected_type(settings: Path) -> str | None:
    try:
        data = json.loads(settings.read_text())
    except (OSError, ValueError):
        return None
    security = data.get("security") if isinstance(data, dict) else None
    auth = security.get("auth") if isinstance(security, dict) else None
    value = auth.get("selectedType") if isinstance(auth, dict) else None
    return value if isinstance(value, str) else None
