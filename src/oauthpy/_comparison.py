"""What ``oauthpy.compare`` returns: each `Attempt` in order, the judge's `Verdict`, and the
ranking behind `Comparison.best`.

The ranking, first difference wins: an attempt that failed (``error``) is last; then its check
passed, failed, or there was none; then the judge's order (the attempts it left out after the
ones it ranked); then fewer changed lines; then lower cost (an unknown cost after a known one);
then the order asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from oauthpy._compare_check import CheckResult
    from oauthpy._errors import OauthPyError
    from oauthpy._events import RunResult, Usage
    from oauthpy._workspace import Change


def diff_lines(diff: str | None) -> tuple[int, int]:
    """The lines a unified diff adds and removes (its file headers not counted)."""
    added = removed = 0
    for line in (diff or "").splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return added, removed


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the judge said: ``order`` holds the `Attempt.index` of the attempts it ranked, best
    first (those it left out rank after them); ``judge`` is the agent's name or the function's.
    An agent judge that failed (an error, an answer that is no ranking) leaves ``order`` empty
    and its error on ``error``: the attempts are then ranked without it."""

    judge: str
    order: tuple[int, ...]
    reason: str
    error: OauthPyError | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One agent's attempt at the task, in its own worktree.

    ``index`` is its place in the comparison (0, 1, ...; also ``$OAUTHPY_ATTEMPT`` of its
    setup and check). A failed attempt has its ``error`` and no text, changes or diff.
    ``duration_s`` is the agent's run, setup included, its check not (``check.duration_s``).
    ``path`` is its worktree, kept (``keep_workspace=True``); None once it is gone.
    """

    provider: str
    index: int
    text: str | None
    changes: tuple[Change, ...]
    diff: str | None
    check: CheckResult | None
    usage: Usage | None
    cost_usd: float | None
    duration_s: float
    error: OauthPyError | None = None
    path: str | None = None
    #: the run itself (its events, session id, model...); None for a failed attempt
    result: RunResult[Any] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the agent finished (its check aside)."""
        return self.error is None

    @property
    def lines(self) -> tuple[int, int]:
        """The lines its diff adds and removes."""
        return diff_lines(self.diff)

    def apply(self) -> None:
        """Bring this attempt's changes into your working tree (`RunResult.apply`): refused,
        changing nothing, when they do not apply cleanly; a failed attempt has none."""
        if self.result is None:
            from oauthpy._errors import InvalidOptionsError

            raise InvalidOptionsError(
                f"attempt {self.index} ({self.provider}) failed: it has no changes to apply"
            )
        self.result.apply()

    def __repr__(self) -> str:
        added, removed = self.lines
        said = "ok" if self.error is None else type(self.error).__name__
        check = "-" if self.check is None else "passed" if self.check.passed else "failed"
        return (
            f"Attempt(provider={self.provider!r}, index={self.index}, {said}, check={check}, "
            f"files={len(self.changes)}, +{added}/-{removed}, duration_s={self.duration_s:.2f})"
        )


def _judged(verdict: Verdict | None) -> dict[int, int]:
    return {} if verdict is None else {index: place for place, index in enumerate(verdict.order)}


def rank_key(attempt: Attempt, judged: dict[int, int]) -> tuple[Any, ...]:
    check = 2 if attempt.check is None else 0 if attempt.check.passed else 1
    added, removed = attempt.lines
    cost = attempt.cost_usd
    return (
        attempt.error is not None,
        check,
        judged.get(attempt.index, len(judged)),
        added + removed,
        cost is None,
        cost or 0.0,
        attempt.index,
    )


@dataclass(frozen=True, slots=True)
class Comparison(Sequence[Attempt]):
    """The attempts of one `compare`, in the order asked (each provider ``n`` times in a row),
    and the judge's `Verdict` when a judge was given and at least two attempts finished.
    Iterating it, ``len`` and ``comparison[i]`` reach the attempts."""

    attempts: tuple[Attempt, ...]
    verdict: Verdict | None = None

    def ranked(self) -> tuple[Attempt, ...]:
        """Every attempt, best first (the module's ranking); the failed ones last."""
        judged = _judged(self.verdict)
        return tuple(sorted(self.attempts, key=lambda attempt: rank_key(attempt, judged)))

    def best(self) -> Attempt:
        """The attempt ranked first: check passed before failed before none, then the judge's
        order, then fewer changed lines, then lower cost. `OauthPyError` when none finished."""
        ranked = self.ranked()
        if not ranked or ranked[0].error is not None:
            from oauthpy._errors import OauthPyError

            raise OauthPyError(
                "no attempt finished: there is no best one",
                hint="each attempt's error says why (comparison.attempts[i].error)",
            )
        return ranked[0]

    def __len__(self) -> int:
        return len(self.attempts)

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self.attempts)

    @overload
    def __getitem__(self, index: int) -> Attempt: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Attempt, ...]: ...
    def __getitem__(self, index: int | slice) -> Attempt | tuple[Attempt, ...]:
        return self.attempts[index]
