"""The isolated codex config edit: one key added, everything else kept byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy._agents.codex.auth_config import ensure_credentials_store
from oauthpy._errors import InvalidOptionsError

pytestmark = pytest.mark.fast

ORIGINAL = """# my codex settings, with odd spacing kept on purpose
model   = "gpt-5.5"     # pinned
approval_policy = 'never'

[model_providers.local]   # a table with a comment
name = "local"
base_url = "http://127.0.0.1:1/v1"

# a trailing comment block
[[profiles.list]]
x = [1, 2,
     3]
"""


def test_adds_the_key_and_keeps_every_other_byte(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(ORIGINAL)
    assert ensure_credentials_store(config) is True
    edited = config.read_text()
    added = 'cli_auth_credentials_store = "file"\n'
    assert edited.count(added) == 1
    assert edited.replace(added, "", 1) == ORIGINAL
    # A top-level key must come before the first table to stay top-level.
    assert edited.index(added) < edited.index("[model_providers.local]")


@pytest.mark.parametrize("value", ["file", "keyring", "auto"])
def test_a_supported_value_is_left_alone(tmp_path: Path, value: str):
    config = tmp_path / "config.toml"
    config.write_text(f'cli_auth_credentials_store = "{value}"\n{ORIGINAL}')
    before = config.read_bytes(), config.stat().st_mtime_ns
    assert ensure_credentials_store(config) is False
    assert (config.read_bytes(), config.stat().st_mtime_ns) == before


@pytest.mark.parametrize(
    "line", ['cli_auth_credentials_store = "ephemeral"', "cli_auth_credentials_store = 3"]
)
def test_an_unsupported_value_is_a_clear_error(tmp_path: Path, line: str):
    config = tmp_path / "config.toml"
    config.write_text(line + "\n")
    with pytest.raises(InvalidOptionsError) as err:
        ensure_credentials_store(config)
    message = str(err.value)
    assert str(config) in message and "'file', 'keyring', 'auto'" in message
    assert config.read_text() == line + "\n"


def test_a_missing_file_is_created_private(tmp_path: Path):
    config = tmp_path / "config.toml"
    assert ensure_credentials_store(config) is True
    assert config.read_text() == 'cli_auth_credentials_store = "file"\n'
    assert config.stat().st_mode & 0o777 == 0o600


def test_invalid_toml_is_reported_not_overwritten(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text("model = \n")
    with pytest.raises(InvalidOptionsError, match="not valid TOML"):
        ensure_credentials_store(config)
    assert config.read_text() == "model = \n"
