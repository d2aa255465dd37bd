"""``oauthpy compare``: one task, several agents at once (``--n`` attempts each), each attempt
in its own worktree, checked (``--check``) and ranked (``--judge``); a table of what each did
(or ``--json``: `oauthpy.cli.compare_rows`), each diff saved with ``--out``, the best applied
with ``--apply-best``. On Ctrl-C, the rows of the attempts that had finished. ``oauthpy
workspaces clean`` removes worktrees kept with ``--keep`` (docs/workspaces.md)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from oauthpy.cli.worktree_flags import seconds, warnings_as_lines, worktree_flags


def _examples() -> str:
    from oauthpy._registry import names

    a, b, c = (names() * 3)[:3]  # the registry's first agents
    return f"""examples:
  oauthpy compare -p {a},{b},{c} "Fix the failing test in tests/test_api.py"
  oauthpy compare -p {a},{b} --check "pytest -q" --apply-best "Fix the failing test"
  oauthpy compare -p {a} --n 2 --setup "uv sync" --check "pytest -q" --judge {b} "Refactor the parser"
  oauthpy compare -p {a} -p {c} --json --yes "Add type hints to utils.py" > attempts.jsonl
  oauthpy compare -p {a},{b} --out attempts/ "Refactor the parser"   # attempts/{a}.diff ...
  git apply attempts/{b}.diff                                         # keep the one you choose

