"""Merging the findings of several reviewers: the same problem raised by two agents becomes one
finding that lists both, so agreement stands out.

Two findings are the same when they are on the same file, their lines overlap or lie within
`NEAR_LINES` of each other (or neither has a line), and their titles are alike (`alike`). The
merged finding keeps the worse severity and the first reviewer's words. The list is ordered by
severity, then by how many agents raised it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable

from oauthpy._review_types import Finding

#: lines this far apart still count as the same place (agents cite a line or two off)
NEAR_LINES = 3
#: how alike two titles must be (difflib's ratio of their words, or the words they share)
ALIKE = 0.6
_WORD_RE = re.compile(r"[a-z0-9_]+")
#: words that say nothing of which problem it is
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "to",
        "for",
        "is",
        "are",
        "be",
        "when",
        "if",
        "with",
        "and",
        "or",
        "not",
        "no",
        "by",
        "at",
        "as",
        "it",
    ]
)


def _words(title: str) -> list[str]:
    return [w for w in _WORD_RE.findall(title.lower()) if w not in _FILLER]


def alike(one: str, other: str) -> bool:
    """Whether two titles name the same problem: close as text, or sharing most of their words."""
    a, b = _words(one), _words(other)
    if not a or not b:
        return one.strip().lower() == other.strip().lower()
    if difflib.SequenceMatcher(None, " ".join(a), " ".join(b)).ratio() >= ALIKE:
        return True
    shared = len(set(a) & set(b))
    return shared / min(len(set(a)), len(set(b))) >= ALIKE


def _span(finding: Finding) -> tuple[int, int] | None:
    if finding.line is None:
        return None
    end = finding.end_line if finding.end_line is not None else finding.line
    return min(finding.line, end), max(finding.line, end)


def near(one: Finding, other: Finding) -> bool:
    """Same file, and lines that overlap or lie within `NEAR_LINES` (or neither has lines)."""
    if one.path != other.path:
        return False
    a, b = _span(one), _span(other)
    if a is None or b is None:
        return a is None and b is None
    return a[0] <= b[1] + NEAR_LINES and b[0] <= a[1] + NEAR_LINES


def _joined(kept: Finding, new: Finding) -> Finding:
    spans = [s for s in (_span(kept), _span(new)) if s is not None]
    line = min(s[0] for s in spans) if spans else None
    end = max(s[1] for s in spans) if spans else None
    agents = kept.agents + tuple(a for a in new.agents if a not in kept.agents)
    worse = kept.severity if kept.rank <= new.rank else new.severity
    return dataclasses.replace(kept, severity=worse, line=line, end_line=end, agents=agents)


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Worst first, then the most agents, then by place."""
    return tuple(sorted(findings, key=lambda f: (f.rank, -len(f.agents), f.path, f.line or 0)))


def merge(lists: Iterable[Iterable[Finding]]) -> tuple[Finding, ...]:
    """The findings of every reviewer, each problem once (`near` and `alike`), `ordered`."""
    merged: list[Finding] = []
    for findings in lists:
        taken: set[int] = set()  # one reviewer's two findings never merge with each other's match
        for finding in findings:
            for i, kept in enumerate(merged):
                if i not in taken and near(kept, finding) and alike(kept.title, finding.title):
                    merged[i] = _joined(kept, finding)
                    taken.add(i)
                    break
            else:
                merged.append(finding)
                taken.add(len(merged) - 1)
    return ordered(merged)
