"""oauthpy's own cost, measured beside the raw vendor CLIs against the offline fakes.

    .venv/bin/python benchmarks/run.py                 # everything, ~10 minutes
    .venv/bin/python benchmarks/run.py --quick         # one repetition of a few rows (smoke)
    .venv/bin/python benchmarks/run.py --providers codex --sections runs,parsers

Prints a markdown table (medians, min-max, and each ratio as the median of A/B pairs measured
alternately) and writes it to benchmarks/results.md (``--out``). codex is measured on both of
its transports (``app-server``, the default, and ``exec``), each beside the raw work it does.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attachments_bench
import batch_bench
import compare_bench
import mcp_bench
import workspace_bench
from concurrency_bench import concurrency
from parsers_bench import parsers
from start_bench import fresh, imports
from stats import HEADER, Row
from warm_bench import first_event, pool, runs, sessions

HERE = Path(__file__).resolve().parent
SECTIONS = (
    "imports",
    "fresh",
    "runs",
    "first-event",
    "parsers",
    "concurrency",
    "sessions",
    "pool",
    "batch",
    "attachments",
    "mcp",
    "workspace",
    "compare",
)
#: the sections ``--quick`` leaves out unless ``--sections`` names them (tests/core/
#: test_benchmarks_smoke.py runs the others in two halves and reads both tuples from the source)
SLOW_SECTIONS = ("fresh", "compare")
QUICK_SECTIONS = tuple(s for s in SECTIONS if s not in SLOW_SECTIONS)


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.platform()}, Python {platform.python_version()}, {cpus} CPUs"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="one repetition of small workloads, of the cheap sections unless --sections names some",
    )
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--providers", default="codex,claude,gemini")
    ap.add_argument("--sections", help="a comma list (default: all; with --quick, its cheap ones)")
    ap.add_argument("--out", default=str(HERE / "results.md"))
    args = ap.parse_args()
    providers = args.providers.split(",")
    asked = args.sections.split(",") if args.sections else None
    unknown = sorted(set(asked or ()) - set(SECTIONS))
    if unknown:
        ap.error(f"unknown sections: {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    sections = asked or list(SECTIONS)
    reps, levels, n_lines, turns, batch = args.reps, [1, 8, 32], 100_000, 10, (32, 1000, 100)
    files = workspace_bench.FILES
    if args.quick:
        providers = [p for p in providers if p == "codex"] or providers[:1]
        sections = asked or list(QUICK_SECTIONS)
        # the smoke checks that the harness runs, not its figures: small workloads and repositories
        reps, levels, n_lines, turns, batch, files = 1, [2], 2_000, 2, (4, 12, 4), 100
    # An installed wheel ships compiled bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 would recompile oauthpy from source in every fresh process.
    compileall.compile_dir(str(HERE.parent / "src" / "oauthpy"), quiet=1)
    rows: list[Row] = []
    failed: list[str] = []
    runners = {
        "imports": lambda root: imports(reps, providers),
        "fresh": lambda root: fresh(reps, providers, root),
        "runs": lambda root: runs(reps, providers, root),
        "first-event": lambda root: first_event(reps, providers, root),
        "parsers": lambda root: parsers(reps, providers, n_lines),
        "concurrency": lambda root: concurrency(1 if args.quick else max(1, reps // 3), providers, levels),
        "sessions": lambda root: sessions(reps, providers, root, turns),
        "pool": lambda root: pool(reps, providers, root, turns),
        "attachments": lambda root: attachments_bench.attachments(reps, providers, root),
        "mcp": lambda root: mcp_bench.mcp(reps, providers, root),
        "workspace": lambda root: workspace_bench.workspace(reps, providers, root, files),
        "compare": lambda root: compare_bench.compare(reps, providers, root),
        "batch": lambda root: (
            batch_bench.batch(reps, providers, root, batch[0])
            + (batch_bench.like_for_like(min(reps, 3), root, batch[0]) if "codex" in providers else [])
            + batch_bench.memory(providers, root, batch[1], batch[2])
        ),
    }
    with tempfile.TemporaryDirectory(prefix="oauthpy-bench-") as tmp:
        for section in sections:
            print(f"== {section}", file=sys.stderr, flush=True)
            try:
                rows += runners[section](Path(tmp))
            except Exception as exc:  # one broken section must not lose the others' numbers
                failed.append(
                    f"{section}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                )
                print(f"section {section} failed: {exc!r}", file=sys.stderr, flush=True)
            _write(args.out, rows, reps, failed)
    print(Path(args.out).read_text())
    return 1 if failed else 0


def _write(out: str, rows: list[Row], reps: int, failed: list[str]) -> None:
    lines = [f"Machine: {machine()}. Repetitions: {reps}.", "", HEADER, *(r.markdown() for r in rows)]
    if failed:
        lines += ["", "Sections that failed:", *(f"- {f}" for f in failed)]
    Path(out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
