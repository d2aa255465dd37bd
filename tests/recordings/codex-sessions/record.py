"""Re-record this folder from the real pinned codex against the fake:

    .venv/bin/python tests/recordings/codex-sessions/record.py

A session of three turns (a command, a file change, a failed model request) and a one-shot run
in a sub folder are made through oauthpy; then one app-server answers the catalogue's requests
(`oauthpy._agents.codex.session_items`), each saved as ``{"result": ...}`` or ``{"error": ...}`` with
the temporary root written as /tmp/rec.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from tests.support import open_rig  # noqa: E402

from oauthpy import CommandExecutionError  # noqa: E402
from oauthpy._agents.codex import session_items as codex_items  # noqa: E402
from oauthpy._agents.codex.app import AppServer  # noqa: E402
from oauthpy._agents.codex.provider import CodexProvider  # noqa: E402
from oauthpy._options import build_request  # noqa: E402
from oauthpy._transports.rpc_messages import RpcError  # noqa: E402
from oauthpy.testing import HttpError, shell, text  # noqa: E402
from oauthpy.testing.responses import apply_patch  # noqa: E402

OUT = Path(__file__).resolve().parent
UNKNOWN = "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"
PATCH = "*** Begin Patch\n*** Add File: notes.txt\n+first line\n*** End Patch\n"


async def answers(env: dict[str, str], calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    inv = CodexProvider().launch(build_request(None, require_prompt=False), env)
    started = time.monotonic()
    agent = await AppServer.start(inv, env["CODEX_HOME"], started + 60, started)
    found: list[Any] = []
    try:
        for method, params in calls:
            try:
                found.append({"result": await agent.conn.request(method, params, timeout=30)})
            except RpcError as exc:
                found.append({"error": {"code": exc.code, "message": exc.said}})
    finally:
        await agent.aclose()
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, open_rig("codex", Path(tmp)) as rig:
        (rig.work / "sub").mkdir()
        rig.fake.script(
            shell("echo hello-from-shell", say="Running it."),
            text("first reply alpha"),
            apply_patch(PATCH),
            text("created notes"),
            HttpError(500, "server fell over"),
            text("other dir reply"),
        )
        options = {"sandbox": "workspace-write"}
        with rig.client().session(cwd=rig.work, timeout=60, provider_options=options) as chat:
            chat.run("first prompt one")
            chat.run("second prompt: write notes")
            try:
                chat.run("third prompt fails")
            except CommandExecutionError:
                pass
        assert chat.session_id
        other = rig.client().run("prompt in the sub dir", cwd=rig.work / "sub", timeout=60).session_id
        assert other
        calls = {
            "list": ("thread/list", codex_items.list_params(None, None, None)),
            "turns": ("thread/turns/list", codex_items.turns_params(chat.session_id, None)),
            "fork": ("thread/fork", {"threadId": other, "excludeTurns": True}),
            "turns_unknown": ("thread/turns/list", codex_items.turns_params(UNKNOWN, None)),
            "fork_unknown": ("thread/fork", {"threadId": UNKNOWN, "excludeTurns": True}),
            "delete_unknown": ("thread/delete", {"threadId": UNKNOWN}),
            "delete_forked": ("thread/delete", {"threadId": other}),  # its fork reads it
        }
        found = asyncio.run(answers({**os.environ, **rig.env}, list(calls.values())))
        for name, answer in zip(calls, found, strict=True):
            (OUT / f"{name}.json").write_text(json.dumps(answer, indent=1).replace(tmp, "/tmp/rec") + "\n")


if __name__ == "__main__":
    main()
