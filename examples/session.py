"""A multi-turn session, then resuming it by id from a brand-new client.

Runs offline by default: the real codex CLI against oauthpy's fake Responses API. Pass
``--live`` to use your own codex login instead.

    python examples/session.py [--live]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from oauthpy import Client
from oauthpy.testing import FakeResponsesServer, text


def converse(env: dict[str, str] | None, cwd: str) -> None:
    source = "external" if env else "auto"  # the fake's env is an external codex config
    with Client("codex", auth_source=source, env=env).session(cwd=cwd) as chat:
        print("1:", chat.run("Pick a colour and remember it.").text)
        print("2:", chat.run("Which colour did you pick?").text)
        session_id = chat.session_id
    print("session:", session_id)
    with Client("codex", auth_source=source, env=env).session(cwd=cwd, resume=session_id) as later:
        print("3:", later.run("Say the colour once more.").text)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if "--live" in sys.argv:
            converse(None, tmp)
            return
        with FakeResponsesServer() as fake:
            fake.script(text("I picked teal."), text("Teal."), text("Teal, again."))
            converse(fake.env(Path(tmp) / "codex-home"), tmp)


if __name__ == "__main__":
    main()
