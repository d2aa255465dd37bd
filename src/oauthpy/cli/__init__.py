"""The ``oauthpy`` command.

Exit codes: 0 ok; 1 a negative answer (``available``, ``auth status``, ``doctor`` found
problems; ``batch``: some items failed); 2 a usage error or a failed run; 130 interrupted (Ctrl-C);
143 terminated (SIGTERM, which stops the run like Ctrl-C: no vendor process is left behind).
Expected failures print one ``error:`` line and, when there is a fix, a ``hint:`` line;
never a traceback.
"""

from __future__ import annotations

from oauthpy.cli import interrupts

interrupts.hold_while_starting()  # first: a Ctrl-C while the rest imports is no traceback
interrupts.pause_collector()  # and no garbage collection until the command has started

import argparse  # noqa: E402
import atexit  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

from oauthpy._errors import OauthPyError  # noqa: E402
from oauthpy.cli.parser import build_parser  # noqa: E402  (re-exported)
from oauthpy.cli.term import print_error  # noqa: E402


def _innermost(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub)command's own parser that ``args`` went through last."""
    while True:
        chosen = None
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                name = getattr(args, action.dest or "", None)
                chosen = action.choices.get(name) if isinstance(name, str) else None
        if chosen is None:
            return parser
        parser = chosen


def _handler(args: argparse.Namespace) -> Callable[[argparse.Namespace], int]:
    if args.command == "run":
        from oauthpy.cli.run_cmd import command as run

        return run
    if args.command in ("auth", "available"):
        from oauthpy.cli import auth_cmd

        return auth_cmd.available if args.command == "available" else getattr(auth_cmd, args.auth_command)
    if args.command == "doctor":
        from oauthpy.cli.doctor import command as doctor

        return doctor
    if args.command == "batch":
        from oauthpy.cli.batch_run import command as batch

        return batch
    if args.command == "usage":
        from oauthpy.cli.usage_cmd import command as usage

        return usage
    if args.command == "sessions":
        from oauthpy.cli.sessions_cmd import command as sessions

        return sessions
    if args.command in ("compare", "workspaces"):
        from oauthpy.cli import compare_cmd

        return compare_cmd.command if args.command == "compare" else compare_cmd.workspaces
    if args.command == "review":
        from oauthpy.cli.review_cmd import command as review

        return review
    if args.command == "mcp":
        from oauthpy.cli.mcp_cmd import command as mcp

        return mcp
    if args.command == "demo":
        from oauthpy.cli.demo import command as demo

        return demo
    from oauthpy.cli.repl import command as repl

    return repl


from oauthpy.cli.interrupts import Terminated  # noqa: E402  (one home; re-exported)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_stops_like_ctrl_c() -> Iterator[None]:
    # Python's default for SIGTERM is to die at once: no cleanup, and a vendor CLI that was
    # mid-turn goes on running on its own (claude and gemini do not stop on stdin EOF).
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with _interrupts_never_dropped():
            yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _interrupts_never_dropped() -> Iterator[None]:
    """A Ctrl-C or SIGTERM whose exception Python dropped is raised at the next wait instead.

    A signal handler's exception raised while a weakref callback or a ``__del__`` runs (the
    garbage collector's work, at any moment) is printed as "Exception ignored" and lost: the
    command would go on as if never interrupted.
    """
    from oauthpy._dropped import raise_later  # not the event loop's module: a run may need none

    previous = sys.unraisablehook

    def keep(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, (KeyboardInterrupt, Terminated)):
            raise_later(unraisable.exc_value)
            return
        previous(unraisable)

    sys.unraisablehook = keep
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _parsed_and_run(given: list[str]) -> int:
    # the command is the first word: options before it are oauthpy's own (--help, --version)
    parser = build_parser(given[0] if given and not given[0].startswith("-") else "")
    if not given:
        parser.print_help()  # a bare `oauthpy` is asking what it can do, not a usage error
        return 0
    args, extra = parser.parse_known_args(given)
    if extra:  # said by the subcommand that got them, with its usage, and a likely meaning
        from oauthpy.cli.words import unrecognized

        sub = _innermost(parser, args)
        sub.error(unrecognized(extra, sub))
    if args.command != "run":  # `run` resumes it itself, once its agent has started
        interrupts.collecting()
    return _handler(args)(args)


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    try:
        interrupts.release()  # a Ctrl-C while the command was starting is raised here
        # the parser too: its choices and examples come from the registry, which a broken
        # OAUTHPY_AGENTS entry makes fail (an error line, not a traceback); a Ctrl-C while it
        # is built is an interruption like any other
        with _sigterm_stops_like_ctrl_c():
            return _parsed_and_run(given)
    except OauthPyError as exc:
        from oauthpy.cli.words import cli_words

        print_error(cli_words(exc.message) or exc.message, cli_words(exc.hint))
        return 2
    except KeyboardInterrupt:
        interrupts.quiet_from_now()
        print_error("interrupted")
        return 130
    except Terminated:
        interrupts.quiet_from_now()
        print_error("terminated")
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        return 0  # the reader went away (`| head`): not an error


def entry() -> int:
    """The ``oauthpy`` command (and ``python -m oauthpy``): `main`, then the interpreter's exit.

    Nothing the command made is used after `main` returns, yet the exit's final garbage
    collections would walk all of it: 22 ms of a fresh 355 ms codex run (docs/performance.md).
    Frozen objects are left to the exit; files and processes are closed by then (the runtime
    ends every run before `main` returns).
    """
    atexit.register(interrupts.last_word)  # first registered: it runs last
    try:
        try:
            code = main()
        finally:  # also after argparse's own exits (--help, a usage error)
            interrupts.hold_until_exit()
    except KeyboardInterrupt:  # one that came on main's way out, past its own handling
        interrupts.hold_until_exit()
        interrupts.quiet_from_now()
        print_error("interrupted")
        code = 130
    finally:
        gc.freeze()
    return interrupts.exit_status(code)


__all__ = ["Terminated", "build_parser", "entry", "main"]
