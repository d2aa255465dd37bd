"""Whether a codex run can authenticate, answered before codex starts.

Without a login, codex 0.163 sends its model requests with no credentials: offline it retries
"waiting for network" for minutes, online it gets a 401 only after its start-up. So a run first
looks at what codex itself would use, cheapest first, and stops only when it is sure that
nothing is there; whenever a setting it does not read could change the answer, the run goes on.

What codex uses (checked against the pinned 0.163): ``CODEX_API_KEY`` (``codex exec`` only; the
app-server ignores it, and both ignore ``OPENAI_API_KEY``), ``CODEX_ACCESS_TOKEN``, the login in
``CODEX_HOME`` (``auth.json``, or the OS keyring when configured so), or a model provider that
needs no OpenAI login (a custom ``model_providers`` entry without ``requires_openai_auth``, or
a built-in local one). This is what the app-server's ``account/read`` reports as
``requiresOpenaiAuth``, computed here without starting a process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from oauthpy._errors import OauthPyError

#: codex's system-wide config layer (below ``$CODEX_HOME/config.toml``)
SYSTEM_CONFIG = Path("/etc/codex/config.toml")
#: bound on ``codex login status`` (it answers in milliseconds; the whole check must stay short)
STATUS_TIMEOUT_S = 4.0
#: variables that carry a credential, per transport
EXEC_VARS = ("CODEX_API_KEY", "CODEX_ACCESS_TOKEN")
APP_SERVER_VARS = ("CODEX_ACCESS_TOKEN",)


async def missing_login(
    find_binary: Callable[[Mapping[str, str]], str | None],
    env: Mapping[str, str],
    state: Path,
    options: Mapping[str, Any],
    cwd: str,
    transport: str,
) -> str | None:
    """Why codex has no credentials for this run, or None when it has (or may have) some."""
    if has_login_on_file(env, state, options, cwd, transport):
        return None
    # The login may still be in the OS keyring: only codex can say.
    from oauthpy._commands import run_captured  # a process: only when the files cannot say

    binary = find_binary(env)
    if binary is None:
        return None  # the run itself says how to install codex
    probe_env = {**env, "CODEX_HOME": str(state), "TMPDIR": str(state)}  # TMPDIR: writes nothing
    try:
        done = await run_captured([binary, "login", "status"], probe_env, timeout=STATUS_TIMEOUT_S)
    except OauthPyError:
        return None
    if done.returncode == 0 or "not logged in" not in (done.stderr + done.stdout).lower():
        return None
    reason = f"codex has no login in {state} and no API key is set"
    if transport != "exec" and env.get("CODEX_API_KEY"):
        reason += " (CODEX_API_KEY is read by `codex exec` only, not by the app-server transport)"
    return reason


def has_login_on_file(
    env: Mapping[str, str], state: Path, options: Mapping[str, Any], cwd: str, transport: str
) -> bool:
    """Whether the run has (or may have) credentials by what the environment and files say;
    False: only ``codex login status`` can tell (a login in the OS keyring)."""
    if options.get("extra_args"):
        return True  # flags oauthpy does not read (--oss, -c ...) may choose another provider
    if any(env.get(var) for var in (EXEC_VARS if transport == "exec" else APP_SERVER_VARS)):
        return True
    if (state / "auth.json").is_file():
        return True  # a stored login (codex's default store is this file)
    return needs_openai_login(state, options, cwd) is not True


def needs_openai_login(state: Path, options: Mapping[str, Any], cwd: str) -> bool | None:
    """Whether the run's model provider is OpenAI's (or one that uses its login); None: unknown."""
    merged: dict[str, Any] = {}
    for path in (SYSTEM_CONFIG, state / "config.toml", *_project_configs(cwd, state)):
        layer = _read_toml(path)
        if layer is None:
            return None  # codex will refuse it itself, with its own message
        _merge(merged, layer)
    overrides: dict[str, Any] = {}
    for key, value in (options.get("config") or {}).items():
        _merge(overrides, _nest(str(key).split("."), value))
    _merge(merged, overrides)
    name: Any = merged.get("model_provider")
    profile = options.get("profile") or merged.get("profile")
    if profile is not None:
        chosen = _table(_table(merged.get("profiles")).get(profile))
        if "model_provider" in chosen and "model_provider" not in overrides:
            name = chosen["model_provider"]
    if name is None or name == "openai":
        return True
    if not isinstance(name, str):
        return None
    return _table(_table(merged.get("model_providers")).get(name)).get("requires_openai_auth") is True


def _project_configs(cwd: str, state: Path) -> list[Path]:
    """``.codex/config.toml`` of the project layers, outermost first (codex reads them in
    trusted projects; reading them always can only make the check say "maybe")."""
    here = Path(cwd).resolve()
    found = [d / ".codex" / "config.toml" for d in (here, *here.parents)]
    own = (state / "config.toml").resolve()
    return [p for p in reversed(found) if p.is_file() and p.resolve() != own]


def _read_toml(path: Path) -> dict[str, Any] | None:
    """A config layer ({} when absent); None when it is not valid TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    if "model_provider" not in text and "profile" not in text:
        return {}  # chooses no provider: not worth the parser (and its import) on every run
    from oauthpy._agents.codex.toml_file import parsed_toml  # this runs before every codex turn

    return parsed_toml(text)


def _merge(into: dict[str, Any], layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _nest(parts: list[str], value: Any) -> dict[str, Any]:
    return {parts[0]: value if len(parts) == 1 else _nest(parts[1:], value)}


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
