"""A gemini session on one live `gemini --acp` process, then resumed from a new client.

Runs offline by default: the real Gemini CLI against oauthpy's fake Gemini API (the CLI from
`gemini` on PATH, ``OAUTHPY_GEMINI_BINARY``, or the copy `bash scripts/test` installs). Pass
``--live`` to use your own gemini login instead.

    python examples/gemini_session.py [--live]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from oauthpy import Client
from oauthpy.testing import FakeGeminiServer, text

QUESTIONS = ["Remember the word 'heron'.", "Name a colour.", "Name a river."]
PINNED = Path(__file__).resolve().parent.parent / "tools/gemini/node_modules/.bin/gemini"


def converse(env: dict[str, str] | None, cwd: str) -> None:
    source = "external" if env else "auto"  # the fake's env is an external gemini config
    gemini = Client("gemini", auth_source=source, env=env)
    with gemini.session(cwd=cwd, model="gemini-2.5-flash") as chat:
        for question in QUESTIONS:  # turn 1 starts the process; turns 2..N reuse it
            started = time.monotonic()
            result = chat.run(question)
            print(f"{time.monotonic() - started:5.2f} s  {question} -> {result.text}  [{result.transport}]")
        session_id = chat.session_id
    # Later, in another program: the same conversation, by id.
    with Client("gemini", auth_source=source, env=env).session(cwd=cwd, resume=session_id) as later:
        result = later.run("Which word did I ask you to remember?")
        print(f"resumed -> {result.text}  [{result.transport}]")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if "--live" in sys.argv:
            converse(None, tmp)
            return
        binary = os.environ.get("OAUTHPY_GEMINI_BINARY") or shutil.which("gemini") or str(PINNED)
        with FakeGeminiServer() as fake:
            fake.script(*(text(answer) for answer in ("Noted.", "teal", "Rhone", "heron")))
            env = {**fake.env(Path(tmp) / "gemini"), "OAUTHPY_GEMINI_BINARY": binary}
            converse(env, tmp)


if __name__ == "__main__":
    main()
