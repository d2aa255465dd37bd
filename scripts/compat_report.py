"""Run the e2e tests of each vendor against the newest versions that scripts/compat installed,
and write the table of docs/compatibility.md between its markers. Run by scripts/compat."""

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


@dataclass
class Target:
    key: str
    vendor: str
    package: str
    tests: str  # pytest -k: the e2e tests of this vendor
    env: dict[str, str]

    def version(self) -> str:
        if self.package.startswith("@"):
            manifest = NPM / self.package / "package.json"
            return str(json.loads(manifest.read_text())["version"])
        return version(self.package)


TARGETS = [
    Target("claude", "Claude Code", "claude-agent-sdk", "claude", {}),
    Target("codex", "Codex CLI", "openai-codex-cli-bin", "codex", {}),
    Target(
        "codex-npm", "Codex CLI", "@openai/codex", "codex", {"OAUTHPY_CODEX_BINARY": str(NPM / ".bin/codex")}
    ),
    Target(
        "gemini",
        "Gemini CLI",
        "@google/gemini-cli",
        "gemini",
        {"OAUTHPY_TEST_GEMINI_BINARY": str(NPM / ".bin/gemini")},
    ),
]


def run(target: Target) -> tuple[str, str]:
    """(result, what broke) for one target."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        env = {
            "OAUTHPY_TEST_GEMINI_BINARY": str(ROOT / "tools/gemini/node_modules/.bin/gemini"),
            **target.env,
        }
        cmd = [sys.executable, "-m", "pytest", "tests/e2e", "-k", target.tests, "-n", "4", "-q"]
        cmd += ["-p", "no:cacheprovider", f"--junitxml={report}"]
        subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False)
        if not report.exists():
            return "did not run", "pytest wrote no report"
        cases = ET.parse(report).getroot().iter("testcase")
        failed, total = [], 0
        for case in cases:
            total += 1
            if case.find("failure") is not None or case.find("error") is not None:
                failed.append(f"`{case.get('name')}`")
    if not failed:
        return f"passed ({total} tests)", ""
    shown = ", ".join(failed[:6]) + (f" and {len(failed) - 6} more" if len(failed) > 6 else "")
    return f"**{len(failed)} of {total} failed**", shown


def main(keys: list[str]) -> int:
    today = datetime.date.today().isoformat()
    rows = []
    for target in TARGETS:
        if keys and target.key not in keys:
            continue
        result, broke = run(target)
        rows.append(
            f"| {target.vendor} | `{target.package}` | {target.version()} | {today} | {result} | {broke} |"
        )
        print(rows[-1], flush=True)
    table = "\n".join(
        [
            START,
            "| vendor | package | version | date | e2e tests | what broke |",
            "|---|---|---|---|---|---|",
            *rows,
            END,
        ]
    )
    text = PAGE.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    PAGE.write_text(head + table + tail)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
