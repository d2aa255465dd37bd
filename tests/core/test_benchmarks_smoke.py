"""The benchmark harness runs (its numbers are not judged here: see benchmarks/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import REPO


def test_the_benchmark_harness_runs_and_writes_its_table(tmp_path: Path):
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = out.read_text()
    assert table.startswith("Machine: ")
    assert "Sections that failed" not in table, table
    for section in (
        "imports",
        "warm run",
        "first event",
        "parser",
        "concurrency",
        "sessions",
        "warm pool",
        "batch",
        "attachments",
        "mcp serve",
    ):
        assert f"| {section} |" in table, table
    # codex on both transports, each beside its own raw work
    for row in (
        "| warm run | codex (exec) |",
        "| warm run | codex (app-server, a process per run) |",
        "| first event | codex (app-server): fake's first delta -> first text delta |",
        "| concurrency | codex (app-server) x2: wall |",
        "vs a raw follow-up turn on a live thread | raw turn: ",
        "vs raw new thread + turn on a live app-server | raw thread + turn: ",
    ):
        assert row in table, (row, table)
    # memory is the child's own, per run: not the harness's peak RSS
    assert "RSS growth at the peak, per run (MB)" in table, table
    assert "heavy modules imported by `import oauthpy`: none" in proc.stderr


def test_quick_runs_only_the_sections_asked_for_and_refuses_an_unknown_one(tmp_path: Path):
    out = tmp_path / "results.md"
    command = [sys.executable, "benchmarks/run.py", "--quick", "--out", str(out), "--sections"]
    proc = subprocess.run([*command, "parsers"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    sections = {line.split("|")[1].strip() for line in out.read_text().splitlines() if line.startswith("| ")}
    assert sections == {"section", "parser"}, sections
    refused = subprocess.run([*command, "parsers,nope"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "unknown sections: nope" in refused.stderr, refused.stderr
