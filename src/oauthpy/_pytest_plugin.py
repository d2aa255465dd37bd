"""The ``oauthpy_fake`` pytest fixture: a vendor's real CLI pointed at oauthpy's fake model.

Registered through the ``pytest11`` entry point, so it is there wherever oauthpy is installed;
it imports nothing of its own until a test asks for it.
Parametrize it by provider (without a parameter it is codex)::

    @pytest.mark.parametrize("oauthpy_fake", ["codex", "claude", "gemini"], indirect=True)
    def test_summary(oauthpy_fake):
        oauthpy_fake.script(text("three lines"))
        assert summarize(oauthpy_fake.client(), "notes.txt") == "three lines"

Everything the vendor keeps (its config, login state, sessions) lives under the test's
``tmp_path``; nothing reaches the network or the user's own logins. The vendor CLI must be
installed (gemini: on ``PATH`` or ``OAUTHPY_GEMINI_BINARY``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._registry import ProviderName
    from oauthpy.testing.script import Step
    from oauthpy.testing.server import FakeServer, RecordedRequest


@dataclass
class FakeAgent:
    """One provider's fake model backend and the environment that sends its real CLI there."""

    provider: ProviderName
    server: FakeServer
    #: give it to ``Client(..., env=...)``, or use `client`
    env: dict[str, str]
    #: an empty working directory for the agent
    cwd: Path

    def script(self, *steps: Step) -> FakeAgent:
        """What the fake model answers, one step per model request (the last one repeats)."""
        self.server.script(*steps)
        return self

    def client(self) -> Client:
        """A ``Client`` of this provider whose runs go to the fake."""
        from oauthpy._client import Client

        return Client(self.provider, auth_source="external", env=self.env)

    @property
    def requests(self) -> list[RecordedRequest]:
        """The model requests the vendor CLI sent, in order."""
        return self.server.model_requests()


@pytest.fixture
def oauthpy_fake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FakeAgent]:
    """A fake model backend for one provider (``indirect`` parameter; default: the registry's
    first, codex)."""
    from oauthpy import _registry as registry
    from oauthpy._names import provider_named
    from oauthpy.testing import fake_for

    param = getattr(request, "param", registry.names(generic=False)[0])
    provider = provider_named(param)
    if provider is None:
        raise pytest.UsageError(
            f"oauthpy_fake takes a provider, one of {', '.join(registry.names(generic=False))}; got {param!r}"
        )
    root = tmp_path / "oauthpy-fake"
    cwd = root / "work"
    cwd.mkdir(parents=True)
    with fake_for(provider) as server:
        env = registry.get(provider).fake_environment(server, root / provider)
        yield FakeAgent(provider, server, env, cwd)
