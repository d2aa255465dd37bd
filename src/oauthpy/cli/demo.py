"""``oauthpy demo``: each installed vendor CLI against oauthpy's embedded fake backend.

Proof that the machine is set up, without an account or a network: the real CLI runs a real
shell command for the fake model and the normalized events are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._errors import OauthPyError
from .._options import PROVIDERS
from .render import describe
from .term import style

GREETING = "echo hello from a real shell"


@contextlib.contextmanager
def _backend(provider: str, root: Path) -> Iterator[tuple[Any, dict[str, str], str | None]]:
    """The fake for ``provider``, the env that points the real CLI at it, and the model."""
    if provider == "codex":
        from ..testing import FakeResponsesServer, Reply, shell

        with FakeResponsesServer() as fake:
            fake.script(
                shell(GREETING, say="Let me run a command."),
                Reply(text="The command printed its greeting. All done.", reasoning="**Plan** report back"),
            )
            yield fake, fake.codex_env(root / "home"), None
    elif provider == "claude":
        from ..testing.anthropic import FakeAnthropicServer, bash
        from ..testing.script import text

        with FakeAnthropicServer() as fake:
            fake.script(
                bash(GREETING, say="Let me run a command."), text("The command printed its greeting.")
            )
            yield fake, fake.claude_env(root / "claude"), None
    else:
        from ..testing.gemini import FakeGeminiServer, shell_call
        from ..testing.script import text

        with FakeGeminiServer() as fake:
            fake.script(shell_call(GREETING), text("The command printed its greeting."))
            yield fake, fake.gemini_env(root / "gemini"), "gemini-2.5-flash"


def _installed(provider: str) -> bool:
    from .._auth.manager import load_backend

    return load_backend(provider).find_binary(os.environ) is not None


def command(args: argparse.Namespace) -> int:
    from .._client import Client

    chosen = [args.provider] if args.provider else list(PROVIDERS)
    ran = failed = 0
    for provider in chosen:
        if not _installed(provider):
            print(style(f"== {provider}: not installed, skipped", "yellow", sys.stdout))
            continue
        print(f"== {provider}: the real CLI against oauthpy's offline fake backend", flush=True)
        with (
            tempfile.TemporaryDirectory(prefix="oauthpy-demo-") as tmp,
            _backend(provider, Path(tmp)) as (
                _,
                env,
                model,
            ),
        ):
            work = Path(tmp, "work")
            work.mkdir()
            client = Client(provider, auth_source="external", env=env)
            try:
                for event in client.stream_sync(
                    "Show me a command",
                    cwd=work,
                    model=model,
                    timeout=120,
                    provider_options=_options(provider),
                ):
                    line = describe(event)
                    if line:
                        print(line, flush=True)
            except OauthPyError as exc:
                print(f"error: {exc.message}", flush=True)
                failed += 1
                continue
        ran += 1
    return 0 if ran and not failed else 2


def _options(provider: str) -> dict[str, Any] | None:
    # Headless gemini refuses shell commands unless approvals are off; the command is harmless.
    return {"yolo": True} if provider == "gemini" else None
