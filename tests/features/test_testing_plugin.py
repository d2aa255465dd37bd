"""``oauthpy.testing`` as a product, with agents named: ``fake_for`` and ``env(root)`` per fake, and the
``oauthpy_fake`` pytest fixture (the steps shared by every agent: tests/contract/test_testing_kit.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oauthpy.testing import (
    FakeAnthropicServer,
    FakeGeminiServer,
    FakeResponsesServer,
    fake_for,
)
from tests.paths import REPO
from tests.support import pinned

ROOT = REPO


@pytest.mark.parametrize(
    ("provider", "cls", "alias"),
    [
        ("codex", FakeResponsesServer, "codex_env"),
        ("claude", FakeAnthropicServer, "claude_env"),
        ("gemini", FakeGeminiServer, "gemini_env"),
    ],
)
def test_fake_for_gives_the_providers_fake_and_env_is_the_old_method(
    provider: str, cls: type, alias: str, tmp_path: Path
):
    with fake_for(provider) as fake:
        assert type(fake) is cls
        assert fake.env(tmp_path / "a") == getattr(fake, alias)(tmp_path / "a")
    with pytest.raises(ValueError, match="no fake for provider 'cursor'"):
        fake_for("cursor")


def test_the_example_tests_run_with_the_fixture_the_plugin_registers():
    # a plain `pytest` on the example: the fixture comes from the pytest11 entry point
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/test_with_fakes.py"],
        cwd=ROOT,
        env={**os.environ, "OAUTHPY_GEMINI_BINARY": pinned("gemini")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "6 passed" in done.stdout


def test_the_fixture_refuses_an_unknown_provider(tmp_path: Path):
    (tmp_path / "test_x.py").write_text(
        "import pytest\n\n"
        '@pytest.mark.parametrize("oauthpy_fake", ["cursor"], indirect=True)\n'
        "def test_x(oauthpy_fake):\n"
        "    pass\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_x.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "oauthpy_fake takes a provider, one of codex, claude, gemini, opencode" in done.stdout
    assert "got 'cursor'" in done.stdout
