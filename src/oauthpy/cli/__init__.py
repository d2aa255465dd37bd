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
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

from oauthpy import __version__  # noqa: E402
from oauthpy._errors import OauthPyError  # noqa: E402
from oauthpy._names import AUTH_SOURCES, listed_providers  # noqa: E402
from oauthpy._registry import names as agent_names  # noqa: E402
from oauthpy.cli.term import print_error  # noqa: E402

EPILOG = """examples:
  oauthpy run -p codex "Explain this repository"
  echo "Fix the failing test" | oauthpy run -p claude --stream
  oauthpy run -p gemini --json --schema answer.schema.json "Rate this code"
  oauthpy batch -p codex items.jsonl -o results.jsonl -j 4
  oauthpy compare -p codex,claude "Fix the failing test"
  oauthpy review -p codex,claude --base main --fail-on high
  oauthpy auth status -p codex
  oauthpy doctor
  oauthpy chat -p claude
  oauthpy sessions -p codex
  oauthpy usage -p codex
  oauthpy mcp serve -p codex -p gemini
  oauthpy demo

no account yet? OAUTHPY_OFFLINE=1 before any command runs it against oauthpy's fake models
(the real CLIs, nothing leaves the machine): OAUTHPY_OFFLINE=1 oauthpy run -p codex "hi"

exit codes: 0 ok, 1 negative answer (status, available, doctor) or some batch items failed,
2 usage or run error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."""


