"""The benchmark harness runs (its numbers are not judged here: see benchmarks/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


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
    for section in ("imports", "warm run", "parser", "concurrency", "sessions"):
        assert f"| {section} |" in table, table
    assert "heavy modules imported by `import oauthpy`: none" in proc.stderr
