"""``oauthpy run``: one prompt, printed as the final text, a live stream, or one JSON object."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from oauthpy._errors import AuthRequiredError, InvalidOptionsError
from oauthpy._names import AuthSource, listed_providers, provider_named
from oauthpy._registry import ProviderName
from oauthpy.cli.stdin import join, read_all, read_context


def read_prompt(arg: str | None) -> str:
    """The prompt: the argument, followed by piped stdin when there is any (its context, as in
    ``git diff | oauthpy run "Review this"``); all of stdin for ``-`` or no argument. Bytes that
    are not UTF-8 arrive as lone surrogates: build_request refuses them like any bad prompt."""
    if arg in (None, "-"):
        return read_all()
    return join(arg, read_context())


def load_schema(path: str | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidOptionsError(f"cannot read --schema {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise InvalidOptionsError(f"--schema {path} is not JSON: {exc}") from None


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``Client.run`` that the flags ask for."""
    opts: dict[str, Any] = {}
    if getattr(args, "reasoning_effort", None):
        opts["reasoning_effort"] = args.reasoning_effort
    if getattr(args, "max_retries", None):
        opts["max_retries"] = args.max_retries
    return {
        "cwd": args.cwd,
        "attachments": getattr(args, "attach", None),
        "workspace": getattr(args, "workspace", None),
        "model": args.model,
        "timeout": args.timeout,
        "provider_options": opts or None,
        "output_schema": load_schema(getattr(args, "schema", None)),
        "fallback": getattr(args, "fallback", None),
        "lean": bool(getattr(args, "lean", False)),
    }


def choose_provider(source: AuthSource) -> ProviderName:
    """For a run without ``--provider``: ``$OAUTHPY_PROVIDER``, else the first provider that is
    logged in (all three are asked at once). Says on stderr which one it took."""
    named = os.environ.get("OAUTHPY_PROVIDER")
    if named:
        chosen = provider_named(named)
        if chosen is None:
            raise InvalidOptionsError(
                f"OAUTHPY_PROVIDER={named!r} is not one of {', '.join(listed_providers())}"
            )
        print(f"oauthpy: {chosen} (from OAUTHPY_PROVIDER)", file=sys.stderr)
        return chosen
    import asyncio

    from oauthpy._client import Client
    from oauthpy._loop import run_sync

    async def ask() -> list[bool]:
        return list(
            await asyncio.gather(*(Client(p, auth_source=source).aavailable() for p in listed_providers()))
        )

    for provider, available in zip(listed_providers(), run_sync(ask()), strict=True):
        if available:
            print(
                f"oauthpy: {provider}, the first provider you are logged in to "
                "(--provider or OAUTHPY_PROVIDER chooses another)",
                file=sys.stderr,
            )
            return provider
    raise AuthRequiredError(
        f"no provider is logged in ({', '.join(listed_providers())})",
        hint="`oauthpy doctor` says how to log in to each; or pass --provider",
    )


def command(args: argparse.Namespace) -> int:

    prompt = read_prompt(args.prompt)
    if not prompt.strip():  # before any agent (or offline fake) starts
        raise InvalidOptionsError(
            "prompt is empty",
            hint='give it as the argument or on stdin: oauthpy run -p codex "Explain this repository"',
        )
    kw = run_options(args)
    if args.provider is None:
        args.provider = choose_provider(args.source)
    transport = {}
    from oauthpy import _registry as registry

    answering = registry.get(args.provider).answer_transport
    from oauthpy.cli.term import on_terminal

    # the agent's questions are asked on the terminal; with none (piped stdin, a job) they are
    # declined, and the question event says what was asked. A lean run asks nothing.
    asking = on_terminal()
    # only the agent's default transport carries its questions (`codex exec` answers its
    # model's question itself: "unavailable"), so a terminal keeps it
    if answering and not args.stream and (kw["lean"] or not asking):
        # the answer alone: the agent's one-shot (codex exec), started before the rest imports
        # (cli/run_exec.py); its default transport (codex's app-server) for --stream's deltas
        from oauthpy.cli import run_exec

        started = run_exec.start(args, prompt, kw, answering) if run_exec.fits(args) else None
        if started is not None:
            return run_exec.finish(started, args)
        transport = {"transport": answering}
    from oauthpy.cli.interrupts import collecting

    collecting()  # the command's start is over (cli/interrupts.py)
    from oauthpy.cli.clients import client_for  # not before run_exec's codex has started

    client = client_for(args, **transport)
    from oauthpy.cli.questions import can_ask, decline, terminal_asker
    from oauthpy.cli.render import StreamPrinter, answer_text, dumps, result_json

    questions = can_ask(client) and not kw["lean"]
    if args.stream:
        printer = StreamPrinter()
        if questions:
            kw["on_question"] = terminal_asker(lambda: None) if asking else decline
        for event in client.stream_sync(prompt, **kw):
            printer.feed(event)
        printer.feed_end()
        return 0
    from oauthpy.cli.progress import run_watched
    from oauthpy.cli.term import Spinner

    with Spinner(f"{args.provider} is working") as spinner:
        if questions:
            kw["on_question"] = terminal_asker(lambda: None, quiet=spinner.stop) if asking else decline
        result = run_watched(client, prompt, kw, spinner)
    if args.json:
        print(dumps(result_json(result)))
    elif result.output is not None and kw["output_schema"] is not None:
        print(dumps(result_json(result)["output"]))
    else:
        print(answer_text(result))
    return 0
