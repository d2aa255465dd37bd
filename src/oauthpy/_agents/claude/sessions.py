"""Claude's sessions, through the session functions of the pinned claude-agent-sdk.

The SDK's ``list_sessions``, ``get_session_messages``, ``get_session_info``, ``fork_session`` and
``delete_session`` read and write Claude Code's session transcripts (never its credentials), but
they find them only through ``os.environ`` (``CLAUDE_CONFIG_DIR``, else ``HOME``): they take no
config directory. Setting ``os.environ`` here would race every other thread of the user's
process, so each call runs the SDK function in a short-lived child of this same Python, whose
environment is the client's own (an isolated client sees only its isolated state). The child is
an ordinary `oauthpy._process.Process`: bounded by `CATALOGUE_WAIT_S`, its group killed and reaped
on every exit, error or cancellation.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from oauthpy._agents.claude.messages import session_info, transcript_events
from oauthpy._errors import (
    CommandExecutionError,
    ProtocolError,
    ProviderNotInstalledError,
    SessionNotFoundError,
    TimeoutExceededError,
)
from oauthpy._events import Event
from oauthpy._process import Invocation, Process
from oauthpy._sessions import CATALOGUE_WAIT_S, SessionInfo, newest_first

INSTALL_HINT = "pip install claude-agent-sdk (its wheel bundles the claude CLI)"

#: Runs one SDK session function and prints its answer as one JSON document (ASCII, so the
#: locale cannot garble it). It imports only the SDK's session modules when it can: the whole
#: package takes over a second to import (its MCP server support), those modules a tenth of it;
#: a layout it does not know falls back to the package's public names.
_WORKER = r"""
import dataclasses, json, sys, types

def functions(where):
    names = ("list_sessions", "get_session_info", "get_session_messages", "fork_session",
             "delete_session")
    try:
        package = types.ModuleType("claude_agent_sdk")
        package.__path__ = [where + "/claude_agent_sdk"]
        sys.modules["claude_agent_sdk"] = package
        from claude_agent_sdk._internal import session_mutations, sessions
        found = {n: getattr(sessions, n, None) or getattr(session_mutations, n) for n in names}
        return types.SimpleNamespace(**found)
    except (ImportError, AttributeError):
        for name in [n for n in sys.modules if n.split(".")[0] == "claude_agent_sdk"]:
            del sys.modules[name]
        import claude_agent_sdk
        return claude_agent_sdk

def plain(value):
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value

def tolerant():
    # a line that is not UTF-8 (a write cut short, a stray byte) costs that line, not the whole
    # transcript: read with replacement, as the CLI (Node) does; the SDK skips unparsable lines
    module = sys.modules.get("claude_agent_sdk._internal.sessions")
    if module is None or not hasattr(module, "_try_read_session_file"):
        return

    def read(project_dir, file_name):
        try:
            return (project_dir / file_name).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None

    module._try_read_session_file = read

def answer(sdk, ask):
    op, sid = ask["op"], ask.get("id")
    tolerant()
    if op == "list":
        return [plain(i) for i in sdk.list_sessions(ask.get("directory"), include_worktrees=False)]
    if op == "messages":
        found = sdk.get_session_messages(sid)
        if not found and sdk.get_session_info(sid) is None:
            raise FileNotFoundError(f"Session {sid} not found")
        return [plain(m) for m in found]
    if op == "fork":
        return sdk.fork_session(sid).session_id
    if op == "delete":
        sdk.delete_session(sid)
        return None
    raise ValueError(f"unknown operation {op!r}")

where, ask = sys.argv[1], json.loads(sys.argv[2])
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]  # the working directory: nothing there may shadow a module
if where not in sys.path:
    sys.path.append(where)  # last: never before the standard library
try:
    out = {"ok": answer(functions(where), ask)}
except Exception as exc:  # a damaged file too (RecursionError): said, never a traceback
    out = {"error": type(exc).__name__, "message": str(exc)[:300]}
