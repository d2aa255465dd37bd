"""Many runs through one warm agent (`with Client(...)`), and the models it offers.

Runs offline by default: the real vendor CLI against oauthpy's fake model server. Pass
``--live`` to use your own login instead, and ``-p`` to choose the agent (codex, claude,
gemini...: every one of them keeps its process warm inside the block).

    python examples/warm_agents.py [-p codex] [--live]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from oauthpy import Client
from oauthpy.testing import fake_for, text

QUESTIONS = ["Name a prime.", "Name a colour.", "Name a river.", "Name a tree."]


def ask_all(provider: str, env: dict[str, str] | None, cwd: str) -> None:
    source = "external" if env else "auto"  # the fake's env is an external login of the vendor's
    with Client(provider, auth_source=source, env=env, keep_alive=30) as agent:
        print("models:", ", ".join(m.id + (" (default)" if m.is_default else "") for m in agent.models()))
        for question in QUESTIONS:
            started = time.monotonic()
            result = agent.run(question, cwd=cwd)  # runs 2..N reuse the live process
            print(f"{time.monotonic() - started:5.2f} s  {question} -> {result.text}  [{result.transport}]")
    # the block has ended: its vendor processes are gone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--provider", default="codex")
    parser.add_argument("--live", action="store_true", help="your own login, not the fake")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.live:
            ask_all(args.provider, None, tmp)
            return
        with fake_for(args.provider) as fake:
            fake.script(*(text(answer) for answer in ("7", "teal", "Rhone", "oak")))
            ask_all(args.provider, fake.env(Path(tmp) / "home"), tmp)


if __name__ == "__main__":
    main()
