"""The ``oauthpy`` command line's parser: every command's arguments, help and examples.

`build_parser` fills in only the command that runs: the others' arguments would only cost
start-up time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable

from oauthpy import __version__
from oauthpy._names import AUTH_SOURCES, listed_providers
from oauthpy._registry import names as agent_names

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
    from oauthpy.cli.words import fallback_flag, lean_flag

    lean_flag(run)
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
    from oauthpy.cli.words import agents_flag

    agents_flag(
        p,
        many=True,
        known=listed_providers(),
        help="only these agents: repeat -p, or a comma list (default: all)",
    )
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
