"""Codex in offline mode: a fake ChatGPT login with quota windows, so that ``usage()`` and
``oauthpy usage`` show what docs/account.md describes, against the embedded fake."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def offline_env(fake: Any, root: Path) -> dict[str, str]:
    from oauthpy._agents.codex.fake_chatgpt import UsageWindow, log_in

    env: dict[str, str] = fake.env(root)
    now = int(time.time())
    fake.account("plus", [UsageWindow(12, 18_000, now + 3 * 3600), UsageWindow(3, 604_800, now + 5 * 86_400)])
    log_in(root, fake)
    return env
