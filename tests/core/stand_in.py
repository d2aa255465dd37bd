"""A client whose runs go to a stand-in conversation: the runner's own path (retries, results,
errors) with no process, no login files and no login check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from oauthpy import Client
from tests.support import ACP_TEST_AGENT


def client_on(monkeypatch: pytest.MonkeyPatch, conversation: Any) -> Client:
    """A client every run and session of which opens ``conversation`` (its ``transport``,
    ``turn(request, env)`` and ``aclose()``)."""
    client = Client("acp", command=ACP_TEST_AGENT)  # type: ignore[arg-type]
    runner = client._runner
    monkeypatch.setattr(runner, "open", lambda **kw: conversation)

    async def no_login_files(overrides: Mapping[str, str | None], source: str | None = None) -> Any:
        return {}, "external"

    async def logged_in(*args: Any) -> None:
        return None

    monkeypatch.setattr(runner.auth, "run_env", no_login_files)
    monkeypatch.setattr(runner.auth, "preflight", logged_in)
    return client