sys.stdout.write(json.dumps(out, default=str))
"""


def _sdk_folder() -> str:
    """The folder the installed claude-agent-sdk package is in (found without importing it)."""
    spec = importlib.util.find_spec("claude_agent_sdk")
    if spec is None or not spec.origin:
        raise ProviderNotInstalledError("claude-agent-sdk is not installed", hint=INSTALL_HINT)
    return str(Path(spec.origin).parent.parent)


async def _ask(env: dict[str, str], ask: dict[str, Any]) -> Any:
    """The SDK function's answer, run with ``env`` in a child of this Python (module doc)."""
    folder = _sdk_folder()
    deadline = time.monotonic() + CATALOGUE_WAIT_S
    inv = Invocation(
        argv=[sys.executable, "-c", _WORKER, folder, json.dumps(ask)],
        env=env,
        cwd=os.path.abspath(os.sep),
        install_hint=INSTALL_HINT,
    )
    proc = await Process.start(inv)
    try:
        out = bytearray()
        while chunk := await proc.read(deadline=deadline):
            out += chunk
        rc = await proc.wait(deadline)
        stderr = proc.stderr_tail()
    except TimeoutExceededError as exc:
        raise TimeoutExceededError(
            f"claude-agent-sdk's session function ({ask['op']}) did not answer within "
            f"{CATALOGUE_WAIT_S:g} s; it was stopped",
            which="total",
            after_s=exc.after_s,
        ) from None
    finally:
        await proc.close()
    try:
        answer = json.loads(out)
    except ValueError:
        answer = None
    if rc != 0 or not isinstance(answer, dict):
        raise ProtocolError(
            f"claude-agent-sdk's session function ({ask['op']}) failed (exit code {rc})",
            returncode=rc,
            stderr=stderr,
            details={"provider": "claude", "operation": ask["op"]},
        )
    if "error" in answer:
        words = f"claude-agent-sdk: {answer.get('message') or answer['error']}"
        if answer["error"] == "FileNotFoundError" and ask.get("id"):
            raise SessionNotFoundError(ask["id"], words)
        if answer["error"] in ("RecursionError", "JSONDecodeError", "UnicodeDecodeError"):
            raise ProtocolError(
                f"claude session {ask.get('id') or ''} cannot be read: its file is damaged "
                f"({answer['error']})",
                details={"provider": "claude", "operation": ask["op"], "sdk_error": answer["error"]},
            )
        raise CommandExecutionError(
            f"claude-agent-sdk's session function ({ask['op']}) failed ({answer['error']}): {words}",
            details={"provider": "claude", "operation": ask["op"], "sdk_error": answer["error"]},
        )
    return answer.get("ok")


class ClaudeCatalogue:
    """Claude Code's saved sessions (`oauthpy._sessions.Catalogue`)."""

    can_list = can_transcript = can_fork = can_delete = True

    def __init__(self, provider: object) -> None:
        self._provider = provider

    async def learn(self, env: dict[str, str]) -> None:
        return None  # the pinned SDK has every function

    async def list_sessions(
        self, env: dict[str, str], *, cwd: str | None, limit: int | None
    ) -> list[SessionInfo]:
        found = await _ask(env, {"op": "list", "directory": cwd})
        infos = [info for item in found or () if (info := session_info(item)) is not None]
        if cwd is not None:
            # The SDK lists one project folder, whose name two paths can share (a/b and a-b).
            infos = [i for i in infos if i.cwd is None or os.path.realpath(i.cwd) == cwd]
        return newest_first(infos, limit)

    async def transcript(self, env: dict[str, str], session_id: str) -> list[Event]:
        return transcript_events(await _ask(env, {"op": "messages", "id": session_id}) or [])

    async def fork(self, env: dict[str, str], session_id: str) -> str:
        new_id = await _ask(env, {"op": "fork", "id": session_id})
        if not isinstance(new_id, str) or not new_id:
            raise ProtocolError(
                "claude-agent-sdk's fork_session gave no session id",
                details={"provider": "claude", "operation": "fork"},
            )
        return new_id

    async def delete(self, env: dict[str, str], session_id: str) -> None:
        await _ask(env, {"op": "delete", "id": session_id})
