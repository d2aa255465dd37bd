"""The code in README.md and docs/ that can run offline does run: every ```python block right
after a ``<!-- runs offline -->`` line is executed, as written, against the real CLIs and the
fakes (which answer ``ok``), so the docs cannot drift from the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthpy.testing import fake_for
from tests.support import gemini_binary

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- runs offline -->"
BLOCK = re.compile(r"^" + re.escape(MARKER) + r"\n```python\n(.*?)^```$", re.M | re.S)
#: names some blocks take as given, as a reader's script would have them
PRELUDE = "import tempfile\nfrom pathlib import Path\ntmp_path = Path(tempfile.mkdtemp())\n"


def blocks() -> list[tuple[str, str]]:
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text()
        for match in BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 2
            found.append((f"{page.relative_to(ROOT)}:{line}", match.group(1)))
    return found


BLOCKS = blocks()


@pytest.fixture(scope="module")
def offline_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The three fakes, and an environment where ``Client(p)`` with its defaults reaches them."""
    root = tmp_path_factory.mktemp("docs-code")
    with fake_for("codex") as codex, fake_for("claude") as claude, fake_for("gemini") as gemini:
        env = {**codex.env(root / "codex"), **claude.env(root / "claude"), **gemini.env(root / "gemini")}
        (root / "home").mkdir()
        env.update(
            HOME=str(root / "home"),
            OAUTHPY_HOME=str(root / "oauthpy"),  # no isolated login: `auto` takes the env above
            GEMINI_MODEL="gemini-2.5-flash",
            OAUTHPY_GEMINI_BINARY=gemini_binary(),
        )
        yield env


def test_the_docs_have_offline_blocks_to_run():
    pages = {where.split(":")[0] for where, _ in BLOCKS}
    assert (
        len(BLOCKS) >= 12 and {"README.md", "docs/index.md", "docs/quickstart.md", "docs/testing.md"} <= pages
    )


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_an_offline_block_runs_as_written(where: str, code: str, offline_env: dict[str, str], tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        env={**os.environ, **offline_env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{where}:\n{done.stderr[-3000:]}"
