"""OpenCode auth: ``opencode auth list`` is the status, ``XDG_DATA_HOME`` moves the state.

``opencode auth list`` prints the credentials it stores (one line per provider, with its type:
``api`` or ``oauth``) and the credential variables it sees in the environment, never their
values; oauthpy reads only those lines, never ``auth.json``. Login is OpenCode's interactive
provider picker, which needs a terminal (without one it spins and ignores SIGTERM); logout is a
picker too, so oauthpy leaves it to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauthpy._agents.opencode.spec import SPEC
from oauthpy._auth.base import PROBE_TIMEOUT_S, LoginCommand, Probe, home_of
from oauthpy._commands import run_captured
from oauthpy._errors import InvalidOptionsError
from oauthpy._transports.acp.auth import AcpAuth

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_COUNT = re.compile(r"(\d+)\s+(credentials?|environment variables?)")


class OpencodeAuth(AcpAuth):
    login_options: Mapping[str, type] = {}  # the method is chosen in OpenCode's own picker

    def __init__(self) -> None:
        super().__init__(
            "opencode",
            "opencode",
            state_var=SPEC.state_var,
            key_vars=("OPENCODE_AUTH_CONTENT",),
            install_hint="npm install -g opencode-ai",
        )

    def external_state(self, env: Mapping[str, str]) -> Path:
        data = env.get("XDG_DATA_HOME")
        return Path(data) if data else home_of(env) / ".local" / "share"

    async def version(self, binary: str, env: Mapping[str, str]) -> str | None:
        done = await run_captured([binary, "--version"], env, timeout=PROBE_TIMEOUT_S)
        out = done.stdout.strip()
        return out.split()[-1] if done.returncode == 0 and out else None

    async def probe(self, binary: str, env: Mapping[str, str], state: Path) -> Probe:
        stored = (state / "opencode" / "auth.json").exists()  # whether it exists; never opened
        given = env.get("OPENCODE_AUTH_CONTENT") or any(k.endswith("_API_KEY") and v for k, v in env.items())
        if not stored and not given:
            # nothing it could list: no need to start it (about a second) to hear so
            return Probe(False, reason="not_authenticated", hint="run `opencode auth login` in a terminal")
        import tempfile

        # a status writes nothing: opencode creates the data dir it is given, so an absent one
        # is stood in for by an empty one of its own (it holds no auth.json either)
        with tempfile.TemporaryDirectory(prefix="oauthpy-opencode-status-") as empty:
            data = str(state) if state.is_dir() else empty
            argv = [binary, "auth", "list"]
            done = await run_captured(argv, {**env, "XDG_DATA_HOME": data}, timeout=PROBE_TIMEOUT_S)
        if done.returncode != 0:
            return Probe(False, reason="status_failed")
        return read_auth_list(done.stdout)

    def login_command(
        self, binary: str, *, api_key: str | None, device_code: bool, options: Mapping[str, Any]
    ) -> LoginCommand:
        if api_key is not None or device_code:
            raise InvalidOptionsError(
                "opencode logs in through its own provider picker only",
                hint="run `opencode auth login` and choose the provider and method there",
            )
        return LoginCommand([binary, "auth", "login"], needs_terminal=True)

    def logout_command(self, binary: str) -> list[str]:
        raise InvalidOptionsError(
            "opencode's logout is an interactive picker of the stored credentials",
            hint="run `opencode auth logout` in a terminal",
        )


def read_auth_list(text: str) -> Probe:
    """What ``opencode auth list`` printed: stored credentials and credential variables."""
    text = _ANSI.sub("", text)
    counts = {kind.rstrip("s").split()[0]: int(n) for n, kind in _COUNT.findall(text)}
    stored, by_env = counts.get("credential", 0), counts.get("environment", 0)
    if stored:
        mode = "oauth" if re.search(r"\boauth\b", text) else "api-key"
        return Probe(True, mode, details={"credentials": stored, "environment_variables": by_env})
    if by_env:
        return Probe(True, "env", details={"environment_variables": by_env})
    return Probe(False, reason="not_authenticated", hint="run `opencode auth login` in a terminal")
