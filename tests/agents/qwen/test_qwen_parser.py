"""Qwen Code's shell results as the pinned CLI reports them (tests/recordings/qwen-acp/)."""

from __future__ import annotations

import json

import pytest

from oauthpy._agents.qwen.profile import QwenAcp
from tests import paths

pytestmark = pytest.mark.fast

RECORDINGS = paths.RECORDINGS / "qwen-acp"


def _shell_results(name: str) -> list[str]:
    texts = []
    for line in (RECORDINGS / name).read_text().splitlines():
        update = json.loads(line).get("params", {}).get("update", {})
        if update.get("sessionUpdate") == "tool_call_update" and update.get("status") == "completed":
            texts += [c["content"]["text"] for c in update.get("content") or () if c.get("type") == "content"]
    return texts


def test_a_commands_output_and_exit_code_come_out_of_its_report() -> None:
    (report,) = _shell_results("permission_shell_allow.jsonl")
    assert report.startswith("Command: touch qwen-probe.txt\nDirectory:")
    assert QwenAcp().command_result(report) == ("", 0)  # "Output: (empty)"


def test_output_lines_and_an_error_part_are_kept_and_other_text_is_left_as_it_is() -> None:
    report = "Command: ls\nDirectory: (root)\nOutput: a\nb\nError: boom\nExit Code: 2\nSignal: (none)"
    assert QwenAcp().command_result(report) == ("a\nb\nboom", 2)
    assert QwenAcp().command_result("no report here") == ("no report here", None)
