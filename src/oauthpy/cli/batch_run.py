"""``oauthpy batch`` at work: read the items, run them on the client's warm agents, write each
line as it finishes (the arguments are `oauthpy.cli.batch_cmd`'s; docs/batch.md)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from typing import TYPE_CHECKING

from oauthpy._errors import BudgetExceededError, InvalidOptionsError, OauthPyError
from oauthpy.cli.batch_files import InputItem, Output, anchor_attachments, read_items, result_line, spent
from oauthpy.cli.batch_progress import PLAIN_EVERY_S, Display, Tally
from oauthpy.cli.clients import client_for
from oauthpy.cli.run_cmd import run_options
from oauthpy.cli.stdin import unread_note
from oauthpy.cli.worktree_flags import warnings_as_lines, worktree_options

if TYPE_CHECKING:
    from oauthpy._batch import Throttle
    from oauthpy._client import Client
    from oauthpy._options import RunRequest
    from oauthpy._retry import RetryPolicy

EXIT_OK, EXIT_FAILED = 0, 1
STOPPING = (signal.SIGINT, signal.SIGTERM)  # each stops the batch the same way; exit 128 + its number


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
    with warnings_as_lines():  # a worktree's word on uncommitted changes, said once
        return _command(args)


def _command(args: argparse.Namespace) -> int:
    from oauthpy._batch import Throttle, check_concurrency

    check_concurrency(args.jobs)
    if args.max_retries < 0:
        raise InvalidOptionsError("--max-retries must not be negative")
    client = client_for(args)
    items = read_items(_read_input(args.input))
    if args.input != "-":  # an item's images are found beside the file that names them
        anchor_attachments(items, os.path.dirname(os.path.abspath(args.input)))
    output = Output(args.output, resume=args.resume)
    todo = [item for item in items if item.key not in output.done]
    kw = {**run_options(args), **worktree_options(args)}
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
                usage, cost, _ = spent(result)
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
