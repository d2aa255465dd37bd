"""Run the e2e tests of each vendor against the newest versions that scripts/compat installed,
and write the table of docs/compatibility.md between its markers. Run by scripts/compat.

The table has a row for every package of the registry: a result from a run, or ``not yet run``
for a package no run has covered (a new agent's), so no row is ever written by hand."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM = ROOT / ".compat" / "npm" / "node_modules"
PAGE = ROOT / "docs" / "compatibility.md"
START, END = "<!-- compat:start -->", "<!-- compat:end -->"
#: the result of a package no run has covered yet
NOT_RUN = "not yet run"


@dataclass
class Target:
    key: str
    vendor: str
    package: str
    tests: str  # pytest -k: the e2e tests of this vendor
    env: dict[str, str]

    def version(self) -> str:
        if self.env:  # an npm package: its program is what the tests run
            manifest = NPM / self.package / "package.json"
            return str(json.loads(manifest.read_text())["version"])
        return version(self.package)


def targets() -> list[Target]:
    """One per published package of every agent in the registry (its title, its e2e tests).

    An npm package's program is what the tests run (``OAUTHPY_TEST_<NAME>_BINARY``); an
    alternative to the pinned package (codex from npm) is what oauthpy runs too."""
    from oauthpy import _registry as registry

    found = []
    for agent in registry.entries():
        for i, spec in enumerate(agent.packages):
            where, _, package = spec.partition(":")
            env: dict[str, str] = {}
            if where == "npm":
                program = str(NPM / ".bin" / agent.name)
                var = agent.name.upper().replace("-", "_")
                env = {f"OAUTHPY_TEST_{var}_BINARY": program}
                if i > 0:
                    env[f"OAUTHPY_{var}_BINARY"] = program
            key = agent.name if i == 0 else f"{agent.name}-{where}"
            vendor = agent.title.split(" (")[0]
            found.append(Target(key, vendor, package, agent.name, env))
    return found


TARGETS = targets()


def pytest(args: list[str], env: dict[str, str], report: Path) -> list[tuple[str, bool]]:
    """(node id, passed) of each test that ran."""
    cmd = [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
    subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    if not report.exists():
        return []
    found = []
    for case in ET.parse(report).getroot().iter("testcase"):
        path = (case.get("classname") or "").replace(".", "/") + ".py"
        name = (case.get("name") or "").split("@")[0]  # an xdist group rides on the name
        failed = case.find("failure") is not None or case.find("error") is not None
        found.append((f"{path}::{name}", not failed))
    return found


def run(target: Target) -> tuple[str, str]:
    """(result, what broke) for one target. A test that fails in the parallel run is run again
    alone: only one that fails again counts as broken (a loaded machine makes some flaky)."""
    pinned = {  # every pinned npm CLI under tools/ (the suite finds each by its own variable)
        f"OAUTHPY_TEST_{bin.name.upper()}_BINARY": str(bin)
        for tool in sorted((ROOT / "tools").iterdir())
        if (bin := tool / "node_modules" / ".bin" / tool.name).exists()
    }
    env = {**pinned, **target.env}
    with tempfile.TemporaryDirectory() as tmp:
        results = pytest(
            ["tests", "-m", "not fast", "-k", target.tests, "-n", "4"], env, Path(tmp) / "all.xml"
        )
        if not results:
            return "did not run", "pytest wrote no report"
        first = [node for node, ok in results if not ok]
        again = pytest(["-n", "0", *first], env, Path(tmp) / "again.xml") if first else []
    return verdict(len(results), again)


def verdict(total: int, again: list[tuple[str, bool]]) -> tuple[str, str]:
    """(result, what broke) from the count of tests and the reruns of those that failed."""
    broken = [node for node, ok in again if not ok]
    flaky = [node for node, ok in again if ok]
    note = f"; {len(flaky)} passed only when run again alone" if flaky else ""
    if not broken:
        return f"passed ({total} tests{note})", ""
    shown = ", ".join(f"`{node.split('::')[-1]}`" for node in broken[:6])
    shown += f" and {len(broken) - 6} more" if len(broken) > 6 else ""
    return f"**{len(broken)} of {total} failed**{note}", shown


def main(keys: list[str]) -> int:
    """Run the targets named in ``keys`` (all without), keeping the table's rows of the others."""
    today = datetime.date.today().isoformat()
    rows = {}
    for target in TARGETS:
        if keys and target.key not in keys:
            continue
        result, broke = run(target)
        row = table_row(target, target.version(), today, result, broke)
        rows[target.package] = row
        print(row, flush=True)
    PAGE.write_text(merge_table(PAGE.read_text(), rows))
    return 0


def table_row(target: Target, version: str, date: str, result: str, broke: str) -> str:
    return f"| {target.vendor} | `{target.package}` | {version} | {date} | {result} | {broke} |"


def merge_table(page: str, new_rows: dict[str, str]) -> str:
    """``page`` with the table between its markers holding ``new_rows`` (by package), the old
    rows of the packages not in it, and `NOT_RUN` for the packages of neither, in the order of
    TARGETS (a package the registry no longer names loses its row)."""
    head, _, rest = page.partition(START)
    old_table, _, tail = rest.partition(END)
    lines = [line for line in old_table.splitlines() if line.startswith("|")][2:]  # under the header
    rows = {line.split("|")[2].strip(" `"): line for line in lines}
    rows.update(new_rows)
    ordered = [rows.get(t.package) or table_row(t, "-", "-", NOT_RUN, "") for t in TARGETS]
    header = ["| vendor | package | version | date | e2e tests | what broke |", "|---|---|---|---|---|---|"]
    return head + "\n".join([START, *header, *ordered, END]) + tail


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
