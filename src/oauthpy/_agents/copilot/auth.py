"""GitHub Copilot CLI auth: ``COPILOT_HOME`` moves its state, its SDK server tells the status.

``copilot`` has no status command, but its SDK server (``copilot --headless --stdio``, JSON-RPC
in ``Content-Length`` frames) answers ``auth.getStatus`` with ``isAuthenticated`` and a
``statusMessage``, offline and without a model request; oauthpy asks that, within a bound, and
never opens the token. The same server lists the models of a GitHub login (``models.list``).
A token in ``COPILOT_GITHUB_TOKEN``, ``GH_TOKEN`` or ``GITHUB_TOKEN`` logs in by itself, and a
model provider of one's own (BYOK, ``COPILOT_PROVIDER_BASE_URL``) needs no GitHub login at all.
Login is ``copilot login`` (browser, or ``--device-code``; ``--with-token`` reads a token on
stdin; ``--host`` for GitHub Enterprise Cloud).

Copilot keeps a login's token in the system keychain under host and user, which every
``COPILOT_HOME`` shares (a logout in one home logs out the others), or, with its
``storeTokenPlaintext`` setting, in its ``config.json``: an isolated home gets that setting, so
its login stays in it. There is no logout command; the ACP server's ``logout`` request is the
way (``agentCapabilities.auth.logout``). Copilot 1.0.102 removes a login's keychain entry even
when the token is kept in its config: without a keychain (no Secret Service on Linux) its
logout fails and the login stays, which oauthpy reports; and with one it would take the login of
every home of that user along, so oauthpy does not log a home out while ``~/.copilot`` holds a
login of the same user.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauthpy._agents.copilot.sdk_server import BYOK_VAR, LOGIN_HINT, sdk_request
from oauthpy._agents.copilot.spec import SPEC
from oauthpy._auth.base import PROBE_TIMEOUT_S, LoginCommand, Probe, env_auth, home_of
from oauthpy._commands import run_captured
from oauthpy._errors import CommandExecutionError, InvalidOptionsError
from oauthpy._fields import as_dict
from oauthpy._process import Invocation
from oauthpy._redact import redact
from oauthpy._transports.acp.auth import AcpAuth

#: the token variables it reads, in its order of precedence
TOKEN_VARS = ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
#: the setting (in ``settings.json``) that keeps a login's token in its home, not the keychain
PLAINTEXT_SETTING = "storeTokenPlaintext"
_VERSION = re.compile(r"\b(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)")


class CopilotAuth(AcpAuth):
    key_hint = "or set COPILOT_GITHUB_TOKEN (a fine-grained token with Copilot Requests) in env="
    #: ``host``: a GitHub Enterprise Cloud host (``https://example.ghe.com``) for ``copilot login``
    login_options: Mapping[str, type] = {"host": str}

    def __init__(self) -> None:
        super().__init__(
            "copilot",
            "copilot",
            state_var=SPEC.state_var,
            key_vars=TOKEN_VARS,
            install_hint="npm install -g @github/copilot",
        )

    def external_state(self, env: Mapping[str, str]) -> Path:
        state = env.get("COPILOT_HOME")
        return Path(state) if state else home_of(env) / ".copilot"

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None:
        # "GitHub Copilot CLI 1.0.102." (writes nothing in its home)
        done = await run_captured([binary, "--version"], env, timeout=PROBE_TIMEOUT_S)
        found = _VERSION.search(done.stdout) if done.returncode == 0 else None
        return found.group(1) if found else None

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        by_env = env_auth(env, {var: "env" for var in TOKEN_VARS})
        if by_env is not None:
            return by_env
        if env.get(BYOK_VAR):
            return Probe(True, "api-key", details={"credential_source": f"env:{BYOK_VAR}"})
        if not (state / "config.json").exists():
            # it has never run with this state, so nothing is stored; and its first start
            # would write its config there, which a status must not do
            return Probe(False, reason="not_authenticated", hint=LOGIN_HINT)
        return await get_status(binary, env, state)

    def prepare_isolated(self, state: Path) -> None:
        keep_token_in(state / "settings.json")

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        host = [f"--host={options['host']}"] if options.get("host") else []
        if api_key is not None:
            # a GitHub token (fine-grained, "Copilot Requests"), read on stdin: never in argv
            return LoginCommand([binary, "login", "--with-token", *host], stdin=api_key.encode())
        return LoginCommand([binary, "login", *host, *(["--device-code"] if device_code else [])])

    def logout_command(self, binary: str) -> list[str]:
        raise AssertionError("copilot logs out with an ACP request: the manager awaits `logout`")

    async def logout(self, binary: str, env: Mapping[str, str]) -> None:
        """Copilot's logout is an ACP ``logout`` request, not a command (`logout` below)."""
        await logout(binary, env)


