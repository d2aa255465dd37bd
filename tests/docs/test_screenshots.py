"""scripts/screenshots.py: the docs' terminal pictures come from real runs against the fakes,
and the pictures in docs/img are what the commands print today. They show a fixed set of
agents: an agent added to the registry (`NEWCOMER`, registered for the script's run) changes no
picture, so adding one needs no new picture."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape

import pytest

from oauthpy import _registry as registry
from tests.support import REPO, vendor_binaries

# one worker runs the module, so the script runs once for all its tests
pytestmark = pytest.mark.xdist_group("screenshots")

PICTURES = ("doctor.svg", "batch.svg", "chat.svg")
#: the rows of doctor's picture (scripts/screenshots.py's PICTURED)
PICTURED = ("codex", "claude", "gemini", "opencode", "copilot", "qwen")
#: an agent the registry has beyond the pictured ones
NEWCOMER = "tests.docs.newcomer:NEWCOMER"
#: numbers that depend on the machine's speed, not on what the command prints
VOLATILE = [
    (re.compile(r"[0-9.]+/min"), "N/min"),
    (re.compile(r"ETA \S+"), "ETA N"),
    (re.compile(r" in [0-9hms]+ "), " in N "),
    (re.compile(r"━[━╸╺ ]*"), "━"),  # where the bar's head is drawn moves with the rate
]


def screen(svg: str) -> list[str]:
    """The lines of text a rich SVG shows, top to bottom, each piece at its column."""
    rows: dict[float, dict[int, str]] = {}
    cell = 0.0
    for attrs, body in re.findall(r"<text([^>]*)>(.*?)</text>", svg):
        if "-title" in attrs:
            continue  # the window's title, not the terminal's text
        text = unescape(body).replace("\xa0", " ")
        x, y = _number(attrs, "x"), _number(attrs, "y")
        cell = cell or _number(attrs, "textLength") / len(text)
        rows.setdefault(y, {})[round(x / cell)] = text
    lines = []
    for _, pieces in sorted(rows.items()):
        line = ""
        for column, text in sorted(pieces.items()):
            line = line.ljust(column) + text
        lines.append(line.rstrip())
    return lines


def _number(attrs: str, name: str) -> float:
    found = re.search(rf'\b{name}="([0-9.]+)"', attrs)
    assert found, (name, attrs)
    return float(found.group(1))


def steady(lines: list[str]) -> list[str]:
    for pattern, stand_in in VOLATILE:
        lines = [pattern.sub(stand_in, line) for line in lines]
    return lines


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("shots")
    agents = ",".join(filter(None, (os.environ.get(registry.AGENTS_VAR), NEWCOMER)))
    env = {**os.environ, **vendor_binaries(), registry.AGENTS_VAR: agents}
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts/screenshots.py"), str(out)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,  # within the suite's per-test timeout
    )
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout  # it wrote where it was told, not into docs/img
    return {name: (out / name).read_text(encoding="utf-8") for name in PICTURES}


def test_doctor_picture_shows_the_pictured_agents_installed_with_their_versions(fresh: dict[str, str]):
    lines = screen(fresh["doctor.svg"])
    assert lines[0] == "$ oauthpy doctor"
    assert re.match(r"provider +installed +version +logged in", lines[1])
    rows = lines[2:-1]  # between the header and the last line (a blank line has no text)
    assert [row.split()[0] for row in rows] == list(PICTURED)  # not the newcomer
    for provider, row in zip(PICTURED, rows, strict=True):
        assert re.match(rf"{provider} +yes +\d+\.\d+\.\d+ +yes ", row), row
        assert f"~/.oauthpy/{provider}" in row  # the temporary home is shown as ~
    assert lines[-1] == "everything is set up"
    assert "\x1b" not in fresh["doctor.svg"] and "/tmp/" not in fresh["doctor.svg"]


def test_batch_picture_shows_the_live_bar_mid_batch_then_the_summary(fresh: dict[str, str]):
    lines = screen(fresh["batch.svg"])
    assert lines[0].startswith("$ oauthpy batch -p codex")
    bar = lines[1]
    assert bar.startswith("batch") and "━" in bar and " 5/8 " in bar, bar
    assert "5 ok · 0 failed ·" in bar and "/min · ETA " in bar and "tokens" in bar
    assert re.fullmatch(r"batch: 8 ok, 0 failed of 8 in \S+ · [\d,]+ tokens", lines[2]), lines[2]


def test_chat_picture_shows_the_turns_the_commands_and_the_answers(fresh: dict[str, str]):
    lines = screen(fresh["chat.svg"])
    assert lines[0] == "$ oauthpy chat -p codex --cwd project"
    assert lines[1].startswith("oauthpy interactive: codex, cwd ~/project.")
    assert lines[2:] == [
        "codex> Which file holds the tests?",
        "[command] $ ls tests",
        "[command] exit 0: test_app.py",  # the real codex ran ls in the project
        "The tests are in tests/test_app.py: 14 of them.",
        "codex> /model gpt-5.5",
        "model: gpt-5.5",
        "codex> And which one is the slowest?",
        "test_export_large_report: about 2.1 s of the suite's 3 s.",
        "codex>",
    ]


@pytest.mark.parametrize("name", PICTURES)
def test_the_picture_in_the_docs_is_what_the_command_prints_today(fresh: dict[str, str], name: str):
    committed = (REPO / "docs/img" / name).read_text(encoding="utf-8")
    assert steady(screen(committed)) == steady(screen(fresh[name])), (
        f"docs/img/{name} is stale: run .venv/bin/python scripts/screenshots.py"
    )


@pytest.mark.parametrize(
    ("page", "name"), [("cli.md", "doctor.svg"), ("cli.md", "chat.svg"), ("batch.md", "batch.svg")]
)
def test_the_docs_show_the_pictures(page: str, name: str):
    assert f"](img/{name})" in (REPO / "docs" / page).read_text(encoding="utf-8")
