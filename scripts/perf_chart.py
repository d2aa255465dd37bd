"""Draw the chart of docs/performance.md from the table in benchmarks/results.md.

    .venv/bin/python scripts/perf_chart.py            # writes docs/img/performance.svg
    .venv/bin/python scripts/perf_chart.py --check    # exit 1 if that file is not what it draws

Run it after benchmarks/run.py has written new results. The chart is a plain SVG written by
hand (no plotting library, no JavaScript), so it renders on the docs site and on GitHub alike;
tests/docs/test_perf_chart.py fails when it no longer matches results.md.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks/results.md"
CHART = REPO / "docs/img/performance.svg"

#: under the chart: when the fresh codex rows were measured, and how busy the 2 cores were (they
#: move with the machine's load, the python floor beside them too); say it anew with new figures
FRESH_NOTE = (
    "fresh codex rows: 2026-11-27, a slower machine, idle (load 1): read them beside the python floor"
)
#: the agents of the lean rows (benchmarks/lean_bench.py)
LEAN = ("codex", "claude", "gemini", "copilot", "opencode", "qwen")
#: what the chart shows: (group title, [(bar label, results.md section, results.md "what")])
GROUPS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "a fresh oauthpy run vs the raw CLI",
        [
            ("codex", "fresh process", "codex (oauthpy run: exec, started before the imports)"),
            (
                "codex, --source auto",
                "fresh process",
                "codex (oauthpy run: exec, started before the imports), --source auto",
            ),
            # what any Python front end pays on this machine, from the same run: codex's margin
            (
                "python, codex first",
                "fresh process",
                "python: spawn codex exec first, then import oauthpy's run machinery, then read",
            ),
            ("claude", "fresh process", "claude"),
            ("gemini", "fresh process", "gemini vs raw gemini without its relaunch (like for like)"),
        ],
    ),
    (
        "Client.run in a running program vs the same raw work",
        [
            ("codex exec", "warm run", "codex (exec)"),
            ("codex app-server", "warm run", "codex (app-server, a process per run)"),
            ("claude", "warm run", "claude"),
            ("gemini", "warm run", "gemini"),
        ],
    ),
    (
        "session turns 2..10 vs a fresh one-shot run",
        [
            ("codex", "sessions", "codex: session turns 2..10 (app-server) vs a fresh one-shot run on exec"),
            ("claude", "sessions", "claude: turns 2..10"),
            ("gemini", "sessions", "gemini: turns 2..10 (acp)"),
        ],
    ),
    (
        "runs 2..10 in one with Client block vs a raw one-shot",
        [
            (
                "codex",
                "warm pool",
                "codex: runs 2..10 in `with Client` (app-server) vs a raw `codex exec` one-shot",
            ),
            (
                "claude",
                "warm pool",
                "claude: runs 2..10 in `with Client` vs a fresh claude run (SDK query())",
            ),
            ("gemini", "warm pool", "gemini: runs 2..10 in `with Client` (acp) vs a raw `gemini` one-shot"),
        ],
    ),
    (
        "lean=True: the first model request vs the default run's (bytes)",
        [(agent, "lean", f"{agent}: the first model request, lean vs default (bytes)") for agent in LEAN],
    ),
    (
        "oauthpy batch, 32 prompts at -j 4, vs raw one-shots 4 at a time",
        [
            ("codex", "batch", "codex: 32 short prompts at -j 4"),
            ("claude", "batch", "claude: 32 short prompts at -j 4"),
            ("gemini", "batch", "gemini: 32 short prompts at -j 4"),
        ],
    ),
]


@dataclass(frozen=True)
class Row:
    """One line of results.md's table."""

    section: str
    what: str
    baseline: str
    oauthpy: str
    ratio: str  # as printed, e.g. "1.768x"
    target: str

    @property
    def value(self) -> float:
        return float(self.ratio.removesuffix("x"))

    @property
    def target_value(self) -> float | None:
        """The ratio the target allows, when the target is one (``<= 1.25x``)."""
        found = re.match(r"<= ([0-9.]+)x", self.target)
        return float(found.group(1)) if found else None


def table(results_md: str) -> dict[tuple[str, str], Row]:
    """Every row of the table in ``results_md``, by (section, what)."""
    rows = {}
    for line in results_md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] not in ("section", "") and not set(cells[0]) <= {"-"}:
            row = Row(*cells)
            rows[(row.section, row.what)] = row
    return rows


