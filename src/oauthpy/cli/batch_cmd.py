"""``oauthpy batch``: every item of a JSON Lines file through one agent, results as JSON Lines.

Exit codes: 0 every item ok, 1 some failed, 2 a usage error (nothing started), 130 interrupted
(Ctrl-C: items still running are stopped and not written; ``--resume`` finishes the rest), 143
terminated (SIGTERM, the same as Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import TYPE_CHECKING, Any

from .._errors import BudgetExceededError, InvalidOptionsError, OauthPyError
from .._events import RunResult, Usage
from .batch_files import InputItem, Output, read_items, result_line
from .batch_progress import PLAIN_EVERY_S, Display, Tally
from .clients import client_for
from .run_cmd import run_options
from .stdin import unread_note

if TYPE_CHECKING:
    from .._batch import Throttle
    from .._client import Client
    from .._options import RunRequest
    from .._retry import RetryPolicy

EXIT_OK, EXIT_FAILED = 0, 1
STOPPING = (signal.SIGINT, signal.SIGTERM)  # each stops the batch the same way; exit 128 + its number


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Any) -> None:
    p = sub.add_parser(
        "batch",
        help="run every prompt of a JSON Lines file, results to JSON Lines",
        description="Run every item of INPUT through one agent, N at a time on warm agents, and "
        "append one JSON line per finished item to OUTPUT (docs/batch.md).",
        epilog="examples:\n"
        "  oauthpy batch -p codex items.jsonl -o results.jsonl -j 4\n"
        "  oauthpy batch -p gemini items.jsonl -o results.jsonl --resume\n"
        "  oauthpy batch -p claude prompts.txt -o out.jsonl --schema label.schema.json\n\n"
        'INPUT lines: {"id": "a1", "prompt": "...", "cwd": "dir", "model": "m"} (id, cwd, model\n'
        "optional; # lines are comments), or one prompt per line. exit codes: 0 all ok, 1 some\n"
        "failed, 2 usage error or OUTPUT not writable, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(p)
    p.add_argument(
        "input", metavar="INPUT", help="JSON Lines of items, or a prompt per line; '-' reads stdin"
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="OUTPUT", help="JSON Lines of results ('-': stdout)"
    )
    p.add_argument("-j", "--jobs", type=int, default=4, help="items at once (default 4)")
    p.add_argument("--resume", action="store_true", help="skip ids already ok in OUTPUT, append the rest")
    p.add_argument("--schema", metavar="FILE", help="JSON schema file: each answer is parsed and validated")
    p.add_argument("--model", "-m", help="model for every item (an item's own model wins)")
    p.add_argument("--reasoning-effort", "--effort", dest="reasoning_effort", help="codex/claude only")
    p.add_argument("--timeout", type=float, help="seconds for each attempt of an item")
    p.add_argument("--max-retries", type=int, default=0, help="retries of other transient failures per item")
    p.add_argument("--cwd", default=".", help="working directory (an item's own cwd wins)")
    p.add_argument(
        "--keep-sessions",
        action="store_true",
        help="save each item's session so it can be resumed (codex, claude; gemini always saves)",
    )
    p.add_argument(
        "--budget-usd",
        type=float,
        metavar="N",
        help="stop starting items once they have cost N US dollars (reported or estimated); "
        "the rest are marked not run, and --resume with a new budget runs them",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress and no summary on stderr")


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    unread_note(path)
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise InvalidOptionsError(f"cannot read INPUT {path}: {exc.strerror}") from None


def command(args: argparse.Namespace) -> int:
    from .._batch import Throttle, check_concurrency

    check_concurrency(args.jobs)
    if args.max_retries < 0:
        raise InvalidOptionsError("--max-retries must not be negative")
    client = client_for(args)
    items = read_items(_read_input(args.input))
    output = Output(args.output, resume=args.resume)
    todo = [item for item in items if item.key not in output.done]
    kw = run_options(args)
    requests, policy, jobs = client._batch(
        [item.fields for item in todo],
        args.jobs,
        kw,
        args.keep_sessions,
        args.budget_usd,
        where=lambda i: f"line {todo[i].line}",
    )
    throttle = Throttle(jobs)
    tally = Tally(
        len(todo),
        rate_limits=lambda: throttle.pauses,
        skipped=len(items) - len(todo),
        paused_until=throttle.paused_until,
    )
    if tally.skipped and not args.quiet:
        print(tally.resuming(), file=sys.stderr)  # before the bar takes the line
    display = Display(tally, quiet=args.quiet)
    if not todo:
        display.close()
        return EXIT_OK
    output.open()  # only now: bad input never creates or touches OUTPUT
    try:
        stopped_by = asyncio.run(_drive(client, todo, requests, policy, throttle, output, display))
    except OauthPyError:  # OUTPUT could not be written: the items still running were stopped
        display.close(stopped=True)
        raise
    finally:
        output.close()
    display.close(interrupted=stopped_by is not None)
    if stopped_by is not None:
        print("run the same command with --resume to finish the rest", file=sys.stderr)
        return 128 + stopped_by
    return EXIT_OK if tally.failed == tally.not_run == 0 else EXIT_FAILED


async def _drive(
    client: Client,
    todo: list[InputItem],
    requests: list[RunRequest],
    policy: RetryPolicy,
    throttle: Throttle,
    output: Output,
    display: Display,
) -> int | None:
    """Run the batch, writing each finished item; the signal that stopped it (Ctrl-C, SIGTERM),
    or None when every item ran."""
    main = asyncio.current_task()
    assert main is not None
    loop = asyncio.get_running_loop()
    stopped_by: int | None = None

    def stop(signum: int) -> None:
        nonlocal stopped_by
        if stopped_by is None:  # a second signal must not cut the teardown short
            stopped_by = signum
            main.cancel()

    previous = {signum: signal.getsignal(signum) for signum in STOPPING}
    for signum in STOPPING:
        loop.add_signal_handler(signum, stop, signum)
    ticker = asyncio.ensure_future(_tick(display))
    try:
        gen = client._abatch(requests, policy, throttle.concurrency, throttle=throttle)
        async with contextlib.aclosing(gen):
            async for done in gen:
                item = todo[done.index]
                output.write(result_line(item.id, done))
                result = done.result
                usage = result.usage if isinstance(result, RunResult) else Usage()
                cost = result.cost_usd if isinstance(result, RunResult) else None
                error = "" if done.ok else type(result).__name__
                not_run = isinstance(result, BudgetExceededError)
                display.tally.add(
                    done.ok, usage.total_tokens, cost, item=item.id, error=error, not_run=not_run
                )
                display.update()
    except asyncio.CancelledError:
        if stopped_by is None:
            raise
    finally:
        ticker.cancel()
        for signum, handler in previous.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
    return stopped_by


async def _tick(display: Display) -> None:
    while True:
        await asyncio.sleep(min(PLAIN_EVERY_S, 0.5))
        display.tick()
