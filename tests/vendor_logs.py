"""A failed test of a rig shows the newest lines of the vendor CLI's own logs (OpenCode's,
Copilot's, Gemini's...), which live under the rig's folder: a CLI that stalled on a loaded CI
machine says why there, and the folder is gone by the time anyone looks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Rig

#: how many logs, and how many of each one's last lines
NEWEST, LINES = 3, 30


def vendor_log_tails(root: Path) -> str:
    """The last lines of the newest ``*.log`` files under ``root`` (installed packages left out)."""
    logs = [p for p in root.rglob("*.log") if p.is_file() and "node_modules" not in p.parts]
    logs.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    parts = []
    for log in logs[:NEWEST]:
        lines = log.read_text(errors="replace").splitlines()[-LINES:]
        parts.append("\n".join([f"--- {log.relative_to(root)}", *lines]))
    return "\n".join(parts)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    rig = getattr(item, "funcargs", {}).get("rig")
    if report.when == "call" and report.failed and isinstance(rig, Rig):
        tails = vendor_log_tails(rig.root)
        if tails:
            report.sections.append(("vendor logs (newest last lines)", tails))
