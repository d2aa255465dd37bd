"""Codex auth: ``CODEX_HOME`` relocates everything; ``codex login`` owns the credentials."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oauthpy._agents.codex.spec import SPEC
from oauthpy._auth.base import PROBE_TIMEOUT_S, LoginCommand, Probe, env_auth, home_of
from oauthpy._errors import InvalidOptionsError, OauthPyError

if TYPE_CHECKING:
    from oauthpy._options import RunRequest

ENV_MODES = {"CODEX_API_KEY": "api-key", "CODEX_ACCESS_TOKEN": "env"}


class CodexAuth:
    provider = "codex"
    state_var = SPEC.state_var
    strip_vars: tuple[str, ...] = ("OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_ACCESS_TOKEN")
    #: the pinned codex binary from PyPI (not `oauthpy[codex]`: the index's `oauthpy` is another project)
    install_hint = "pip install openai-codex-cli-bin==0.163.0 (or npm install -g @openai/codex)"
    key_hint = "or store an API key there: `oauthpy auth login --provider codex --with-api-key` (from stdin)"
    login_options: Mapping[str, type] = {}

    def external_state(self, env: Mapping[str, str]) -> Path:
        return Path(env.get("CODEX_HOME") or home_of(env) / ".codex")

    def find_binary(self, env: Mapping[str, str]) -> str | None:
        from oauthpy._agents.codex.provider import find_binary

        try:
            return find_binary(env)
        except OauthPyError:
            return None

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None:
        import tempfile  # lazy, as below: a fresh `oauthpy run` should not load them

        # A throwaway home: codex writes helper files into CODEX_HOME on every start.
        from oauthpy._commands import run_captured

        with tempfile.TemporaryDirectory(prefix="oauthpy-codex-version-") as tmp:
            probe_env = {**env, "CODEX_HOME": tmp, "TMPDIR": tmp}
            done = await run_captured([binary, "--version"], probe_env, timeout=PROBE_TIMEOUT_S)
        out = done.stdout.strip()
        return out.split()[-1] if done.returncode == 0 and out else None

    def probe_on_file(self, env: Mapping[str, str], state: Path, *, stored: bool = False) -> Probe | None:
        """What `probe` finds in the environment and files alone; None: codex must be asked.
        ``stored``: a login file counts as a login, unconfirmed, as the run's pre-flight counts
        it (choosing a run's source; `status` asks codex how it is logged in)."""
        found = env_auth(env, ENV_MODES)
        if found:
            return found
        custom = _custom_provider_auth(state / "config.toml", env)
        if custom:
            return custom
        if not state.is_dir():
            # codex refuses a missing CODEX_HOME, and nothing can be logged in there anyway.
            return Probe(False, reason="not_authenticated", details={"state_dir_exists": False})
        if stored and (state / "auth.json").is_file():  # codex's default store of a login
            return Probe(True, "login-state", verified=False)
        return None

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        on_file = self.probe_on_file(env, state)
        if on_file is not None:
            return on_file
        # codex lays helper binaries into CODEX_HOME unless it lies under TMPDIR: pointing
        # TMPDIR at the state dir keeps the probe from writing anything.
        probe_env = {**env, "CODEX_HOME": str(state), "TMPDIR": str(state)}
        from oauthpy._commands import run_captured  # a probe runs it, building a client does not

        done = await run_captured([binary, "login", "status"], probe_env, timeout=PROBE_TIMEOUT_S)
        said = (done.stderr + done.stdout).lower()
        if done.returncode == 0:
            if "chatgpt" in said:
                return Probe(True, "oauth")
            if "api key" in said:
                return Probe(True, "api-key")
            if "access token" in said:
                return Probe(True, "oauth")
            return Probe(True, "unknown")
        if "not logged in" in said:
            return Probe(False, reason="not_authenticated")
        return Probe(False, reason="status_failed", details={"status_exit_code": done.returncode})

    async def preflight(
        self, env: Mapping[str, str], state: Path, request: RunRequest, transport: str
    ) -> str | None:
        from oauthpy._agents.codex.preflight import missing_login

        return await missing_login(
            self.find_binary, env, state, request.provider_options, request.cwd, transport
        )

    def login_on_file(self, env: Mapping[str, str], state: Path, request: RunRequest, transport: str) -> bool:
        """Whether `preflight` passes without asking codex: the environment and files show a
        login, or a setting that may give one; False: only ``codex login status`` can say."""
        from oauthpy._agents.codex.preflight import has_login_on_file

        return has_login_on_file(env, state, request.provider_options, request.cwd, transport)

    def prepare_isolated(self, state: Path) -> None:
        from oauthpy._agents.codex.auth_config import ensure_credentials_store

        ensure_credentials_store(state / "config.toml")

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        if api_key is not None:
            if device_code:
                raise InvalidOptionsError("give either api_key or device_code, not both")
            # Through stdin: never in argv, where any user could read it from /proc.
            return LoginCommand([binary, "login", "--with-api-key"], stdin=api_key.encode())
        if device_code:
            return LoginCommand([binary, "login", "--device-auth"])
        return LoginCommand([binary, "login"])

    def logout_command(self, binary: str) -> list[str]:
        return [binary, "logout"]


def _custom_provider_auth(config: Path, env: Mapping[str, str]) -> Probe | None:
    """A non-OpenAI ``model_provider`` authenticates by its own ``env_key``, not by a login.

    Reads only the (non-secret) config.toml, as codex would, and only names the variable.
    """
    try:
        text = config.read_text(encoding="utf-8")
    except OSError:
        return None
    from oauthpy._agents.codex.toml_file import parsed_toml

    data = parsed_toml(text)
    if data is None:
        return None
    name = data.get("model_provider")
    providers = data.get("model_providers")
    if not isinstance(name, str) or name == "openai" or not isinstance(providers, dict):
        return None
    spec = providers.get(name)
    if not isinstance(spec, dict) or spec.get("requires_openai_auth"):
        return None  # such a provider uses the stored login: ask codex
    details = {"model_provider": name}
    var = spec.get("env_key")
    if not isinstance(var, str):
        return Probe(True, "unknown", details={**details, "note": "this provider needs no login"})
    if env.get(var):
        return Probe(True, "env", details={**details, "credential_source": f"env:{var}"})
    return Probe(False, reason="api_key_missing", details={**details, "missing_env": var})
