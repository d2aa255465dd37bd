"""The benchmark harness runs (its numbers are not judged here: see benchmarks/)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO

#: ``--quick``'s cheap sections in two halves of about a minute each on a loaded 2-core machine
#: (one run of them all took 116 s there, near the test's bound), each with what its table must show
HALVES = {
    "runs": (
        "imports,runs,first-event,parsers,concurrency,sessions",
        ("imports", "warm run", "first event", "parser", "concurrency", "sessions"),
        (
            "| warm run | codex (exec) |",
            "| warm run | codex (app-server, a process per run) |",
            "| first event | codex (app-server): fake's first delta -> first text delta |",
            "| concurrency | codex (app-server) x2: wall |",
            "vs a raw follow-up turn on a live thread | raw turn: ",
            # memory is the child's own, per run: not the harness's peak RSS
            "RSS growth at the peak, per run (MB)",
        ),
    ),
    "features": (
        "pool,batch,attachments,mcp,workspace",
        ("warm pool", "batch", "attachments", "mcp serve", "workspace"),
        ("vs raw new thread + turn on a live app-server | raw thread + turn: ",),
    ),
}


@pytest.mark.parametrize("half", HALVES)
def test_the_benchmark_harness_runs_and_writes_its_table(tmp_path: Path, half: str):
    sections, titles, rows = HALVES[half]
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--out", str(out), "--sections", sections],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = out.read_text()
    assert table.startswith("Machine: ")
    assert "Sections that failed" not in table, table
    for section in titles:
        assert f"| {section} |" in table, table
    for row in rows:  # codex on both transports, each beside its own raw work
        assert row in table, (row, table)
    if "imports" in sections:
        assert "heavy modules imported by `import oauthpy`: none" in proc.stderr


def test_the_halves_cover_what_quick_runs_by_default():
    """Without ``--sections``, ``--quick`` runs every section but its slow ones: the halves above
    cover them all."""
    tree = ast.parse((REPO / "benchmarks" / "run.py").read_text())
    tuples = {
        target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in ("SECTIONS", "SLOW_SECTIONS")
    }
    covered = [name for sections, _, _ in HALVES.values() for name in sections.split(",")]
    assert sorted(covered) == sorted(set(tuples["SECTIONS"]) - set(tuples["SLOW_SECTIONS"]))


def test_quick_runs_only_the_sections_asked_for_and_refuses_an_unknown_one(tmp_path: Path):
    out = tmp_path / "results.md"
    command = [sys.executable, "benchmarks/run.py", "--quick", "--out", str(out), "--sections"]
    proc = subprocess.run([*command, "parsers"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    sections = {line.split("|")[1].strip() for line in out.read_text().splitlines() if line.startswith("| ")}
    assert sections == {"section", "parser"}, sections
    refused = subprocess.run([*command, "parsers,nope"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "unknown sections: nope" in refused.stderr, refused.stderr