def charted(results_md: str) -> list[tuple[str, list[tuple[str, Row]]]]:
    """The rows the chart shows, grouped; a row missing from results.md is an error."""
    rows = table(results_md)
    out = []
    for title, bars in GROUPS:
        picked = []
        for label, section, what in bars:
            if (section, what) not in rows:
                raise KeyError(f"benchmarks/results.md has no row {section!r} / {what!r}: update GROUPS")
            picked.append((label, rows[(section, what)]))
        out.append((title, picked))
    return out


# -- drawing ---------------------------------------------------------------------------------------

WIDTH, LEFT, RIGHT, TOP = 760, 150, 650, 56
ROW, GROUP_GAP = 20, 26
SCALE_MAX = 2.0  # ratios beyond it are drawn to the edge, their number still exact
FONT = "font-family=\"-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\""


def _x(ratio: float) -> float:
    return LEFT + (RIGHT - LEFT) * min(ratio, SCALE_MAX) / SCALE_MAX


def chart(results_md: str) -> str:
    """The SVG of the chart, from the text of results.md."""
    groups = charted(results_md)
    height = TOP + sum(GROUP_GAP + ROW * len(bars) for _, bars in groups) + 62
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" {FONT} font-size="12">',
        "<title>oauthpy's time as a multiple of the raw vendor work (benchmarks/results.md)</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        '<text x="16" y="24" font-size="15" font-weight="bold" fill="#222">'
        "oauthpy's time / the raw vendor work's time (1 = the same, shorter = faster)</text>",
        f'<text x="16" y="42" fill="#666">medians of alternating pairs (benchmarks/results.md) · '
        f"red mark: the target (an orange bar misses it) · bars stop at {SCALE_MAX:g}x, their numbers do not</text>",
    ]
    y = TOP
    for title, bars in groups:
        y += GROUP_GAP
        parts.append(f'<text x="16" y="{y - 8}" font-weight="bold" fill="#333">{escape(title)}</text>')
        for label, row in bars:
            missed = row.target_value is not None and row.value > row.target_value
            colour = "#e8710a" if missed else "#3f6fd8"
            tip = f"{row.section} | {row.what}: {row.baseline} vs {row.oauthpy}: {row.ratio} (target {row.target})"
            parts.append(
                f'<g class="bar" data-section="{escape(row.section)}" data-what="{escape(row.what)}" '
                f'data-ratio="{escape(row.ratio)}"><title>{escape(tip)}</title>'
            )
            parts.append(
                f'<text x="{LEFT - 8}" y="{y + 10}" text-anchor="end" fill="#333">{escape(label)}</text>'
            )
            parts.append(
                f'<rect x="{LEFT}" y="{y}" width="{_x(row.value) - LEFT:.1f}" height="{ROW - 6}" '
                f'rx="2" fill="{colour}"/>'
            )
            ends = [_x(row.value)] + ([_x(row.target_value)] if row.target_value is not None else [])
            parts.append(f'<text x="{max(ends) + 6:.1f}" y="{y + 10}" fill="#222">{escape(row.ratio)}</text>')
            if row.target_value is not None:
                tx = _x(row.target_value)
                parts.append(
                    f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 2}" y2="{y + ROW - 4}" '
                    'stroke="#c62828" stroke-width="2"/>'
                )
            parts.append("</g>")
            y += ROW
    axis = y + 8
    one = _x(1.0)
    parts.append(
        f'<line x1="{one:.1f}" x2="{one:.1f}" y1="{TOP + 8}" y2="{axis}" stroke="#555" stroke-dasharray="4 3"/>'
    )
    parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{axis}" y2="{axis}" stroke="#999"/>')
    for tick in (0.0, 0.5, 1.0, 1.5, 2.0):
        tx = _x(tick)
        parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{axis}" y2="{axis + 4}" stroke="#999"/>')
        parts.append(f'<text x="{tx:.1f}" y="{axis + 17}" text-anchor="middle" fill="#555">{tick:g}x</text>')
    parts.append(
        f'<text x="{one:.1f}" y="{axis + 32}" text-anchor="middle" fill="#555">'
        "the same time as the raw CLI</text>"
    )
    parts.append(f'<text x="16" y="{axis + 50}" fill="#666">{escape(FRESH_NOTE)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    drawn = chart(RESULTS.read_text(encoding="utf-8"))
    if "--check" in argv:
        if not CHART.exists() or CHART.read_text(encoding="utf-8") != drawn:
            print(f"{CHART.relative_to(REPO)} is stale: run scripts/perf_chart.py", file=sys.stderr)
            return 1
        return 0
    CHART.parent.mkdir(parents=True, exist_ok=True)
    CHART.write_text(drawn, encoding="utf-8")
    print(f"wrote {CHART.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
