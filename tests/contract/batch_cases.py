"""What the shared batch suites share (test_batch_command.py, test_batch_map.py, and
tests/features/test_batch_output.py): the bound of a batch test's waits, and a batch's items and
output lines as files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BOUND_S = 60.0


def write_items(path: Path, prompts: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps({"id": k, "prompt": v}) + "\n" for k, v in prompts.items()))
    return path


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def tokens(n: int) -> dict[str, str]:
    return {f"item-{i}": f"answer with token-{i:04x}" for i in range(n)}
