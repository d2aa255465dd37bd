"""``oauthpy interactive`` (alias ``chat``): a REPL over one native session.

Plain lines are turns of the current vendor session; ``/commands`` change settings. One
command table drives dispatch (unique prefixes), ``/help`` and tab completion.

On a terminal, a line typed while a turn runs answers the agent's question, steers the turn or
waits for its end (`oauthpy.cli.chat_typing`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from oauthpy._catalog import default_model, efforts, models
from oauthpy._checks import positive_number
from oauthpy._describe import safe
from oauthpy._errors import InvalidOptionsError, OauthPyError
from oauthpy._names import AUTH_SOURCES, AuthSource, listed_providers
from oauthpy._registry import ProviderName
from oauthpy.cli.auth_cmd import status_lines
from oauthpy.cli.chat_typing import ChatTyping
from oauthpy.cli.questions import can_ask
from oauthpy.cli.render import StreamPrinter, answer_text
from oauthpy.cli.term import Spinner, print_error, style

if TYPE_CHECKING:
    from oauthpy._client import Client
    from oauthpy._session import Session


T = TypeVar("T")
C = TypeVar("C", bound=str)


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    run: Callable[[Repl, str], None]
    aliases: tuple[str, ...] = ()


class Repl(ChatTyping):
    def __init__(
        self, provider: ProviderName, source: AuthSource, cwd: str, resume: str | None = None
    ) -> None:
        self.provider = provider
        #: the saved session the first turn continues (``--resume``); a /new starts afresh
        self.resume = resume
        self.source = source
        self.cwd = str(Path(cwd).expanduser().resolve())
        self.model: str | None = None
        self.effort: str | None = None
        self.timeout: float | None = None
        self.show_events = False
        self.done = False
        self._client: Client | None = None
        self._session: Session | None = None
        self._init_typing()

    # -- state -----------------------------------------------------------------------------

    @property
    def client(self) -> Client:
        from oauthpy._client import Client

        if self._client is None:
            self._client = Client(self.provider, auth_source=self.source)
        return self._client

    def session(self) -> Session:
        if self._session is None:
            self._session = self.client.session(cwd=self.cwd, resume=self.resume)
        return self._session

    def reset(self, *, client: bool = False) -> None:
        """End the current session (and client): the next turn starts a new conversation."""
        self.resume = None
        if self._session is not None:
            self._session.close()
            self._session = None
        if client:
            self._client = None

    def turn_options(self, *, one_shot: bool = False) -> dict[str, Any]:
        opts = {"reasoning_effort": self.effort} if self.effort else None
        # No terminal: the agent's questions are declined (`decline`). A session runs on a
        # transport that can ask (gemini's sessions: ACP); a one-shot is not moved to one.
        asks = not one_shot or can_ask(self.client)
        return {
            "model": self.model,
            "timeout": self.timeout,
            "provider_options": opts,
            "on_question": self.asker if asks else None,
        }

    # -- running -----------------------------------------------------------------------------

    def stream(self, events: Any, *, steer: bool = False) -> None:
        """Print a run's events live; Ctrl-C stops the vendor process and returns here."""
        printer = StreamPrinter(all_events=self.show_events)
        spinner = Spinner(f"{self.provider} is thinking").start()
        try:
            with self.typing(spinner, steer=steer):
                for event in events:
                    spinner.stop()
                    printer.feed(event)
        except KeyboardInterrupt:
            spinner.stop()
            printer.feed_end()
            print(style("interrupted: the run was stopped", "yellow", sys.stderr), file=sys.stderr)
            return
        finally:
            spinner.stop()
        printer.feed_end()

    def say(self, text: str) -> None:
        self.stream(self.session().stream_sync(text, **self.turn_options()), steer=True)

    def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        try:
            if line.startswith("/"):
                name, _, arg = line[1:].partition(" ")
                find(name).run(self, arg.strip())
            else:
                self.say(line)
        except OauthPyError as exc:
            print_error(exc.message, exc.hint)


# -- commands ----------------------------------------------------------------------------------


