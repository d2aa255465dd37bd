"""What ``oauthpy batch`` shows on stderr while it works, and the summary line at its end.

A live ``rich`` bar on a terminal; a plain line every few seconds otherwise (a log file, CI);
nothing with ``--quiet``. ``rich`` is imported only for the bar.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

#: seconds between two plain progress lines when stderr is not a terminal
PLAIN_EVERY_S = 5.0
#: how many failed ids the summary names
_MAX_NAMED = 20


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Tally:
    """The batch's running counts."""

    def __init__(
        self,
        total: int,
        clock: Callable[[], float] = time.monotonic,
        rate_limits: Callable[[], int] = lambda: 0,
        *,
        skipped: int = 0,
        paused_until: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.total = total
        #: items ``--resume`` found already done in OUTPUT (not counted in ``total``)
        self.skipped = skipped
        self.ok = 0
        self.failed = 0
        #: items a spent budget kept from starting (``--budget-usd``)
        self.not_run = 0
        #: the failed items' ids and error kinds, in the order they failed
        self.failures: list[tuple[str | int, str]] = []
        self.tokens = 0
        self.cost_usd: float | None = None
        #: how many rate limits paused the batch so far (the batch's throttle counts them)
        self.rate_limits = rate_limits
        #: while a rate limit pauses the batch: when it resumes (``time.time()``)
        self.paused_until = paused_until
        self.clock = clock
        self.started = clock()

    @property
    def done(self) -> int:
        return self.ok + self.failed + self.not_run

    def add(
        self,
        ok: bool,
        tokens: int,
        cost_usd: float | None,
        *,
        item: str | int = "?",
        error: str = "",
        not_run: bool = False,
    ) -> None:
        if ok:
            self.ok += 1
        elif not_run:  # the budget was spent before it started
            self.not_run += 1
        else:
            self.failed += 1
            self.failures.append((item, error or "error"))
        self.tokens += tokens
        if cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + cost_usd

    def per_minute(self) -> float:
        elapsed = self.clock() - self.started
        return self.done * 60.0 / elapsed if elapsed > 0 else 0.0

    def eta(self) -> str:
        rate = self.per_minute()
        if not self.done or rate <= 0:
            return "?"
        return _duration((self.total - self.done) * 60.0 / rate)

    def costs(self) -> str:
        parts = [f"{self.tokens:,} tokens"]
        if self.cost_usd is not None:
            parts.append(f"${self.cost_usd:.4f}")
        return " · ".join(parts)

    def status(self, mark: Callable[[str, str], str] = lambda text, colour: text) -> str:
        """ok, failed, rate, ETA, tokens, cost; ``mark(text, colour)`` may colour a part."""
        limits = self.rate_limits()
        paused = f" · {mark(f'rate-limited {limits}x', 'yellow')}" if limits else ""
        resumes = self.paused_until()
        if resumes is not None:
            at = time.strftime("%H:%M:%S", time.localtime(resumes))
            paused = f" · {mark(f'rate limited, resumes {at}', 'yellow')}"
        return (
            f"{mark(f'{self.ok} ok', 'green')} · {mark(f'{self.failed} failed', 'red')} · "
            f"{self.per_minute():.1f}/min · ETA {self.eta()} · {self.costs()}{paused}"
        )

    def line(self) -> str:
        return f"{self.done}/{self.total} done · {self.status()}"

    def summary(self) -> str:
        wall = _duration(self.clock() - self.started)
        line = f"{self.ok} ok, {self.failed} failed of {self.total} in {wall} · {self.costs()}"
        if self.skipped:
            line += f" · {self.skipped} already done, skipped"
        if self.not_run:
            line += (
                f"\n{self.not_run} not run: the budget is spent "
                "(--resume with a larger --budget-usd runs them)"
            )
        if self.failures:
            shown = [f"{item} ({error})" for item, error in self.failures[:_MAX_NAMED]]
            more = len(self.failures) - _MAX_NAMED
            line += "\nfailed: " + ", ".join(shown) + (f", and {more} more" if more > 0 else "")
            line += " (OUTPUT has each error; --resume runs them again)"
        return line

    def resuming(self) -> str:
        """What ``--resume`` found, said before anything runs."""
        return f"resuming: {self.skipped} already done in OUTPUT, skipped; {self.total} to run"


class Display:
    """Shows a `Tally`: call `update` after each item, `tick` now and then."""

    def __init__(self, tally: Tally, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.tally = tally
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self._bar: Any = None
        self._task: Any = None
        self._last = tally.clock()
        if not quiet and self.stream.isatty():
            self._start_bar()

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            console=Console(file=self.stream),
            transient=True,
        )
        self._task = self._bar.add_task("batch", total=self.tally.total, status=self._status())
        self._bar.start()

    def _status(self) -> str:
        return self.tally.status(lambda text, colour: f"[{colour}]{text}[/]")

    def update(self) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.tally.done, status=self._status())

    def tick(self) -> None:
        """The plain line, when stderr is not a terminal and it is time for one."""
        if self.quiet:
            return
        if self._bar is not None:
            self.update()  # ETA and rate move even when nothing finishes
            return
        now = self.tally.clock()
        if now - self._last >= PLAIN_EVERY_S:
            self._last = now
            print(f"batch: {self.tally.line()}", file=self.stream, flush=True)

    def close(self, *, interrupted: bool = False, stopped: bool = False) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if self.quiet:
            return
        end = "interrupted: " if interrupted else "stopped: " if stopped else "batch: "
        print(f"{end}{self.tally.summary()}", file=self.stream, flush=True)
