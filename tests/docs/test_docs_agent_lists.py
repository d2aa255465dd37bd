"""No page lists or counts the agents by hand, so adding an agent edits no page but its own.

A list written out goes stale the day an agent comes (qwen was missing from several; the README
said "all three providers" when there were six, then "six agents" when the toy agent of issue 56
made seven). A page says "every agent" and points at what lists them: `Client.providers()`,
`oauthpy doctor`, the Providers section of the docs' menu (every page is in it:
test_docs_nav.py), and the table of docs/compatibility.md, which scripts/compat_report.py writes
from real runs (the one place that enumerates, skipped here). Naming a few agents as examples,
or saying what each one does, is fine: only a run of names one after another is a list.
"""

from __future__ import annotations

import re

import pytest

from oauthpy._names import listed_providers
from tests.paths import REPO

pytestmark = pytest.mark.fast

PAGES = ["README.md", *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md"))]
#: written by a script from what it read (the compatibility table from real runs)
GENERATED = [("<!-- compat:start -->", "<!-- compat:end -->")]
#: dated reports: a count there is of its day ("the suite has run five agents' CLIs since...")
DATED = {"docs/performance.md"}
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
#: what may stand between two names of one list: markup, commas, "and"/"or", a product's words
_BETWEEN = re.compile(
    r"(?:[\s,;:·/`'\"*\[\]<>.\-]|\b(?:and|or|the|br|CLI|Code|GitHub|OpenAI|Google|docs|md)\b)*", re.I
)
_COUNT = re.compile(
    rf"\b(all\s+)?(\d+|{'|'.join(NUMBERS)})\s+(?:named\s+|shipped\s+|vendor\s+)?(agents|providers|vendors|CLIs)\b",
    re.I,
)


def longest_list(text: str, names: tuple[str, ...]) -> list[str]:
    """The most agents ``text`` names one after another (separated by nothing but `_BETWEEN`),
    paragraph by paragraph; read twice, as written and with the parentheses dropped, so that both
    ``(codex, claude, ...)`` and ``**Codex CLI** (OpenAI), **Claude Code** (the SDK), ...`` count."""
    mention = re.compile(rf"\b({'|'.join(map(re.escape, names))})\b", re.I)
    best: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = re.sub(r"\]\([^)]*\)", "]", para)  # a link's target repeats its text
        bare = para
        while (shorter := re.sub(r"\([^()]*\)", " ", bare)) != bare:
            bare = shorter
        for version in (para, bare):
            run: list[str] = []
            previous = None
            for found in mention.finditer(version):
                name = found.group(1).lower()
                joined = previous is not None and _BETWEEN.fullmatch(version[previous.end() : found.start()])
                run = [*run, name] if joined else [name]
                previous = found
                if len(set(run)) > len(set(best)):
                    best = run
    return sorted(set(best))


def counts_of_agents(text: str, shipped: int) -> list[str]:
    """``all three agents`` anywhere; ``six agents`` when six is about the number shipped."""
    found = []
    for match in _COUNT.finditer(text):
        word = match.group(2).lower()
        number = int(word) if word.isdigit() else NUMBERS.index(word) + 1
        if match.group(1) or number >= shipped - 1:
            found.append(match.group(0))
    return found


def hand_written(page: str) -> str:
    """The page without its generated parts."""
    text = (REPO / page).read_text(encoding="utf-8")
    for start, end in GENERATED:
        text = re.sub(rf"{re.escape(start)}.*?{re.escape(end)}", "", text, flags=re.S)
    return text


def most_in_a_list() -> int:
    """A list of every agent, or of all but one (one written before the last agent came)."""
    return len(listed_providers()) - 2


@pytest.mark.parametrize("page", PAGES)
def test_no_page_lists_the_agents(page: str) -> None:
    names = listed_providers()
    found = longest_list(hand_written(page), names)
    assert len(found) <= most_in_a_list(), (
        f"{page} lists the agents by hand ({', '.join(found)}): it goes stale when an agent is added. "
        "Say 'every agent' and point at `Client.providers()`, `oauthpy doctor` or "
        "docs/compatibility.md instead (tests/docs/test_docs_agent_lists.py says why)"
    )


@pytest.mark.parametrize("page", sorted(set(PAGES) - DATED))
def test_no_page_counts_the_agents(page: str) -> None:
    found = counts_of_agents(hand_written(page), len(listed_providers()))
    assert not found, f"{page} counts the agents ({found}): the count goes stale when an agent is added"


def test_the_checks_see_a_list_or_a_count_written_out() -> None:
    names = ("codex", "claude", "gemini", "opencode", "copilot", "qwen")
    lists = [  # lists these pages held before issue 56
        "Local access to the **Codex CLI** (OpenAI), **Claude Code** (through the official\n"
        "`claude-agent-sdk`), the **Gemini CLI** (Google), **OpenCode**, the **GitHub Copilot CLI**,"
        " **Qwen Code**, and any other agent",
        "`-p` names the agent: `codex`, `claude`, `gemini`,\n`opencode`, `copilot`, `qwen` or `acp`",
        "else the first of codex, claude,\ngemini, opencode, copilot and qwen that is logged in",
        "`doctor` checks every provider (codex, claude, gemini, opencode, copilot) concurrently",
        "the page of your agent: [Codex](codex.md),\n[Claude](claude.md), [Gemini](gemini.md), "
        "[OpenCode](opencode.md), [Copilot](copilot.md)",
        'C["the vendor\'s CLI<br/>codex · claude · gemini · opencode · copilot · qwen · any ACP agent"]',
    ]
    for text in lists:
        assert len(longest_list(text, names)) >= len(names) - 1, text
    fine = [  # examples, and what each agent does, are not lists of the agents
        "the coding agents you use (the Codex CLI, Claude Code, the Gemini CLI and the others)",
        "Codex, claude, gemini and OpenCode keep the picture; Copilot and Qwen Code replay a prompt",
        "what carried the run: `app-server` (codex), `sdk` (claude), `stream-json` (gemini), `acp` "
        "(opencode, copilot, qwen)",
        "| codex | yes |\n| claude | yes |\n| gemini | yes |\n| opencode | yes |\n| copilot | yes |",
    ]
    for text in fine:
        assert len(longest_list(text, names)) <= len(names) - 2, text
    assert counts_of_agents("> Status: six agents (**Codex**, ...)", 6) == ["six agents"]
    assert counts_of_agents("Six agents are named providers", 7) == ["Six agents"]  # one came since
    assert counts_of_agents("the same for all three providers", 6) == ["all three providers"]
    assert counts_of_agents("compare two agents, or three agents at once", 6) == []
