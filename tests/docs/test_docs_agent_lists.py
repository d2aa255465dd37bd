"""Where the README and the docs list the agents, they list every one the registry ships (qwen was
missing; the README said "all three providers" when there were six, plus any ACP agent)."""

from __future__ import annotations

import re

import pytest

from oauthpy._names import listed_providers
from tests.paths import REPO

pytestmark = pytest.mark.fast

ROOT = REPO


def missing(text: str) -> list[str]:
    """The shipped agents ``text`` does not name (OpenCode, Qwen Code, GitHub Copilot CLI count)."""
    return [name for name in listed_providers() if name not in text.lower()]


def passage(page: str, start: str, end: str) -> str:
    text = (ROOT / page).read_text()
    assert start in text, f"{page} no longer has {start!r}: update this test"
    return text.split(start, 1)[1].split(end, 1)[0]


@pytest.mark.parametrize(
    ("page", "start", "end"),
    [
        ("README.md", "# oauthpy", "## Quick start"),  # the opening and its status note
        ("docs/index.md", "# oauthpy", "```"),
        ("docs/quickstart.md", "## Install", "## Try it"),
        ("docs/cli.md", "names the agent on every command: ", "plus any agent you registered"),
        ("docs/cli.md", "else the first of ", "that is logged in"),
        ("docs/cli.md", "| `provider` | string |", "\n"),
        ("docs/cli.md", "`doctor` checks every provider", "concurrently"),
        ("docs/testing.md", "starts the fake of every named agent", "makes a private"),
        ("docs/testing.md", "The vendor CLI must be installed", "`examples/test_with_fakes.py`"),
        ("docs/acp.md", "`Client.providers()` lists every name", "plus the agents"),
    ],
)
def test_a_list_of_the_agents_names_every_agent(page: str, start: str, end: str) -> None:
    assert not missing(passage(page, start, end)), f"{page}, after {start!r}"


@pytest.mark.parametrize("page", ["README.md", "docs/cli.md", "docs/quickstart.md", "docs/testing.md"])
def test_no_page_counts_three_agents(page: str) -> None:
    stale = re.findall(r"all three (?:providers|vendors|agents|CLIs)", (ROOT / page).read_text())
    assert not stale, f"{page}: {stale}"