def keep_token_in(settings: Path) -> None:
    """Set ``storeTokenPlaintext`` in an isolated home's ``settings.json`` unless it is set: a
    keychain entry would be shared with every other home of the same GitHub user."""
    text = settings.read_text(encoding="utf-8") if settings.exists() else "{}"
    if f'"{PLAINTEXT_SETTING}"' in text:
        return  # chosen already (either way): kept
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidOptionsError(
            f"{settings} is not a JSON object; oauthpy adds {PLAINTEXT_SETTING!r} to it so that "
            "copilot keeps an isolated login in its isolated home",
            hint=f'fix the file, or add "{PLAINTEXT_SETTING}": true to it yourself',
        )
    data[PLAINTEXT_SETTING] = True
    part = settings.with_name(f".{settings.name}.oauthpy-{os.getpid()}")
    part.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(part, settings)


# -- the SDK server's status -----------------------------------------------------------------------


async def get_status(binary: str, env: Mapping[str, str], state: Path) -> Probe:
    """``auth.getStatus`` with ``state`` as copilot's home."""
    answer = await sdk_request(binary, {**env, "COPILOT_HOME": str(state)}, "auth.getStatus")
    result = answer.get("result") if answer is not None else None
    if not isinstance(result, dict):
        return Probe(False, reason="status_failed")
    return read_status(result)


def read_status(result: Mapping[str, Any]) -> Probe:
    """An ``auth.getStatus`` answer as a probe: its flag and words, never a token."""
    details = {
        k: result[k] for k in ("statusMessage", "authType", "host", "login") if isinstance(result.get(k), str)
    }
    if result.get("isAuthenticated") is not True:
        return Probe(False, reason="not_authenticated", hint=LOGIN_HINT, details=details)
    mode = "env" if result.get("authType") == "env" else "oauth"
    return Probe(True, mode, details=details)


# -- logout: ACP `logout` ----------------------------------------------------------------------


async def logout(binary: str, env: Mapping[str, str]) -> None:
    """Log the home of ``env`` (its ``COPILOT_HOME``) out: ACP ``logout`` on ``copilot --acp
    --stdio``, within `PROBE_TIMEOUT_S`; nothing when it has no stored login.

    Copilot's logout also deletes the keychain entry of the login's host and user, which is the
    login of every home signed in as that user: another home's than ``~/.copilot`` (oauthpy's
    isolated one) is not logged out while ``~/.copilot`` holds a login of the same user.
    """
    home = Path(env.get("COPILOT_HOME") or home_of(env) / ".copilot")
    if not (home / "config.json").exists():
        return  # copilot never ran there: nothing is stored
    mine = await get_status(binary, env, home)
    if mine.reason == "status_failed":
        raise CommandExecutionError(f"copilot did not say whether {home} is logged in, within a bound")
    if not mine.authenticated:
        return
    yours = home_of(env) / ".copilot"
    if home.resolve() != yours.resolve() and (yours / "config.json").exists():
        theirs = await get_status(binary, env, yours)
        if theirs.authenticated and _who(theirs) == _who(mine):
            raise InvalidOptionsError(
                f"logging {home} out would log {yours} out too: copilot deletes the login of "
                f"{mine.details.get('login')} on {mine.details.get('host')} from the system keychain, "
                "and your own copilot login is that user's",
                hint="Client('copilot', auth_source='external').logout() logs out both; to drop only "
                f"oauthpy's, remove {home}",
            )
    await _acp_logout(binary, env, home)


def _who(probe: Probe) -> tuple[object, object]:
    return probe.details.get("host"), probe.details.get("login")


async def _acp_logout(binary: str, env: Mapping[str, str], home: Path) -> None:
    from oauthpy._agents.copilot.profile import CopilotAcp
    from oauthpy._transports.acp.conversation import AcpAgent
    from oauthpy._transports.rpc_messages import RpcError

    argv = [binary, "--acp", "--stdio", "--no-auto-update"]
    env = {**env, "COPILOT_HOME": str(home), "COPILOT_AUTO_UPDATE": "false"}
    started = time.monotonic()
    inv = Invocation(argv=argv, env=env, cwd=os.getcwd())
    agent = await AcpAgent.start(CopilotAcp(), inv, started + PROBE_TIMEOUT_S, started)
    try:
        if "logout" not in as_dict(agent.capabilities.get("auth")):
            raise InvalidOptionsError(
                "this copilot has no ACP logout", hint="run `copilot`, type /logout; or update copilot"
            )
        await agent.request("logout", {}, started + PROBE_TIMEOUT_S)
    except RpcError as exc:
        data = exc.details.get("data")
        said = redact(str(data.get("details") or exc.said) if isinstance(data, dict) else exc.said)
        # 1.0.102 deletes the keychain entry even of a token kept in its config, and fails
        # without a keychain before it removes anything
        keychain = " (copilot looks for the login in a system keychain)" if "keychain" in said.lower() else ""
        raise CommandExecutionError(
            f"copilot could not log out: {said}{keychain}; the login stays",
            details={"code": exc.code},
            hint="with a system keychain (Secret Service) running, log out again; or remove "
            f"{home} if it is oauthpy's isolated state; or run `copilot` and type /logout",
        ) from None
    finally:
        await agent.aclose()
