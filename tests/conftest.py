"""Shared fixtures: fake backends per test, isolated vendor homes, leak checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy.testing import FakeResponsesServer, new_marker
from oauthpy.testing.anthropic import FakeAnthropicServer


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    d = tmp_path / "work"
    d.mkdir()
    return d


@pytest.fixture
def openai_fake() -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as fake:
        yield fake


@pytest.fixture
def codex_env(openai_fake: FakeResponsesServer, tmp_path: Path) -> dict[str, str]:
    env = openai_fake.codex_env(tmp_path / "codex-home")
    env.update(new_marker())
    return env


@pytest.fixture
def anthropic_fake() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as fake:
        yield fake


@pytest.fixture
def claude_env(anthropic_fake: FakeAnthropicServer, tmp_path: Path) -> dict[str, str]:
    env = anthropic_fake.claude_env(tmp_path / "claude")
    env.update(new_marker())
    return env
