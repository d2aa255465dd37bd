"""The ``oauthpy`` command: ``run`` a prompt, or ``demo`` against the embedded fake backends.

Exit codes: 0 ok, 2 usage or run error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import OauthPyError
from .events import Event, EventKind

DEMO_PROVIDERS = ("codex",)


def _describe(event: Event) -> str | None:
    """One readable line for an event, or None for events not worth a line."""
    kind = event.kind
    if kind is EventKind.COMMAND:
        if event.status == "in_progress":
            return f"[command] $ {event.command}"
        out = (event.output or "").strip().replace("\n", " | ")
        return f"[command] exit {event.exit_code}: {out[:120]}"
    if kind is EventKind.FILE_CHANGE and event.status != "in_progress":
        return "[file_change] " + ", ".join(f"{c.kind} {c.path}" for c in event.changes)
    if kind is EventKind.DONE:
        u = event.usage
        tokens = f"{u.input_tokens} in / {u.output_tokens} out" if u else "?"
        return f"[done] session {event.session_id}, tokens {tokens}"
    if kind in (EventKind.MESSAGE, EventKind.REASONING, EventKind.PLAN, EventKind.ERROR, EventKind.TOOL):
        if event.delta or event.status == "in_progress":
            return None
        return f"[{kind.value}] {event.text}"
    return None


def _demo(out: TextIO) -> int:
    from .client import Client
    from .testing import FakeResponsesServer, Reply, shell

    ran = 0
    for provider in DEMO_PROVIDERS:
        print(f"== {provider}: the real CLI against oauthpy's offline fake backend", file=out)
        with FakeResponsesServer() as fake, tempfile.TemporaryDirectory(prefix="oauthpy-demo-") as tmp:
            work = Path(tmp, "work")
            work.mkdir()
            env = fake.codex_env(Path(tmp, "home"))
            fake.script(
                shell("echo hello from a real shell", say="Let me run a command."),
                Reply(text="The command printed its greeting. All done.", reasoning="**Plan** report back"),
            )
            try:
                for event in Client(provider, auth_source="external").stream_sync(
                    "Show me a command", cwd=work, env=env, timeout=60
                ):
                    line = _describe(event)
                    if line:
                        print(line, file=out, flush=True)
            except OauthPyError as exc:
                print(f"error: {exc}", file=out)
                continue
            ran += 1
    return 0 if ran else 2


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from .client import Client

    prompt = args.prompt
    if prompt in (None, "-"):
        prompt = sys.stdin.read()
    opts: dict[str, Any] = {}
    if args.reasoning_effort:
        opts["reasoning_effort"] = args.reasoning_effort
    client = Client(args.provider, auth_source=args.source)
    result = client.run(
        prompt, cwd=args.cwd, model=args.model, timeout=args.timeout, provider_options=opts or None
    )
    print(result.text, file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oauthpy",
        description="Run the coding agents you are logged in to (codex, claude, gemini) from one tool.",
    )
    parser.add_argument("--version", action="version", version=f"oauthpy {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a prompt and print the final answer")
    run.add_argument("--provider", required=True, choices=("codex", "claude", "gemini"))
    run.add_argument("--source", default="auto", choices=("auto", "oauthpy", "external"))
    run.add_argument("--cwd", default=".")
    run.add_argument("--model")
    run.add_argument("--reasoning-effort")
    run.add_argument("--timeout", type=float)
    run.add_argument("prompt", nargs="?", help="the prompt; '-' or absent reads stdin")
    sub.add_parser("demo", help="run the installed CLIs against the offline fake backends")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(sys.stdout)
        return _run(args, sys.stdout)
    except OauthPyError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
