"""Every page of docs/ is in the menu (mkdocs.yml's nav), and every agent oauthpy ships has its
page there. mkdocs builds a page the nav leaves out and says nothing in --strict, so a new agent's
page would be reachable from no menu: its nav line is part of the page (docs/add-an-agent.md)."""

from __future__ import annotations

import re

import pytest

from oauthpy import _registry as registry
from tests.paths import REPO

pytestmark = pytest.mark.fast


def nav_pages() -> list[str]:
    """The pages mkdocs.yml's nav links (``- Title: page.md`` lines), in its order."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text.split("\nnav:\n", 1)[1]
    nav = re.split(r"\n(?=\S)", nav, maxsplit=1)[0]  # up to the next top-level key
    return re.findall(r"^\s*-\s+(?:[^:\n]+:\s+)?([\w./-]+\.md)\s*$", nav, re.M)


def test_every_page_of_the_docs_is_in_the_menu() -> None:
    pages = sorted(p.name for p in (REPO / "docs").glob("*.md"))
    linked = nav_pages()
    assert [p for p in pages if p not in linked] == [], "add it to mkdocs.yml's nav"
    assert [p for p in linked if p not in pages] == [], "the nav links a page that is gone"


def test_every_agent_oauthpy_ships_has_its_page_in_the_menu() -> None:
    shipped = [a.name for a in registry.entries() if a.provider.startswith("oauthpy.")]
    assert [n for n in shipped if f"{n}.md" not in nav_pages()] == [], "docs/<name>.md, in the nav"


def test_the_nav_is_read_as_mkdocs_reads_it() -> None:
    pages = nav_pages()
    assert pages[0] == "index.md" and "acp.md" in pages and "add-an-agent.md" in pages
    assert len(pages) == len(set(pages))
