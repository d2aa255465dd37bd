"""Print codex's answer as it is written, then interrupt a session turn and carry on.

Runs offline by default: the real codex CLI against oauthpy's fake Responses API. Pass
``--live`` to use your own codex login instead.

    python examples/live_deltas.py [--live]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from oauthpy import Client, EventKind
from oauthpy.testing import FakeResponsesServer, shell, text


def show(env: dict[str, str] | None, cwd: str) -> None:
    source = "external" if env else "auto"  # the fake's env is an external codex config
    client = Client("codex", auth_source=source, env=env)
    for event in client.stream_sync("Write one sentence about rivers.", cwd=cwd):
        if event.kind is EventKind.MESSAGE and event.delta:
            print(event.text, end="", flush=True)  # text deltas, as they arrive
    print()
    with client.session(cwd=cwd) as chat:
        for event in chat.stream_sync("List the files here, then explain each."):
            if event.kind is EventKind.COMMAND:
                print("interrupting at:", event.command)
                break  # the turn is interrupted; the session and its process live on
        print("next turn:", chat.run("Never mind. Say 'ok'.").text)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if "--live" in sys.argv:
            show(None, tmp)
            return
        with FakeResponsesServer() as fake:
            fake.script(
                text("Rivers carve valleys over millennia.", chunks=6),
                shell("ls", say="Let me look."),
                # the interrupted turn may or may not reach its next model call first
                text("ok"),
                text("ok"),
            )
            show(fake.env(Path(tmp) / "codex-home"), tmp)


if __name__ == "__main__":
    main()
