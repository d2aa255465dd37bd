"""The chart on docs/performance.md is drawn from benchmarks/results.md and shows its numbers."""

from __future__ import annotations

import importlib.util
import re
import sys
from html import unescape
from types import ModuleType

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.fast

RESULTS = REPO / "benchmarks/results.md"
CHART = REPO / "docs/img/performance.svg"


@pytest.fixture(scope="module")
def perf_chart() -> ModuleType:
    spec = importlib.util.spec_from_file_location("perf_chart", REPO / "scripts/perf_chart.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["perf_chart"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def bars(svg: str) -> list[tuple[str, str, str, float]]:
    """(section, what, ratio as printed, bar width) of each bar in the SVG."""
    found = re.findall(
        r'<g class="bar" data-section="([^"]*)" data-what="([^"]*)" data-ratio="([^"]*)">'
        r'.*?<rect x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"',
        svg,
        re.S,
    )
    return [(unescape(s), unescape(w), unescape(r), float(width)) for s, w, r, width in found]


def results_ratio(section: str, what: str) -> str:
    """The "oauthpy vs baseline" cell of the results.md row, read here without the script."""
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:2] == [section, what]:
            return cells[4]
    raise AssertionError(f"no row {section!r} / {what!r} in benchmarks/results.md")


def test_the_chart_in_the_docs_is_what_results_md_draws_today(perf_chart: ModuleType):
    drawn = perf_chart.chart(RESULTS.read_text(encoding="utf-8"))
    assert CHART.read_text(encoding="utf-8") == drawn, "stale: run .venv/bin/python scripts/perf_chart.py"
    assert perf_chart.main(["--check"]) == 0


def test_every_bar_shows_its_row_of_results_md_at_its_length(perf_chart: ModuleType):
    shown = bars(CHART.read_text(encoding="utf-8"))
    assert len(shown) == sum(len(rows) for _, rows in perf_chart.GROUPS) >= 10
    full = perf_chart.RIGHT - perf_chart.LEFT
    for section, what, ratio, width in shown:
        assert ratio == results_ratio(section, what)
        value = float(ratio.removesuffix("x"))
        assert width == pytest.approx(full * min(value, perf_chart.SCALE_MAX) / perf_chart.SCALE_MAX, abs=0.1)
    # the headline rows are there: the fresh-process cost and what sessions and batches save
    sections = {section for section, *_ in shown}
    assert {"fresh process", "warm run", "sessions", "warm pool", "batch"} <= sections


def test_a_new_number_in_results_md_changes_the_chart(perf_chart: ModuleType):
    text = RESULTS.read_text(encoding="utf-8")
    ratio = results_ratio("fresh process", "claude")
    other = "9.876x" if ratio != "9.876x" else "1.234x"
    (old,) = [line for line in text.splitlines() if line.startswith("| fresh process | claude |")]
    redrawn = perf_chart.chart(text.replace(old, old.replace(f"| {ratio} |", f"| {other} |")))
    assert ("fresh process", "claude", other) in [b[:3] for b in bars(redrawn)]
    assert redrawn != CHART.read_text(encoding="utf-8")


def test_a_charted_row_missing_from_results_md_is_an_error_not_a_gap(perf_chart: ModuleType):
    text = "\n".join(line for line in RESULTS.read_text().splitlines() if not line.startswith("| sessions |"))
    with pytest.raises(KeyError, match="sessions"):
        perf_chart.chart(text)


def test_the_performance_page_shows_the_chart():
    page = (REPO / "docs/performance.md").read_text(encoding="utf-8")
    assert "](img/performance.svg)" in page