def _common(
    p: argparse.ArgumentParser,
    *,
    provider_required: bool = True,
    many: bool = False,
    aliases: tuple[str, ...] = (),
) -> None:
    """``-p/--provider`` (``many``: repeat it, or a comma list; ``aliases``: older spellings,
    hidden), ``--command`` and ``--source``: the same words on every command."""
    from oauthpy import _registry as registry
    from oauthpy.cli.words import agents_flag

    if many:
        agents_flag(
            p,
            many=True,
            required=provider_required,
            aliases=aliases,
            help="the agents: repeat -p, or a comma list (-p A,B)",
        )
    else:
        known = registry.names()  # checked by the parser: a wrong name is said with the usage
        default = "" if provider_required else "; default: $OAUTHPY_PROVIDER, else the first one logged in"
        agents_flag(
            p,
            required=provider_required,
            known=known,
            aliases=aliases,
            help=f"the agent: {', '.join(known)}{default}",
        )
    p.add_argument(
        "--command",
        dest="agent_command",
        metavar="CMD",
        help='with -p acp: the command that starts any ACP agent on stdio, e.g. "my-agent --acp"',
    )
    p.add_argument(
        "--source",
        default="auto",
        choices=AUTH_SOURCES,
        help="whose login state: oauthpy (isolated), external (the vendor's), auto (default)",
    )


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` tells it, without importing shutil
    (argparse would, for every help text: a tenth of ``oauthpy --help``'s time)."""
    with contextlib.suppress(KeyError, ValueError):
        if (columns := int(os.environ["COLUMNS"])) > 0:
            return columns
    with contextlib.suppress(AttributeError, ValueError, OSError):
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    return 80


class Help(argparse.RawDescriptionHelpFormatter):
    """The help layout of every oauthpy command: descriptions and examples as written."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ):
        super().__init__(
            prog, indent_increment, max_help_position, _columns() - 2 if width is None else width
        )


def _titled(p: argparse.ArgumentParser, example: str) -> None:
    """A small command's help: its one line as the description, and an example."""
    p.description = p.description or _HELP[p.prog.split()[-1]]
    p.epilog = f"example:\n  {example}"


def _fill_run(run: argparse.ArgumentParser) -> None:
    run.description = (
        "Run one prompt. Prints the final text, a live stream (--stream) or one JSON object (--json)."
    )
    first, second = agent_names()[:2]  # the examples name the registry's first agents
    examples = (
        f'examples:\n  oauthpy run -p {first} "Summarize README.md"\n'
        f'  git diff | oauthpy run -p {second} "Review this change"   # the argument, then the diff\n'
        f"  git diff | oauthpy run -p {second} --stream              # stdin alone is the prompt\n"
        f'  oauthpy run "Hi"     # $OAUTHPY_PROVIDER, else the first provider you are logged in to\n'
        f'  oauthpy run -p {first} -a shot.png "What is wrong in this screenshot?"\n'
    )
    plain = run.format_help

    def with_models() -> str:
        # the models' list is read for --help only: a run does not load the catalog for it
        from oauthpy._catalog import describe as describe_models

        models = "\n".join("  " + describe_models(p) for p in listed_providers())
        run.epilog = f"{examples}\nmodels and efforts:\n{models}"
        return plain()

    run.epilog = examples
    run.format_help = with_models  # type: ignore[method-assign]
    _common(run, provider_required=False)
    run.add_argument("--cwd", default=".", help="working directory of the agent (default .)")
    run.add_argument("--model", "-m", help="model name or alias (see below)")
    run.add_argument(
        "--attach",
        "-a",
        action="append",
        metavar="FILE",
        help="send an image with the prompt (PNG, JPEG, GIF, WebP; claude: PDF too); repeat for more",
    )
    from oauthpy.cli.batch_cmd import EFFORT_HELP

    run.add_argument("--reasoning-effort", "--effort", dest="reasoning_effort", help=EFFORT_HELP)
    run.add_argument("--timeout", type=float, help="seconds for the whole run")
    run.add_argument(
        "--max-retries", type=int, default=0, help="retries of transient failures (rate limits, overload)"
    )
    run.add_argument("--schema", metavar="FILE", help="JSON schema file: the answer is parsed and validated")
    run.add_argument(
        "--lean",
        action="store_true",
        help="text in, text out: no tools, instruction files or MCP servers, for a far smaller request "
        "(docs/lean.md)",
    )
    from oauthpy.cli.words import fallback_flag

    fallback_flag(run)
    shape = run.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print one JSON object (docs/cli.md)")
    shape.add_argument("--stream", action="store_true", help="print events live as they arrive")
    run.add_argument(
        "prompt",
        nargs="?",
        help="the prompt; piped stdin follows it on the next line, as its context; "
        "'-' or absent: stdin alone is the prompt",
    )


def _fill_auth(auth: argparse.ArgumentParser) -> None:
    auth_sub = auth.add_subparsers(dest="auth_command", required=True, metavar="ACTION")

    first = agent_names()[0]

    def action(name: str, help: str, example: str) -> argparse.ArgumentParser:
        return auth_sub.add_parser(
            name, help=help, description=help, epilog=f"example:\n  {example}", formatter_class=Help
        )

    status = action(
        "status", "is the provider installed and logged in", f"oauthpy auth status -p {first} --json"
    )
    _common(status, provider_required=False)
    status.add_argument("--json", action="store_true")
    login = action(
        "login", "run the vendor's official login", f"oauthpy auth login -p {first} --source oauthpy"
    )
    _common(login)
    login.add_argument("--device-code", action="store_true", help="code-based flow where the vendor has one")
    login.add_argument(
        "--with-api-key",
        action="store_true",
        help="read the key or token from stdin, for an agent whose login takes one (an API key, a GitHub token)",
    )
    login.add_argument(
        "--method",
        help="the login method of an agent that offers several (Claude Code: claudeai or console; an ACP "
        "agent: the id of one of its authMethods)",
    )
    login.add_argument(
        "--yes",
        action="store_true",
        help="an ACP agent: run the command its terminal sign-in names without asking (it is still shown)",
    )
    logout = action("logout", "log out with the vendor's command", f"oauthpy auth logout -p {first}")
    _common(logout)


def _fill_available(p: argparse.ArgumentParser) -> None:
    _titled(p, f"oauthpy available -p {agent_names()[0]}")
    _common(p)


def _fill_doctor(p: argparse.ArgumentParser) -> None:
    _titled(p, "oauthpy doctor --json")
    p.add_argument("--source", default="auto", choices=AUTH_SOURCES)
    p.add_argument("--json", action="store_true")


def _fill_demo(p: argparse.ArgumentParser) -> None:
    _titled(p, "oauthpy demo")
    from oauthpy.cli.words import agents_flag

    agents_flag(p, known=listed_providers(), help="only this agent")


def _fill_batch(p: argparse.ArgumentParser) -> None:
    from oauthpy.cli.batch_cmd import fill

    fill(p, _common)


def _fill_sessions(p: argparse.ArgumentParser) -> None:
    from oauthpy.cli.sessions_cmd import fill

    fill(p, _common)


def _fill_usage(p: argparse.ArgumentParser) -> None:
    from oauthpy.cli.usage_cmd import fill

    fill(p, _common)


def _fill_compare(p: argparse.ArgumentParser) -> None:
    from oauthpy.cli.compare_cmd import fill

    fill(p, _common)


def _fill_review(p: argparse.ArgumentParser) -> None:
    from oauthpy.cli.review_cmd import fill

    fill(p, _common)


def _fill_workspaces(p: argparse.ArgumentParser) -> None:
    from oauthpy.cli.compare_cmd import fill_workspaces

    fill_workspaces(p)


def _fill_mcp(p: argparse.ArgumentParser) -> None:
    from oauthpy.cli.mcp_cmd import fill

    fill(p)


def _fill_chat(chat: argparse.ArgumentParser) -> None:
    chat.description = _HELP["interactive"]
    chat.epilog = f"example:\n  oauthpy chat -p {agent_names()[0]}"
    _common(chat, provider_required=False)
    chat.add_argument("--cwd", default=".")
    chat.add_argument("--model", "-m")
    chat.add_argument(
        "--resume", metavar="ID", help="continue a saved session (`oauthpy sessions` lists them)"
    )


#: every command: its one line of help, its aliases, and what fills in the rest of its parser
_COMMANDS: tuple[tuple[str, str, tuple[str, ...], Callable[[argparse.ArgumentParser], None]], ...] = (
    ("run", "run a prompt and print the final answer", (), _fill_run),
    ("auth", "login state: status, login, logout", (), _fill_auth),
    ("available", "print yes/no: installed and logged in (exit 0/1)", (), _fill_available),
    ("doctor", "check every provider and print the fixes", (), _fill_doctor),
    ("demo", "run the installed CLIs against the offline fake backends", (), _fill_demo),
    ("batch", "run every prompt of a JSON Lines file, results to JSON Lines", (), _fill_batch),
    ("sessions", "list, show, fork and delete a provider's saved sessions", (), _fill_sessions),
    ("usage", "the account's plan, how much of each limit is used, and when it resets", (), _fill_usage),
    ("compare", "give one task to several agents at once, each in its own git worktree", (), _fill_compare),
    ("review", "have agents review a change, read-only, and merge their findings", (), _fill_review),
    ("workspaces", "list or clean the worktrees oauthpy kept", (), _fill_workspaces),
    ("mcp", "serve the agents as tools of any MCP client (mcp serve)", (), _fill_mcp),
    ("interactive", "a chat REPL over one native session", ("chat",), _fill_chat),
)
_HELP = {name: help for name, help, _, _ in _COMMANDS}


def _agents_named() -> str:
    """Every agent of the registry, as ``--help`` names them (``acp``: any ACP agent)."""
    return ", ".join([*(name for name in agent_names() if name != "acp"), "any ACP agent"])


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; ``only``: fill in that command alone (the one that runs: the
    others' arguments would only cost start-up time), "" none, None every one."""
    parser = argparse.ArgumentParser(
        prog="oauthpy",
        description=f"Run the coding agents you are logged in to ({_agents_named()}) from one tool.",
        epilog=EPILOG,
        formatter_class=Help,
    )
    parser.add_argument("--version", action="version", version=f"oauthpy {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # a known command is parsed by its parser alone: the others are never reached (each is a
    # few hundred microseconds of argparse and gettext before a fresh `oauthpy run` starts its
    # agent); an unknown word gets them all, for the error's list of choices
    known = only is not None and any(only == name or only in aliases for name, _, aliases, _ in _COMMANDS)
    for name, help, aliases, fill in _COMMANDS:
        chosen = only is None or only == name or only in aliases
        if known and not chosen:
            continue
        p = sub.add_parser(name, help=help, aliases=aliases, formatter_class=Help)
        if chosen:
            fill(p)
    return parser


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
