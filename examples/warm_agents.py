"""Many runs through one warm codex agent (`with Client(...)`), and the models codex offers.

Runs offline by default: the real codex CLI against oauthpy's fake Responses API. Pass
``--live`` to use your own codex login instead.

    python examples/warm_agents.py [--live]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from oauthpy import Client
from oauthpy.testing import FakeResponsesServer, text

QUESTIONS = ["Name a prime.", "Name a colour.", "Name a river.", "Name a tree."]


def ask_all(env: dict[str, str] | None, cwd: str) -> None:
    source = "external" if env else "auto"  # the fake's env is an external codex config
    with Client("codex", auth_source=source, env=env, keep_alive=30) as codex:
        print("models:", ", ".join(m.id + (" (default)" if m.is_default else "") for m in codex.models()))
        for question in QUESTIONS:
            started = time.monotonic()
            result = codex.run(question, cwd=cwd)  # runs 2..N reuse the live app-server
            print(f"{time.monotonic() - started:5.2f} s  {question} -> {result.text}  [{result.transport}]")
    # the block has ended: its codex processes are gone


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if "--live" in sys.argv:
            ask_all(None, tmp)
            return
        with FakeResponsesServer() as fake:
            fake.script(*(text(answer) for answer in ("7", "teal", "Rhone", "oak")))
            ask_all(fake.env(Path(tmp) / "codex-home"), tmp)


if __name__ == "__main__":
    main()
