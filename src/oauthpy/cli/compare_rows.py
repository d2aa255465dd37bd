"""What ``oauthpy compare`` prints of a comparison: a JSON object per attempt (``--json``) or a
table, and the lines on stderr beside it (errors, saved diffs, the best attempt, the verdict).

Everything an agent wrote that reaches the terminal (its answer, an error, the judge's reason)
goes through `oauthpy._describe.safe`: redacted, then its control characters escaped. The diff
in ``--json`` and in ``--out`` files is the agent's as it is: it must apply with ``git apply``.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import Any

from oauthpy._comparison import Attempt, Comparison

#: the longest first line of an answer the table shows
_ANSWER_CHARS = 60


def label(attempt: Attempt, n: int) -> str:
    """How an attempt is named on the terminal: its agent, and its index when each agent has
    several (``codex#0``)."""
    return attempt.provider if n == 1 else f"{attempt.provider}#{attempt.index}"


def diff_file(attempt: Attempt, n: int) -> str:
    return f"{attempt.provider}.diff" if n == 1 else f"{attempt.provider}-{attempt.index}.diff"


def status(attempt: Attempt) -> str:
    return "ok" if attempt.error is None else type(attempt.error).__name__


def check_word(attempt: Attempt) -> str:
    return "-" if attempt.check is None else "passed" if attempt.check.passed else "failed"


def first_line(text: str | None) -> str:
    from oauthpy._describe import safe

    line = next((line for line in (text or "").splitlines() if line.strip()), "")
    shown = safe(line.strip())
    return shown if len(shown) <= _ANSWER_CHARS else shown[: _ANSWER_CHARS - 3] + "..."


def _best(comparison: Comparison) -> Attempt | None:
    from oauthpy._errors import OauthPyError

    try:
        return comparison.best()
    except OauthPyError:
        return None


def rows(comparison: Comparison) -> list[dict[str, Any]]:
    """One JSON-ready object per attempt, in order: every field of `Attempt`, its ``rank``
    (1: best), ``best``, and the judge's ``verdict`` when there is one."""
    from oauthpy._redact import redact

    ranks = {attempt.index: place for place, attempt in enumerate(comparison.ranked(), 1)}
    best = _best(comparison)
    verdict = comparison.verdict
    out = []
    for attempt in comparison:
        error = attempt.error
        added, removed = attempt.lines
        row: dict[str, Any] = {
            "provider": attempt.provider,
            "index": attempt.index,
            "status": status(attempt),
            "text": redact(attempt.text) if attempt.text is not None else None,
            "changes": [{"path": c.path, "status": c.status} for c in attempt.changes],
            "diff": attempt.diff,
            "added": added,
            "removed": removed,
            "check": dataclasses.asdict(attempt.check) if attempt.check is not None else None,
            "duration_s": round(attempt.duration_s, 3),
            "cost_usd": attempt.cost_usd,
            "usage": dataclasses.asdict(attempt.usage) if attempt.usage is not None else None,
            "path": attempt.path,
            "error": None
            if error is None
            else {"type": type(error).__name__, "message": error.message, "hint": error.hint},
            "rank": ranks[attempt.index],
            "best": best is not None and best.index == attempt.index,
        }
        if verdict is not None:
            row["verdict"] = {
                "judge": verdict.judge,
                "order": list(verdict.order),
                "reason": redact(verdict.reason),
                "error": None if verdict.error is None else verdict.error.message,
            }
        out.append(row)
    return out


def table(comparison: Comparison, n: int, keep: bool) -> list[str]:
    """The table's lines: a header, then a row per attempt in order (with ``keep``, each kept
    worktree's path at its end)."""
    header = ("agent", "status", "check", "time", "files", "+/-", "cost", "answer")
    lines = [header + (("worktree",) if keep else ())]
    for attempt in comparison:
        added, removed = attempt.lines
        cost = f"${attempt.cost_usd:.4f}" if attempt.cost_usd is not None else "-"
        answer = first_line(attempt.text) if attempt.error is None else "-"
        cells = (
            label(attempt, n),
            status(attempt),
            check_word(attempt),
            f"{attempt.duration_s:.1f}s",
            str(len(attempt.changes)),
            f"+{added}/-{removed}",
            cost,
            answer or "-",
        )
        lines.append(cells + ((attempt.path or "-",) if keep else ()))
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]


def notes(comparison: Comparison, n: int, out: str | None) -> list[str]:
    """The lines for stderr after the table: each failed attempt's error, where each diff was
    saved, the judge's verdict and the best attempt."""
    from oauthpy._describe import safe

    said = []
    for attempt in comparison:
        name = label(attempt, n)
        if attempt.error is not None:
            said.append(f"{name}: {safe(attempt.error.message)}")
        elif out:
            said.append(f"{name}: diff in {os.path.join(out, diff_file(attempt, n))}")
    verdict = comparison.verdict
    if verdict is not None and verdict.error is not None:
        said.append(f"judge {verdict.judge} failed: {safe(verdict.error.message)}")
    elif verdict is not None:
        said.append(f"judge {verdict.judge}: {safe(verdict.reason, prose=False)}")
    best = _best(comparison)
    if best is not None and len(comparison) > 1:
        why = "" if best.check is None else f" (check {check_word(best)})"
        said.append(f"best: {label(best, n)}{why}")
    return said


def show(comparison: Comparison, n: int, *, json_lines: bool, keep: bool, out: str | None) -> None:
    """The comparison on stdout (``--json``: a line per attempt; else the table), its notes on
    stderr."""
    import json

    if out:
        for attempt in comparison:
            with open(os.path.join(out, diff_file(attempt, n)), "w") as fh:
                fh.write(attempt.diff or "")
    if json_lines:
        for row in rows(comparison):
            print(json.dumps(row))
    else:
        for line in table(comparison, n, keep):
            print(line)
    for line in notes(comparison, n, out):
        print(line, file=sys.stderr)
    sys.stdout.flush()
