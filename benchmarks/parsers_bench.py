"""Parser throughput: recorded-shape JSONL lines through each provider's parser vs. a bare loop.

The lines are the parsers' unit-test recordings (output of the real CLIs), repeated. Each
recording starts a fresh parser, as each run does. For claude the baseline already includes
the SDK's own ``parse_message`` (oauthpy receives SDK objects, never raw lines).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stats import Row, paired

RECORDINGS = Path(__file__).resolve().parent.parent / "tests" / "recordings"


def _runs(provider: str, n_lines: int) -> list[list[str]]:
    files = sorted((RECORDINGS / provider).glob("*.jsonl"))
    base = [[ln for ln in f.read_text().splitlines() if ln.strip()] for f in files]
    runs: list[list[str]] = []
    total = 0
    while total < n_lines:
        for lines in base:
            runs.append(lines)
            total += len(lines)
    return runs


def bare_and_ours(provider: str, n_lines: int) -> tuple[Callable[[], None], Callable[[], None]]:
    runs = _runs(provider, n_lines)
    loads = json.loads
    if provider == "claude":
        from claude_agent_sdk._internal.message_parser import parse_message

        from oauthpy._agents.claude.parser import ClaudeParser

        def sdk_objects(lines: list[str]) -> list[Any]:
            out = []
            for line in lines:
                data = loads(line)
                if data.get("type") not in ("control_response", "control_request"):
                    msg = parse_message(data)
                    if msg is not None:
                        out.append(msg)
            return out

        def bare_claude() -> None:
            """json.loads + SDK parse_message"""
            for lines in runs:
                sdk_objects(lines)

        def ours_claude() -> None:
            for lines in runs:
                parser = ClaudeParser()
                for msg in sdk_objects(lines):
                    parser.feed(msg)

        return bare_claude, ours_claude

    if provider == "codex":
        from oauthpy._agents.codex.exec_parser import CodexParser as Parser
    else:
        from oauthpy._agents.gemini.parser import GeminiParser as Parser  # type: ignore[assignment]

    def bare() -> None:
        """json.loads loop"""
        for lines in runs:
            for line in lines:
                loads(line)

    def ours() -> None:
        for lines in runs:
            feed = Parser().feed
            for line in lines:
                feed(line)

    return bare, ours


def parsers(reps: int, providers: list[str], n_lines: int) -> list[Row]:
    rows = []
    for provider in providers:
        bare, ours = bare_and_ours(provider, n_lines)
        row = Row(
            "parser",
            f"{provider}: {n_lines:,} recorded lines",
            bare.__doc__ or "bare",
            "parser",
            target="<= 1.43x (rate >= 0.7)",
        )
        rows.append(paired(row, bare, ours, reps))
    return rows