def _status(r: Repl, arg: str) -> None:
    print("\n".join(status_lines(r.client.auth_status())))


def _available(r: Repl, arg: str) -> None:
    print("yes" if r.client.available() else "no")


def _login(r: Repl, arg: str) -> None:
    print("\n".join(status_lines(r.client.login(device_code=arg == "device"))))


def _matches(value: str, names: Mapping[str, T]) -> list[T]:
    """The entry named exactly ``value``, else each entry with a name that starts with it."""
    if value in names:
        return [names[value]]
    found: list[T] = []
    for name, item in names.items():
        if value and name.startswith(value) and item not in found:
            found.append(item)
    return found


def _choose(value: str, choices: tuple[C, ...], what: str) -> C:
    matches = _matches(value, {c: c for c in choices})
    if len(matches) != 1:
        raise InvalidOptionsError(f"unknown {what} {value!r}; choose one of {', '.join(choices)}")
    return next(c for c in choices if c == matches[0])


def _provider(r: Repl, arg: str) -> None:
    if arg:
        r.reset(client=True)
        r.provider = _choose(arg, listed_providers(), "provider")
        r.model = r.effort = None  # they belong to the old provider
        r.told_unsteerable = False
    print(f"provider: {r.provider}")


def _source(r: Repl, arg: str) -> None:
    if arg:
        r.reset(client=True)
        r.source = _choose(arg, AUTH_SOURCES, "auth source")
    print(f"auth source: {r.source}")


def _cwd(r: Repl, arg: str) -> None:
    if arg:
        path = Path(arg).expanduser().resolve()
        if not path.is_dir():
            raise InvalidOptionsError(f"not a directory: {path}")
        r.reset()
        r.cwd = str(path)
    print(f"cwd: {r.cwd}")


def _model(r: Repl, arg: str) -> None:
    if arg:
        # "default" is a model alias of some agents (claude), elsewhere: no model given
        r.model = None if arg == "default" and arg not in models(r.provider) else arg
    print(f"model: {r.model or default_model(r.provider)}")


def _models(r: Repl, arg: str) -> None:
    print(f"{r.provider} models: {', '.join(models(r.provider))} (other names are passed through)")


def _effort(r: Repl, arg: str) -> None:
    choices = efforts(r.provider)
    if arg:
        if not choices:
            raise InvalidOptionsError(f"{r.provider} has no reasoning-effort setting")
        r.effort = _choose(arg, choices, f"{r.provider} effort")
    print(f"effort: {r.effort or 'default'}")


def _efforts(r: Repl, arg: str) -> None:
    print(f"{r.provider} efforts: {', '.join(efforts(r.provider)) or 'none'}")


def _timeout(r: Repl, arg: str) -> None:
    if arg:
        if arg in ("off", "none", "0"):
            r.timeout = None
        else:
            try:
                seconds = float(arg)
            except ValueError:
                raise InvalidOptionsError(f"timeout must be seconds or 'off', got {arg!r}") from None
            # the API's own check: nan, inf and 1e400 (which float() reads as inf) are refused,
            # and the old value stays
            r.timeout = positive_number("timeout", seconds)
    print(f"timeout: {f'{r.timeout:g} s' if r.timeout else 'off'}")


def _events(r: Repl, arg: str) -> None:
    r.show_events = {"on": True, "off": False}.get(arg, not r.show_events)
    print(f"events: {'on' if r.show_events else 'off'}")


def _run(r: Repl, arg: str) -> None:
    if not arg:
        raise InvalidOptionsError("usage: /run PROMPT")
    from oauthpy.cli.progress import run_watched

    with Spinner(f"{r.provider} is working") as spinner, r.typing(spinner):
        result = run_watched(r.client, arg, {"cwd": r.cwd, **r.turn_options(one_shot=True)}, spinner)
    print(answer_text(result))


def _stream(r: Repl, arg: str) -> None:
    if not arg:
        raise InvalidOptionsError("usage: /stream PROMPT")
    r.stream(r.client.stream_sync(arg, cwd=r.cwd, **r.turn_options(one_shot=True)))


