"""A private folder of oauthpy's (worktrees, the Node compile cache) is the user's alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from oauthpy._folders import private_folder

pytestmark = pytest.mark.fast


def test_a_folder_of_the_users_that_others_could_read_is_made_private(tmp_path: Path):
    folder = tmp_path / "oauthpy-worktrees"
    folder.mkdir()
    folder.chmod(0o755)
    found = private_folder(str(folder))
    assert found is not None
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700


def test_a_folder_others_could_write_to_is_not_used(tmp_path: Path):
    """Someone else may have put a file there already (a worktree's marker names what to remove)."""
    folder = tmp_path / "oauthpy-worktrees"
    folder.mkdir()
    folder.chmod(0o777)
    assert private_folder(str(folder)) is None


def test_a_link_is_not_a_private_folder(tmp_path: Path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert private_folder(str(tmp_path / "link")) is None
