"""Pairwise measurements and the markdown table they end up in."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the results table: A (the baseline) against B (oauthpy)."""

    section: str
    what: str
    a_label: str
    b_label: str
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    unit: str = "s"
    target: str = ""
    #: ``ratio`` compares B/A; ``diff`` compares B-A (for latencies added)
    compare: str = "ratio"

    def pairs(self) -> list[float]:
        if self.compare == "diff":
            return [b - a for a, b in zip(self.a, self.b, strict=True)]
        return [b / a for a, b in zip(self.a, self.b, strict=True) if a > 0]

    def result(self) -> float:
        return statistics.median(self.pairs())

    def markdown(self) -> str:
        def cell(values: list[float]) -> str:
            scale = 1000.0 if self.unit == "ms" else 1.0
            med = statistics.median(values) * scale
            return f"{med:.4g} ({min(values) * scale:.3g}-{max(values) * scale:.3g})"

        if self.compare == "diff":
            scale = 1000.0 if self.unit == "ms" else 1.0
            value = f"{self.result() * scale:+.2f} {self.unit}"
        else:
            value = f"{self.result():.3f}x"
        return (
            f"| {self.section} | {self.what} | {self.a_label}: {cell(self.a)} | "
            f"{self.b_label}: {cell(self.b)} | {value} | {self.target} |"
        )


HEADER = (
    "| section | what | baseline, median (min-max) | oauthpy, median (min-max) | oauthpy vs baseline "
    "(median of pairs) | target |\n|---|---|---|---|---|---|"
)


def wall(fn: Callable[[], object]) -> float:
    """Seconds ``fn()`` took."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def paired(
    row: Row, a: Callable[[], float | None], b: Callable[[], float | None], reps: int, warmup: int = 1
) -> Row:
    """Run A and B alternately (A B A B ...) so that machine drift hits both alike.

    Each callable returns its own measurement, or None to have its wall time taken.
    """

    def once(fn: Callable[[], float | None]) -> float:
        started = time.perf_counter()
        value = fn()
        return value if value is not None else time.perf_counter() - started

    for _ in range(warmup):
        once(a)
        once(b)
    for _ in range(reps):
        row.a.append(once(a))
        row.b.append(once(b))
    return row
