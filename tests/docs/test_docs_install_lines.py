"""No page tells a reader to install ``oauthpy`` from the package index: the ``oauthpy`` there is
an unrelated project (1.0.0a4, no ``codex`` extra) that sorts above this 0.1.0. Every install
line names the checkout (``-e '.[codex]'``, ``scripts/start``) or a built wheel."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.fast

ROOT = REPO
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "examples").glob("*.py"))]
#: an installer and what follows it on the line (up to the end of a code span)
INSTALL = re.compile(r"\b(?:pip3?|pipx|uv pip|uv)\s+(?:install|add)\b([^`\n]*)")
#: the name alone, with extras or a version: what a resolver looks up on the index
FROM_INDEX = re.compile(r"^oauthpy(\[[^\]]*\])?([<>=!~].*)?$", re.I)


def index_installs(text: str) -> list[str]:
    found = []
    for match in INSTALL.finditer(text):
        try:
            words = shlex.split(match.group(1), comments=True)
        except ValueError:
            words = match.group(1).split()
        found += [match.group(0).strip() for word in words if FROM_INDEX.match(word)]
    return found


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_no_page_installs_oauthpy_from_the_package_index(page: Path):
    assert index_installs(page.read_text()) == []


def test_the_check_sees_what_it_must():
    for line in (
        "pip install 'oauthpy[codex]'",
        "pip install oauthpy",
        'uv add "oauthpy>=0.1"',
        "pipx install oauthpy",
    ):
        assert index_installs(f"run `{line}` first"), line
    for line in ("pip install -e '.[codex]'", "pip install 'dist/oauthpy-0.1.0-py3-none-any.whl[codex]'"):
        assert index_installs(f"run `{line}` first") == [], line


def test_the_quick_start_installs_from_the_checkout():
    text = (ROOT / "docs/quickstart.md").read_text()
    assert "pip install -e '.[codex]'" in text and "bash scripts/start" in text
