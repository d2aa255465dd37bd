"""The code in README.md and docs/ that can run offline does run: every ```python block right
after a ``<!-- runs offline -->`` line is executed, as written, in a fresh interpreter in an empty
directory with ``OAUTHPY_OFFLINE=1`` and nothing else given: the real CLIs against the fakes
(which answer ``ok`` unless the block scripts them), exactly what a reader gets who tries it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO
from tests.support import vendor_binaries

ROOT = REPO
MARKER = "<!-- runs offline -->"
BLOCK = re.compile(r"^" + re.escape(MARKER) + r"\n```python\n(.*?)^```$", re.M | re.S)


def blocks() -> list[tuple[str, str]]:
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text()
        for match in BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 2
            found.append((f"{page.relative_to(ROOT)}:{line}", match.group(1)))
    return found


BLOCKS = blocks()


def test_the_docs_have_offline_blocks_to_run():
    pages = {where.split(":")[0] for where, _ in BLOCKS}
    assert (
        len(BLOCKS) >= 19
        and {
            "README.md",
            "docs/index.md",
            "docs/quickstart.md",
            "docs/testing.md",
            "docs/tools.md",
            "docs/batch.md",
            "docs/live.md",
        }
        <= pages
    )


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_an_offline_block_runs_as_written(where: str, code: str, tmp_path: Path):
    # the gemini CLI is found where a reader's is (PATH); the tests' pinned one is elsewhere
    env = {**os.environ, "OAUTHPY_OFFLINE": "1", **vendor_binaries()}
    tests = "\ndef test_" in "\n" + code  # a test file, as a reader would run it: with pytest
    if tests:
        (tmp_path / "test_block.py").write_text(code)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_block.py"]
        if tests
        else [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{where}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    # inside `with offline():` the block's own fakes answer, silently
    if not tests and "offline()" not in code:
        assert "oauthpy: offline (OAUTHPY_OFFLINE=1)" in done.stderr, "the block ran without the fakes"
