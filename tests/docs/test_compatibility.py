"""The vendor compatibility table (docs/compatibility.md, written by scripts/compat) and the
dependency ranges of pyproject.toml agree: every version the table says passed is allowed, and
the script keeps the rows of the vendors it did not run again.

Every row comes from the script: a result of a run, or "not yet run" for a package of the
registry no run has covered. A new agent needs no row to pass (until its first run the page has
none, or the script's "not yet run"), so nobody writes a "passed" for a CLI that never ran."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType

import pytest
import tomlkit
from packaging.requirements import Requirement

from tests.paths import REPO

pytestmark = pytest.mark.fast

ROOT = REPO


@pytest.fixture(scope="module")
def report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compat_report", ROOT / "scripts" / "compat_report.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["compat_report"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def table_rows(page: str) -> dict[str, list[str]]:
    """package -> the cells of its row."""
    table = page.split("<!-- compat:start -->")[1].split("<!-- compat:end -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("|")][2:]
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    return {row[1].strip("`"): row for row in cells}


def requirement(spec: str, extra: str | None = None) -> Requirement:
    project = tomlkit.parse((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
    (found,) = [Requirement(r) for r in listed if Requirement(r).name == spec]
    return found


def test_each_row_is_a_package_of_the_registry_that_passed_or_is_not_yet_run(report):
    rows = table_rows((ROOT / "docs" / "compatibility.md").read_text())
    packages = [t.package for t in report.TARGETS]
    assert set(rows) <= set(packages), "a row of a package the registry does not name"
    assert list(rows) == [p for p in packages if p in rows], "rows out of the registry's order"
    for row in rows.values():
        assert row[4].startswith("passed") or row[4] == report.NOT_RUN, row
        if row[4] == report.NOT_RUN:  # what the script writes, nothing claimed
            assert row[2:4] == ["-", "-"] and not row[5], row


def test_the_script_writes_not_yet_run_for_a_package_no_run_covered(report):
    """What a new agent's package shows once the script writes the table, before its first run."""
    *known, newest = report.TARGETS
    page = "<!-- compat:start -->\n| vendor | package | version | date | e2e tests | what broke |\n"
    page += "|---|---|---|---|---|---|\n"
    page += "".join(f"| {t.vendor} | `{t.package}` | 1 | d | passed (3 tests) |  |\n" for t in known)
    page += "<!-- compat:end -->\n"
    merged = table_rows(report.merge_table(page, {}))
    assert list(merged) == [t.package for t in report.TARGETS]
    assert merged[newest.package][2:] == ["-", "-", "not yet run", ""]
    assert all(merged[t.package][4] == "passed (3 tests)" for t in known)


def test_the_dependency_ranges_allow_the_pins_and_what_passed_and_nothing_untested():
    rows = table_rows((ROOT / "docs" / "compatibility.md").read_text())
    claude = requirement("claude-agent-sdk")
    pinned = requirement("claude-agent-sdk", "pinned").specifier
    (pin,) = [s.version for s in pinned]
    newest = rows["claude-agent-sdk"][2]
    assert claude.specifier.contains(pin) and claude.specifier.contains(newest)
    major, minor, patch = newest.split(".")
    assert not claude.specifier.contains(f"{major}.{minor}.{int(patch) + 1}")  # not tested yet
    codex = requirement("openai-codex-cli-bin", "codex").specifier
    assert codex.contains(rows["openai-codex-cli-bin"][2])
    # the npm CLIs the tests install for the registry's agents: what the table says passed is
    # their pin (or newer); a CLI whose agent is not registered has no row, and one no run has
    # covered yet (a new agent's) none or "not yet run"
    from oauthpy import _registry as registry

    shipped = {p.partition(":")[2] for a in registry.entries() for p in a.packages}
    for tools in sorted((ROOT / "tools").glob("*/package.json")):
        for package, pin in json.loads(tools.read_text())["dependencies"].items():
            ran = package in rows and rows[package][4].startswith("passed")
            if package not in shipped or not ran:
                continue
            assert tuple(map(int, rows[package][2].split("."))) >= tuple(map(int, pin.split(".")))


def test_a_partial_run_keeps_the_rows_of_the_others_in_order(report):
    page = "intro\n<!-- compat:start -->\n| vendor | package | version | date | e2e tests | what broke |\n"
    page += "|---|---|---|---|---|---|\n| Gemini CLI | `@google/gemini-cli` | 1 | d | passed (3 tests) |  |\n"
    page += "| Claude Code | `claude-agent-sdk` | 1 | d | passed (2 tests) |  |\n<!-- compat:end -->\nafter\n"
    new = "| Codex CLI | `@openai/codex` | 2 | e | **1 of 4 failed** | `test_x` |"
    merged = report.merge_table(page, {"@openai/codex": new})
    assert merged.startswith("intro\n") and merged.endswith("<!-- compat:end -->\nafter\n")
    # in the registry's order: codex (its npm package after its pin), claude, gemini; the
    # packages of neither the page nor the run as not yet run
    merged_rows = table_rows(merged)
    ordered = [p for p in merged_rows if merged_rows[p][4] != report.NOT_RUN]
    assert ordered == ["@openai/codex", "claude-agent-sdk", "@google/gemini-cli"]
    assert merged_rows["@openai/codex"][4] == "**1 of 4 failed**"
    assert merged_rows["@google/gemini-cli"][4] == "passed (3 tests)"


def test_a_failure_counts_only_when_it_fails_again_alone(report):
    assert report.verdict(10, []) == ("passed (10 tests)", "")
    flaky = report.verdict(10, [("tests/e2e/a.py::test_a", True)])
    assert flaky == ("passed (10 tests; 1 passed only when run again alone)", "")
    broken = report.verdict(10, [("tests/e2e/a.py::test_a", True), ("tests/e2e/b.py::test_b[codex]", False)])
    assert broken == ("**1 of 10 failed**; 1 passed only when run again alone", "`test_b[codex]`")
