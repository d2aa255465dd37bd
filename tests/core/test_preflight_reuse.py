"""A run found logged in is not checked again at once: a session's turns and a pool's runs would
otherwise repeat the pre-flight (for a keyring login, a `codex login status` process each)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from oauthpy import AuthRequiredError
from oauthpy._auth.manager import AuthManager
from oauthpy._options import build_request

pytestmark = pytest.mark.fast


def test_a_passing_preflight_is_reused_and_a_failing_one_is_not(tmp_path: Path, monkeypatch):
    manager = AuthManager("codex", "oauthpy", tmp_path, {})
    answers: list[str | None] = [None]
    calls: list[str] = []

    async def preflight(env, state, request, transport):  # type: ignore[no-untyped-def]
        calls.append(transport)
        return answers[0]

    monkeypatch.setattr(manager.backend, "preflight", preflight)
    request = build_request("hi", cwd=str(tmp_path))
    env = {"PATH": "/usr/bin"}

    async def check(transport: str = "exec") -> None:
        await manager.preflight("oauthpy", env, request, transport)

    asyncio.run(check())
    asyncio.run(check())
    assert calls == ["exec"]  # the second turn reused the first one's answer
    asyncio.run(check("app-server"))  # another transport reads other credentials
    assert calls == ["exec", "app-server"]

    manager.forget_answers()  # as login and logout do
    answers[0] = "codex has no login"
    for _ in range(2):  # never remembered: each run says so
        with pytest.raises(AuthRequiredError, match="no login"):
            asyncio.run(check())
    assert calls == ["exec", "app-server", "exec", "exec"]
