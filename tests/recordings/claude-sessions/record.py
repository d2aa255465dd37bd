"""Record claude-agent-sdk's session answers (list_sessions, get_session_messages) for sessions
the bundled claude CLI made against the fake: what `oauthpy._agents.claude.sessions` translates.

Run: .venv/bin/python tests/recordings/claude-sessions/record.py  (rewrites the *.json here)
Each file is the SDK's answer as the catalogue's child process prints it (its dataclasses as
JSON), so the unit tests read exactly what the translation gets.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from oauthpy import Client, OauthPyError
from oauthpy._agents.claude.sessions import _ask
from oauthpy.testing import HttpError, Reply, text
from oauthpy.testing.anthropic import FakeAnthropicServer, bash, write_file

OUT = Path(__file__).resolve().parent


def save(name: str, answer: Any) -> None:
    (OUT / f"{name}.json").write_text(json.dumps(answer, indent=1, ensure_ascii=False) + "\n")
    print("wrote", name)


def main() -> None:
    steps = [
        bash("echo hello-from-bash", say="I will run it."),
        text("first answer alpha"),
        Reply(text="second answer beta", reasoning="thinking about two"),
        write_file("notes.txt", "one\n"),
        text("written"),
        HttpError(500, "the fake is down"),
        text("fork answer gamma"),
    ]
    with FakeAnthropicServer(steps) as fake, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "work").mkdir()
        env = {**os.environ, **fake.env(root / "claude")}
        client = Client("claude", auth_source="external", env=env)
        with client.session(cwd=root / "work") as chat:
            two = chat.run("first question one").session_id
            chat.run("second question two")
        wrote = client.run(
            "write the notes", cwd=root / "work", provider_options={"permission_mode": "acceptEdits"}
        ).session_id
        try:
            client.run("this one fails", cwd=root / "work")
        except OauthPyError as exc:
            print("the failing turn failed as planned:", type(exc).__name__)
        failed = next(s.id for s in client.sessions() if s.id not in (two, wrote))
        fork = client.fork(two)
        with client.session(cwd=root / "work", resume=fork) as chat:
            chat.run("a turn on the fork")
        full = {**os.environ, **env}
        save("list", asyncio.run(_ask(full, {"op": "list", "directory": None})))
        for name, sid in (("two_turns", two), ("write", wrote), ("failed", failed), ("fork", fork)):
            save(name, asyncio.run(_ask(full, {"op": "messages", "id": sid})))


if __name__ == "__main__":
    main()
