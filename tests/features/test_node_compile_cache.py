"""The Node compile cache the offline fakes' environments share: one private folder per user."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy import _registry as registry
from oauthpy.testing import fake_for
from oauthpy.testing import node_cache as node

pytestmark = pytest.mark.fast

NODE_AGENTS = ("gemini", "qwen", "copilot")


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # gettempdir() reads TMPDIR again
    node._cache_folder.cache_clear()
    yield tmp_path
    node._cache_folder.cache_clear()


def test_the_cache_is_a_folder_of_this_users_own_in_the_temporary_folder(temp_dir: Path):
    folder = Path(node.shared_compile_cache()[node.CACHE_VAR])
    assert folder.parent == temp_dir and folder.is_dir()
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_link_or_a_folder_others_can_write_to_is_not_used(temp_dir: Path):
    folder = temp_dir / f"oauthpy-node-cache-{os.getuid()}"
    elsewhere = temp_dir / "planted"
    elsewhere.mkdir()
    folder.symlink_to(elsewhere)
    assert node.shared_compile_cache() == {}
    folder.unlink()
    node._cache_folder.cache_clear()
    folder.mkdir()
    folder.chmod(0o777)
    assert node.shared_compile_cache() == {}


@pytest.mark.parametrize("name", NODE_AGENTS)
def test_every_root_of_a_node_agents_fake_env_shares_one_cache(name: str, temp_dir: Path):
    with fake_for(name) as fake:
        first = registry.get(name).fake_environment(fake, temp_dir / "one")
        second = registry.get(name).fake_environment(fake, temp_dir / "two")
    assert first[node.CACHE_VAR] == second[node.CACHE_VAR] == node.shared_compile_cache()[node.CACHE_VAR]