Each attempt works in a fresh git worktree of the current repository at HEAD (--base working:
with your uncommitted changes): your working tree, index and branches are never touched, and
every worktree is removed at the end (Ctrl-C too) unless --keep. --check runs in each finished
attempt's worktree; the best attempt is the first of: check passed, then the judge's order, then
fewer changed lines, then lower cost.
Without --yes, an agent's permission questions are asked on the terminal (denied without one).
exit codes: 0 at least one attempt finished, 1 none did (or --apply-best applied nothing),
2 usage error, 130 interrupted."""


def _at_least_one(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of attempts, 1 or more, got {value!r}")
    return n


def fill(p: argparse.ArgumentParser, common: Any) -> None:
    p.description = (
        "Give one task to several agents at once, each attempt in its own git worktree, and compare."
    )
    p.epilog = _examples()
    common(p, many=True, aliases=("-P", "--providers"))  # -P: the flag's old spelling
    p.add_argument("--cwd", default=".", help="a folder of the git repository to work on (default .)")
    p.add_argument("--n", type=_at_least_one, default=1, metavar="N", help="attempts per agent (default 1)")
    p.add_argument("--timeout", type=float, help="seconds each agent may take")
    worktree_flags(p, "each worktree")
    p.add_argument("--check", metavar="CMD", help="a shell command run in each finished attempt's worktree")
    p.add_argument(
        "--check-timeout", type=seconds, metavar="S", help="seconds --check may take (default 600)"
    )
    p.add_argument("--judge", metavar="AGENT", help="an agent that ranks the finished attempts (read-only)")
    p.add_argument(
        "--apply-best",
        action="store_true",
        help="bring the best attempt into your tree (needs --check to pass)",
    )
    p.add_argument("--out", metavar="DIR", help="save each attempt's diff as DIR/<agent>.diff")
    p.add_argument("--json", action="store_true", help="print one JSON object per attempt")
    p.add_argument("--yes", action="store_true", help="allow everything the agents ask to do")
    p.add_argument("--keep", action="store_true", help="keep the worktrees (oauthpy workspaces clean)")
    p.add_argument("prompt", help="the task")


def fill_workspaces(p: argparse.ArgumentParser) -> None:
    p.description = "Worktrees oauthpy kept (keep_workspace=True, compare --keep) or left by a crash."
    p.epilog = "example:\n  oauthpy workspaces clean"
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "clean"),
        help="list them (default), or remove them all",
    )


def workspaces(args: argparse.Namespace) -> int:
    from oauthpy._workspace import clean, listed

    if args.action == "clean":
        removed = clean()
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print("no worktree to remove")
        return 0
    found = listed()
    for path, why in found:
        print(f"{path}  ({why})")
    if not found:
        print("no worktree kept or left by a crash")
    return 0


class TerminalAsk:
    """Permission questions on the terminal, one at a time (agents may ask at once); no
    terminal: no.

    Read on the event loop (the terminal's descriptor, non-blocking), not in a thread: a run's
    timeout or Ctrl-C ends the wait at once, where a thread blocked in a read would outlive it.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __call__(self, request: Any) -> bool:
        async with self._lock:
            try:  # the terminal itself, whatever stdin is (a pipe, a file)
                fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
            except OSError:
                return False
            try:
                os.write(fd, question(request).encode("utf-8", "replace"))
                os.set_blocking(fd, False)
                answer = await _read_line(fd)
            finally:
                os.close(fd)
        return answer.strip().lower() in (b"y", b"yes")


#: an answer is a word: the rest of a longer line is read and dropped (never left for the next question)
_ANSWER_BYTES = 64


def _settle(ready: asyncio.Future[None]) -> None:
    if not ready.done():  # the reader may fire again before it is removed
        ready.set_result(None)


async def _read_line(fd: int) -> bytes:
    """One line from the terminal (its first `_ANSWER_BYTES`); end of input: an empty one."""
    loop = asyncio.get_running_loop()
    kept = b""
    while True:
        ready: asyncio.Future[None] = loop.create_future()
        loop.add_reader(fd, _settle, ready)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        try:
            chunk = os.read(fd, 1024)
        except BlockingIOError:
            continue
        if not chunk:
            return kept
        line, newline, _ = chunk.partition(b"\n")
        kept = (kept + line)[:_ANSWER_BYTES]
        if newline:
            return kept


def question(request: Any) -> str:
    """What the terminal shows: the agent's command on a line of its own, quoted, escaped and
    redacted (`PermissionRequest.asked`), so the line answered is the command that runs."""
    return f"\n{request.provider} wants to {request.asked()}\nAllow? [y/N] "


def command(args: argparse.Namespace) -> int:
    from oauthpy._compare import acompare
    from oauthpy._comparison import Attempt, Comparison
    from oauthpy._describe import describe
    from oauthpy.cli.compare_rows import check_word, label, show

    if args.apply_best and not args.check:
        from oauthpy.cli.term import print_error

        print_error("--apply-best applies the attempt whose --check passed: give --check too")
        return 2
    providers = list(args.provider)  # -p a -p b, -p a,b: each named once (the parser checks)
    n = args.n
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    finished: list[Attempt] = []

    async def shown(provider: str, index: int, event: Any) -> None:
        message = describe(event, brief=True)  # redacted, then escaped: no CR or ESC redraws the line
        if message and not args.json:
            name = provider if n == 1 else f"{provider}#{index}"
            print(f"{name}: {message}", file=sys.stderr, flush=True)

    def done(attempt: Attempt) -> None:
        finished.append(attempt)
        if not args.json:
            said = "finished" if attempt.error is None else f"failed ({type(attempt.error).__name__})"
            checked = "" if attempt.check is None else f", check {check_word(attempt)}"
            print(f"{label(attempt, n)}: {said}{checked}", file=sys.stderr, flush=True)

    def shown_so_far() -> None:
        attempts = tuple(sorted(finished, key=lambda attempt: attempt.index))
        show(Comparison(attempts), n, json_lines=args.json, keep=args.keep, out=args.out)

    from oauthpy.cli.interrupts import Terminated

    try:
        with warnings_as_lines():
            comparison = asyncio.run(
                acompare(
                    args.prompt,
                    providers,
                    n=n,
                    cwd=args.cwd,
                    timeout=args.timeout,
                    on_permission=(lambda request: True) if args.yes else TerminalAsk(),
                    keep_workspace=args.keep,
                    auth_source=args.source,
                    setup=args.setup,
                    setup_timeout=args.setup_timeout,
                    include=args.include,
                    base=args.base,
                    check=args.check,
                    check_timeout=args.check_timeout,
                    judge=args.judge,
                    on_event=shown,
                    on_attempt=done,
                )
            )
    except (KeyboardInterrupt, Terminated):
        shown_so_far()  # every attempt stopped and its worktree gone: what had finished stays
        raise
    show(comparison, n, json_lines=args.json, keep=args.keep, out=args.out)
    if not any(attempt.error is None for attempt in comparison):
        return 1
    return _apply_best(comparison, n) if args.apply_best else 0


def _apply_best(comparison: Any, n: int) -> int:
    """The best attempt into the user's tree, when its check passed; else nothing, and 1."""
    from oauthpy import OauthPyError
    from oauthpy._describe import safe
    from oauthpy.cli.compare_rows import label
    from oauthpy.cli.term import print_error

    best = comparison.best()
    if best.check is None or not best.check.passed:
        print_error(
            "no attempt passed its check: nothing applied", "look at each one's check output (--json)"
        )
        return 1
    try:
        best.apply()
    except OauthPyError as exc:
        print_error(safe(exc.message), exc.hint)
        return 1
    repository = best.result.repository if best.result is not None else "your tree"
    print(f"applied {label(best, n)}'s changes to {repository}", file=sys.stderr)
    return 0
