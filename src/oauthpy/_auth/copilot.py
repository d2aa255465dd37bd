"""GitHub Copilot CLI auth: ``COPILOT_HOME`` moves its state, ``auth.getStatus`` is the status.

``copilot`` has no status command, but its SDK server (``copilot --headless --stdio``, JSON-RPC
in ``Content-Length`` frames) answers ``auth.getStatus`` with ``isAuthenticated`` and a
``statusMessage``, offline and without a model request; oauthpy asks that, within a bound, and
never opens the token (kept in the system credential store, or in a file under its home).
A token in ``COPILOT_GITHUB_TOKEN``, ``GH_TOKEN`` or ``GITHUB_TOKEN`` logs in by itself, and a
model provider of one's own (BYOK, ``COPILOT_PROVIDER_BASE_URL``) needs no GitHub login at all.
Login is ``copilot login`` (browser, or ``--device-code``; ``--with-token`` reads a token on
stdin). There is no logout command: ``/logout`` in its interactive UI is the way.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._commands import run_captured
from .._errors import InvalidOptionsError, OauthPyError
from .._process import Invocation, Process
from .acp import AcpAuth
from .base import PROBE_TIMEOUT_S, LoginCommand, Probe, env_auth, home_of

#: the token variables it reads, in its order of precedence
TOKEN_VARS = ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
#: the variable that points it at a model provider of one's own (no GitHub login needed)
BYOK_VAR = "COPILOT_PROVIDER_BASE_URL"
_VERSION = re.compile(r"\b(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)")
_STATUS_ID = 1


class CopilotAuth(AcpAuth):
    key_hint = "or set COPILOT_GITHUB_TOKEN (a fine-grained token with Copilot Requests) in env="
    login_options: Mapping[str, type] = {}  # `copilot login` has one way (and --device-code)

    def __init__(self) -> None:
        super().__init__(
            "copilot",
            "copilot",
            state_var="COPILOT_HOME",
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
            return Probe(False, reason="not_authenticated", hint="run `copilot login` in a terminal")
        return await get_status(binary, env, state)

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        if api_key is not None:
            # a GitHub token (fine-grained, "Copilot Requests"), read on stdin: never in argv
            return LoginCommand([binary, "login", "--with-token"], stdin=api_key.encode())
        return LoginCommand([binary, "login", *(["--device-code"] if device_code else [])])

    def logout_command(self, binary: str) -> list[str]:
        raise InvalidOptionsError(
            "copilot has no logout command",
            hint="run `copilot`, type /logout; or unset COPILOT_GITHUB_TOKEN, GH_TOKEN and GITHUB_TOKEN",
        )


async def get_status(binary: str, env: Mapping[str, str], state: Path) -> Probe:
    """``auth.getStatus`` of ``copilot --headless --stdio`` with ``state`` as its home (about
    1-2 s). Its input stays open until the answer came: at end of input copilot exits, and a
    request it had not answered yet goes unanswered."""
    with tempfile.TemporaryDirectory(prefix="oauthpy-copilot-status-") as logs:
        argv = [binary, "--headless", "--stdio", "--no-auto-update", "--log-dir", logs]
        env = {**env, "COPILOT_HOME": str(state), "COPILOT_AUTO_UPDATE": "false"}
        inv = Invocation(argv=argv, env=env, cwd=os.getcwd(), interactive_stdin=True)
        deadline = time.monotonic() + PROBE_TIMEOUT_S
        out = ""
        proc = await Process.start(inv)
        try:
            await proc.write(frame(_STATUS_ID, "auth.getStatus"), timeout=PROBE_TIMEOUT_S)
            while _answer(out) is None:
                chunk = await proc.read(deadline=deadline)
                if not chunk:
                    break
                out += chunk.decode("utf-8", "replace")
        except (OauthPyError, OSError):
            pass  # no answer in time, or copilot went away: said below
        finally:
            await proc.close()
    result = _answer(out)
    if result is None:
        return Probe(False, reason="status_failed", details={"status_exit_code": proc.returncode})
    return read_status(result)


def _answer(out: str) -> dict[str, Any] | None:
    answer = next((m for m in messages(out) if m.get("id") == _STATUS_ID), None)
    result = answer.get("result") if answer is not None else None
    return result if isinstance(result, dict) else None


def read_status(result: Mapping[str, Any]) -> Probe:
    """An ``auth.getStatus`` answer as a probe: its flag and words, never a token."""
    details = {
        k: result[k] for k in ("statusMessage", "authType", "host", "login") if isinstance(result.get(k), str)
    }
    if result.get("isAuthenticated") is not True:
        return Probe(
            False, reason="not_authenticated", hint="run `copilot login` in a terminal", details=details
        )
    mode = "env" if result.get("authType") == "env" else "oauth"
    return Probe(True, mode, details=details)


def frame(request_id: int, method: str, params: Mapping[str, Any] | None = None) -> bytes:
    """One JSON-RPC request in the SDK server's ``Content-Length`` framing."""
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": dict(params or {})})
    data = body.encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def messages(text: str) -> list[dict[str, Any]]:
    """The JSON objects of a framed stream (its bodies follow their headers without a newline)."""
    found: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    at = text.find("{")
    while at >= 0:
        try:
            value, end = decoder.raw_decode(text, at)
        except ValueError:
            at = text.find("{", at + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
        at = text.find("{", end)
    return found
