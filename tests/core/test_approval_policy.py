"""The shipped approval policy and `PermissionRequest.argv`: chained shell lines are refused,
and a request's repr never shows a secret."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from oauthpy import Decision, PermissionRequest
from tests.paths import REPO

pytestmark = pytest.mark.fast

EXAMPLE = REPO / "examples" / "approve.py"

CHAINED = [
    "touch notes.txt; rm -f keep.txt",
    "ls && rm -f keep.txt",
    "cat keep.txt | sh",
    "ls || rm -f keep.txt",
    "touch notes.txt & rm -f keep.txt",
    "touch notes.txt\nrm -f keep.txt",
    "cat $(rm -f keep.txt)",
    "cat `rm -f keep.txt`",
    "cat keep.txt > notes.txt",
    "cat < keep.txt",
    "ls ${HOME}",
    "touch notes.txt #",
    "cat 'unterminated",
]


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("approve_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def command(line: str) -> PermissionRequest:
    return PermissionRequest("codex", "command", command=line, cwd="/w")


@pytest.mark.parametrize("line", CHAINED)
def test_the_example_policy_refuses_chained_commands(line: str) -> None:
    answer = example().approve(command(line))
    assert isinstance(answer, tuple) and answer[0] is Decision.DENY


@pytest.mark.parametrize("line", ["ls", "ls -la", "cat notes.txt", "touch notes.txt", "cat 'my notes.txt'"])
def test_the_example_policy_allows_its_plain_commands(line: str) -> None:
    assert example().approve(command(line)) is True


@pytest.mark.parametrize("line", ["touch other.txt", "rm -f keep.txt", "touch notes.txt keep.txt"])
def test_the_example_policy_refuses_other_commands_and_files(line: str) -> None:
    assert example().approve(command(line))[0] is Decision.DENY
    files = PermissionRequest("codex", "file_change", paths=("/w/notes.txt",))
    assert example().approve(files)[0] is Decision.DENY


@pytest.mark.parametrize("line", CHAINED)
def test_argv_is_none_for_anything_but_one_plain_command(line: str) -> None:
    assert command(line).argv() is None


def test_argv_splits_a_plain_command_as_the_shell_does() -> None:
    assert command('git commit -m "two words"').argv() == ["git", "commit", "-m", "two words"]
    assert command("  ").argv() is None
    assert PermissionRequest("gemini", "tool", tool_name="ls").argv() is None


def test_the_repr_of_a_request_is_redacted() -> None:
    key = "sk-proj-" + "a1b2c3d4" * 4
    request = PermissionRequest(
        "codex",
        "command",
        command=f'curl -H "Authorization: Bearer {key}" https://example.invalid',
        tool_input={"command": key},
        raw={"command": key},
    )
    shown = repr(request)
    assert key not in shown and "[REDACTED]" in shown and "curl" in shown
    assert key not in str(request)
    assert key not in repr(PermissionRequest("gemini", "file_change", paths=(f"/w/{key}.txt",)))
