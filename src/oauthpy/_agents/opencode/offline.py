"""OpenCode in offline mode: its fake environment, and every way out of loopback closed.

OpenCode installs its plugin package from npm when its config folder lacks it (the fake
environment provides it); a proxy on a closed loopback port and npm's offline switch make sure
that nothing it starts reaches the network anyway (red team R3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oauthpy._agents.opencode.profile import fake_env

#: nothing listens on the discard port: a request sent through this proxy fails at once
CLOSED_PROXY = "http://127.0.0.1:9"
LOOPBACK = "127.0.0.1,localhost,::1"


def offline_env(fake: Any, root: Path) -> dict[str, str]:
    proxies = {
        var: CLOSED_PROXY
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    }
    return {
        **fake_env(fake, root),
        **proxies,
        "NO_PROXY": LOOPBACK,
        "no_proxy": LOOPBACK,
        "npm_config_offline": "true",
    }
