"""The flags that set up a run's git worktree (docs/workspaces.md), the same on every command
that makes worktrees (``compare``, ``batch --workspace worktree``)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any


def seconds(value: str) -> float:
    """A positive number of seconds, for argparse."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {value!r}")
    return number


def worktree_flags(p: argparse.ArgumentParser, each: str) -> None:
    """``--setup``, ``--setup-timeout``, ``--include`` and ``--base``; ``each`` names what gets a
    worktree in the help ("each worktree", "each item's worktree")."""
    p.add_argument("--setup", metavar="CMD", help=f"a shell command run in {each} before its agent starts")
    p.add_argument(
        "--setup-timeout", type=seconds, metavar="S", help="seconds --setup may take (default 600)"
    )
    p.add_argument(
        "--include",
        action="append",
        metavar="PATTERN",
        help=f"ignored files to copy into {each}, as in .worktreeinclude (repeatable)",
    )
    p.add_argument(
        "--base",
        choices=("head", "working"),
        help=f"start {each} from HEAD, or with your uncommitted changes",
    )


def worktree_options(args: argparse.Namespace) -> dict[str, Any]:
    """The run options the flags ask for (those not given left out: the library's defaults)."""
    given = {
        "setup": getattr(args, "setup", None),
        "setup_timeout": getattr(args, "setup_timeout", None),
        "include": getattr(args, "include", None),
        "base": getattr(args, "base", None),
    }
    return {name: value for name, value in given.items() if value is not None}


@contextlib.contextmanager
def warnings_as_lines() -> Iterator[None]:
    """A warning (the tree has uncommitted changes the attempts do not see) as one ``warning:``
    line, said once, in the command's words, not Python's (its file, its line of asyncio): the
    worktree commands (compare, batch --workspace) say it so."""
    import warnings

    said: set[str] = set()

    def show(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        text = str(message).replace("base='working'", "--base working")
        if text not in said:
            said.add(text)
            print(f"warning: {text}", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
