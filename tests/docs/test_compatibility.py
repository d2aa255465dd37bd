"""The vendor compatibility table (docs/compatibility.md, written by scripts/compat) and the
dependency ranges of pyproject.toml agree: every version the table says passed is allowed, and
the script keeps the rows of the vendors it did not run again."""

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


def test_the_table_has_a_passing_row_for_every_vendor_package(report):
    rows = table_rows((ROOT / "docs" / "compatibility.md").read_text())
    assert sorted(rows) == sorted(t.package for t in report.TARGETS)
    assert all(row[4].startswith("passed") for row in rows.values()), rows


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
    # their pin (or newer); a CLI whose agent is not registered yet (qwen) has no row until then
    from oauthpy import _registry as registry

    shipped = {p.partition(":")[2] for a in registry.entries() for p in a.packages}
    for tools in sorted((ROOT / "tools").glob("*/package.json")):
        for package, pin in json.loads(tools.read_text())["dependencies"].items():
            if package not in shipped:
                continue
            assert package in rows, f"{package} (pinned in {tools}) has no row"
            assert tuple(map(int, rows[package][2].split("."))) >= tuple(map(int, pin.split(".")))


def test_a_partial_run_keeps_the_rows_of_the_others_in_order(report):
    page = "intro\n<!-- compat:start -->\n| vendor | package | version | date | e2e tests | what broke |\n"
    page += "|---|---|---|---|---|---|\n| Gemini CLI | `@google/gemini-cli` | 1 | d | passed (3 tests) |  |\n"
    page += "| Claude Code | `claude-agent-sdk` | 1 | d | passed (2 tests) |  |\n<!-- compat:end -->\nafter\n"
    new = "| Codex CLI | `@openai/codex` | 2 | e | **1 of 4 failed** | `test_x` |"
    merged = report.merge_table(page, {"@openai/codex": new})
    assert merged.startswith("intro\n") and merged.endswith("<!-- compat:end -->\nafter\n")
    # in the registry's order: codex (its npm package after its pin), claude, gemini
    assert list(table_rows(merged)) == ["@openai/codex", "claude-agent-sdk", "@google/gemini-cli"]
    assert table_rows(merged)["@openai/codex"][4] == "**1 of 4 failed**"


def test_a_failure_counts_only_when_it_fails_again_alone(report):
    assert report.verdict(10, []) == ("passed (10 tests)", "")
    flaky = report.verdict(10, [("tests/e2e/a.py::test_a", True)])
    assert flaky == ("passed (10 tests; 1 passed only when run again alone)", "")
    broken = report.verdict(10, [("tests/e2e/a.py::test_a", True), ("tests/e2e/b.py::test_b[codex]", False)])
    assert broken == ("**1 of 10 failed**; 1 passed only when run again alone", "`test_b[codex]`")
