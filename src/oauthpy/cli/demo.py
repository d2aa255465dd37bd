"""``oauthpy demo``: each installed vendor CLI against oauthpy's embedded fake backend.

Proof that the machine is set up, without an account or a network: the real CLI runs a real
shell command for the fake model and the normalized events are printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from oauthpy import _registry as registry
from oauthpy._describe import describe
from oauthpy._errors import OauthPyError
from oauthpy._names import listed_providers
from oauthpy.cli.term import style
from oauthpy.testing.script import shell, text

GREETING = "echo hello from a real shell"


def _installed(provider: str) -> bool:
    from oauthpy._auth.manager import load_backend

    return load_backend(provider).find_binary(os.environ) is not None


def command(args: argparse.Namespace) -> int:
    from oauthpy._client import Client

    chosen = [args.provider] if args.provider else list(listed_providers())
    ran = failed = 0
    for provider in chosen:
        if not _installed(provider):
            print(style(f"== {provider}: not installed, skipped", "yellow", sys.stdout))
            continue
        print(f"== {provider}: the real CLI against oauthpy's offline fake backend", flush=True)
        agent = registry.get(provider)
        with tempfile.TemporaryDirectory(prefix="oauthpy-demo-") as tmp, agent.fake_class()() as fake:
            fake.script(
                shell(GREETING, say="Let me run a command."), text("The command printed its greeting.")
            )
            env = agent.fake_environment(fake, Path(tmp) / provider)
            work = Path(tmp, "work")
            work.mkdir()
            client = Client(provider, auth_source="external", env=env)
            try:
                for event in client.stream_sync(
                    "Show me a command",
                    cwd=work,
                    model=agent.fake_model,
                    timeout=120,
                    provider_options=agent.demo_options,
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
