"""The command line's words: errors said as flags (the library's messages name Python:
``auth_source=``, ``Client('codex').login()``, ``command=``; on the command line the same fix is
a flag), and the one flag that names agents, ``-p/--provider``, on every command."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any

#: (pattern, replacement), applied in order to an error's message and hint; compiled when an
#: error is said (`re` caches them), not on every command's start
_CLI_WORDS: tuple[tuple[str, str], ...] = (
    # "log in with Client(...).login() or `oauthpy auth login ...`": the command alone
    (r"Client\('[\w-]+'(, auth_source='\w+')?\)\.login\(\) or (?=`)", ""),
    (r",? ?(or )?Client\('[\w-]+'(, auth_source='\w+')?\)\.login\(\);?", ";"),
    (r"auth_source=(['\"])(\w+)\1", r"--source \2"),
    (
        r"Client\('acp'\) needs command=, the argv that",
        "-p acp needs --command CMD, the command that",
    ),
    (r"provider_options=\{'method': \.\.\.\} \(CLI: (--method)\)", r"\1"),
    (r"\(CLI: (--[\w-]+)\)", r"(\1)"),
    # a worktree's set-up without a worktree (`oauthpy batch --setup` without --workspace)
    (r"\bsetup_timeout= prepares", "--setup-timeout prepares"),
    (r"\b(setup|include|base)= prepares", r"--\1 prepares"),
    (r"it needs workspace='worktree'", "it needs --workspace worktree"),
    # a key "in env=" is, for a command, a variable of the shell it runs in
    (r"\bpass ([A-Z][A-Z0-9_]*) in env=", r"set \1 in the environment"),
    (r" in env=", " in the environment"),
    (r"\(timeout=\)", "(--timeout)"),
    # an agent's own options have no flag: the fix that needs one is not the command line's
    (r",? or pass provider_options=\{[^}]*\}", ""),
)

_ACP_EXAMPLE = r"e\.g\. Client\('acp', command=\[([^\]]*)\]\)"


def cli_words(text: str | None) -> str | None:
    """``text`` with the Python of a fix said as the command line's flag."""
    if not text:
        return text
    text = re.sub(_ACP_EXAMPLE, lambda m: f'e.g. --command "{example_command(m.group(1))}"', text)
    for pattern, replacement in _CLI_WORDS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"\s*;\s*;", ";", text).strip().lstrip(";").strip()
    return text.replace("`, ;", "`;").replace(", ;", ";")


def example_command(quoted_list: str) -> str:
    """``'opencode', 'acp'`` as the shell words ``opencode acp``."""
    return " ".join(w.strip().strip("'\"") for w in quoted_list.split(","))


def unrecognized(extra: list[str], parser: argparse.ArgumentParser) -> str:
    """What to say of arguments ``parser`` does not take, with the flag most like each one."""
    flags = [o for a in parser._actions for o in a.option_strings]
    said = f"unrecognized arguments: {' '.join(extra)}"
    guesses = []
    for arg in extra:
        if arg.startswith("-"):
            import difflib  # for a usage error only: not on every command's start

            close = difflib.get_close_matches(arg.split("=", 1)[0], flags, n=1, cutoff=0.6)
            guesses += [f"{arg.split('=', 1)[0]} -> {close[0]}"] if close else []
    return said + (f" (did you mean: {', '.join(guesses)}?)" if guesses else "")


class _Agents(argparse.Action):
    """``-p NAME``, ``-p a,b``: one agent, or (``many``) a list that each ``-p`` adds to.

    A command that runs one agent refuses a second (said with the command, not silently the
    last one); one that runs several refuses an agent named twice (a slip, not a wish to run
    it twice). ``known``: the names checked here, as argparse's ``choices`` would (None: the
    command checks them, with its own message).
    """

    def __init__(
        self,
        option_strings: Sequence[str],
        dest: str,
        *,
        many: bool = False,
        known: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self.many = many
        self.known = known

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        named = [name.strip() for name in str(values).split(",") if name.strip()]
        if not named:
            raise argparse.ArgumentError(self, "expected an agent name")
        for name in named:
            if self.known is not None and name not in self.known:
                choices = ", ".join(repr(k) for k in self.known)
                raise argparse.ArgumentError(self, f"invalid choice: {name!r} (choose from {choices})")
        before = getattr(namespace, self.dest, None)
        if not self.many:
            both = [before, *named] if before else named
            if len(both) > 1:
                raise argparse.ArgumentError(self, f"`{parser.prog}` takes one agent, got {', '.join(both)}")
            setattr(namespace, self.dest, named[0])
            return
        chosen = [*(before or ()), *named]  # a new list: the default is shared by every parse
        for i, name in enumerate(chosen):
            if name in chosen[:i]:
                raise argparse.ArgumentError(self, f"{name} is named twice; name each agent once")
        setattr(namespace, self.dest, chosen)


def lean_flag(p: argparse.ArgumentParser) -> None:
    """``--lean``: the same words on every command that runs prompts (docs/lean.md)."""
    p.add_argument(
        "--lean",
        action="store_true",
        help="text in, text out: no tools, instruction files or MCP servers, for a far smaller request "
        "(docs/lean.md)",
    )


def fallback_flag(p: argparse.ArgumentParser) -> None:
    """``--fallback A,B``: the agents that take the work when the first one's plan runs out, or
    it is not installed or not logged in (docs/failover.md)."""
    p.add_argument(
        "--fallback",
        action=_Agents,
        many=True,
        metavar="AGENT",
        help="when the agent's plan runs out (or it is not installed or logged in), the next of these "
        "takes the work: repeat it, or a comma list (docs/failover.md)",
    )


def agents_flag(
    p: argparse.ArgumentParser,
    *,
    many: bool = False,
    required: bool = False,
    known: Sequence[str] | None = None,
    aliases: Sequence[str] = (),
    help: str | None = None,
) -> None:
    """Add ``-p/--provider`` (dest ``provider``: a name, or with ``many`` a list of them) to
    ``p``; ``aliases``: older spellings that still work, left out of ``--help``."""
    # required with aliases: a required group, so either spelling will do (mixing them is refused)
    container: Any = p.add_mutually_exclusive_group(required=True) if required and aliases else p
    kind = {"many": many, "known": known, "dest": "provider", "metavar": "AGENT"}
    container.add_argument(
        "-p", "--provider", action=_Agents, required=required and not aliases, help=help, **kind
    )
    if aliases:
        container.add_argument(*aliases, action=_Agents, help=argparse.SUPPRESS, **kind)