def _clear(r: Repl, arg: str) -> None:
    r.reset()
    print("new session")


def _help(r: Repl, arg: str) -> None:
    for c in COMMANDS:
        names = "/" + c.name + "".join(f", /{a}" for a in c.aliases)
        print(f"  {(names + ' ' + c.usage).ljust(28)} {c.help}")
    print("  anything else is a turn of the current session; unique prefixes work (/mo -> /model)")


def _exit(r: Repl, arg: str) -> None:
    r.done = True


COMMANDS: tuple[Command, ...] = (
    Command("status", "", "login state of the current provider", _status),
    Command("available", "", "installed and logged in? yes/no", _available),
    Command("login", "[device]", "run the vendor's login for the current source", _login),
    Command("provider", "[NAME]", "show or switch provider (new session)", _provider),
    Command("source", "[auto|oauthpy|external]", "show or switch auth source (new session)", _source),
    Command("cwd", "[DIR]", "show or change the working directory (new session)", _cwd),
    Command("model", "[NAME]", "show or set the model for the next turns", _model),
    Command("models", "", "known model names of the current provider", _models),
    Command("effort", "[LEVEL]", "show or set the reasoning effort", _effort, ("reasoning",)),
    Command("efforts", "", "valid efforts of the current provider", _efforts),
    Command("timeout", "[SECONDS|off]", "show or set the per-turn timeout", _timeout),
    Command("events", "[on|off]", "show every event, not just the text", _events),
    Command("run", "PROMPT", "one-shot run outside the session (final text)", _run),
    Command("stream", "PROMPT", "one-shot run outside the session (live)", _stream),
    Command("clear", "", "start a new session", _clear),
    Command("help", "", "this list", _help),
    Command("exit", "", "leave (also Ctrl-D)", _exit, ("quit",)),
)


def completions() -> list[str]:
    return sorted("/" + n for c in COMMANDS for n in (c.name, *c.aliases))


def find(name: str) -> Command:
    """The command named ``name`` or by a unique prefix of its name or an alias."""
    found = _matches(name, {n: c for c in COMMANDS for n in (c.name, *c.aliases)})
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(sorted("/" + c.name for c in found))
        raise InvalidOptionsError(f"/{name} is ambiguous: {names}")
    raise InvalidOptionsError(f"unknown command /{name}", hint="/help lists the commands")


def _reader() -> Callable[[str], str]:
    """prompt-toolkit with tab completion when installed and on a terminal, else input()."""
    if sys.stdin.isatty():
        try:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.completion import WordCompleter
        except ImportError:
            pass
        else:
            session: Any = PromptSession(completer=WordCompleter(completions(), sentence=True))
            return lambda prompt: str(session.prompt(prompt))
    return input


def command(args: argparse.Namespace) -> int:
    from oauthpy.cli.run_cmd import choose_provider

    if args.provider is None:
        args.provider = choose_provider(args.source)
    resume = getattr(args, "resume", None)
    if resume is not None:
        from oauthpy._session_options import check_resume_id

        check_resume_id(args.provider, resume)  # a wrong id fails here, not at the first turn
    repl = Repl(args.provider, args.source, args.cwd, resume)
    if args.model:
        repl.model = args.model
    if hasattr(sys.stdin, "reconfigure"):
        # A line that is not UTF-8 arrives as lone surrogates, which a turn refuses with one
        # error line, instead of a UnicodeDecodeError ending the REPL.
        sys.stdin.reconfigure(errors="surrogateescape")
    read = _reader()
    print(f"oauthpy interactive: {repl.provider}, cwd {repl.cwd}. /help lists commands, /exit leaves.")
    if resume is not None:
        print(f"continuing session {resume}")
    try:
        while not repl.done:
            kept = repl.next_kept()
            if kept is not None:  # typed while the last turn ran
                print(f"{repl.provider}> {safe(kept)}")
                repl.handle(kept)
                continue
            try:
                line = read(f"{repl.provider}> ")
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                break
            repl.handle(line)
    finally:
        repl.reset()
    return 0


__all__ = ["COMMANDS", "Repl", "command", "completions", "find"]
