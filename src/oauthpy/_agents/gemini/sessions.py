"""The Gemini CLI's sessions (0.61): listed and read from its own session records, forked
through its import (``--session-file``), deleted with ``--delete-session``.

Gemini keeps each session in ``$GEMINI_CLI_HOME/.gemini/tmp/<project>/chats/`` (``<project>``
is its short name for the folder the session was started in, kept in ``projects.json`` and
``<project>/.project_root``). Listing and reading go to those records, the vendor's own
session files (never a credential file), because the CLI offers no read-only way to them:

* ``gemini --list-sessions`` shows only the current folder's sessions, with relative times
  ("2 minutes ago") and no turn counts; and before listing it asks the model for a summary of
  the newest unsummarized session (a request on the user's account, written into that
  session's file), which with no network takes over 60 s;
* ACP ``session/load`` replays a transcript, but writes into the session (a new chat file
  without resumable content: what gemini's session cleanup deletes whole sessions for, see
  docs/sessions.md), drops each shell command's text (the title is just "Shell"), and starts
  the agent with a login.

Fork and delete change the vendor's state, so they go through the CLI, in the session's own
folder (gemini keeps sessions per folder), bounded by `CATALOGUE_WAIT_S`, with every process
ended. Parsing is in `gemini_records`.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oauthpy._agents.gemini.session_records import (
    ChatRecord,
    DamagedRecord,
    delete_answer,
    file_of,
    imported_from,
    is_chat_file,
    parse_record,
    pick,
    project_hash,
    session_info,
    transcript,
)
from oauthpy._auth.base import home_of
from oauthpy._errors import CommandExecutionError, NotSupportedError, ProtocolError, SessionNotFoundError
from oauthpy._process import Invocation, Process
from oauthpy._sessions import CATALOGUE_WAIT_S, SessionInfo, newest_first

if TYPE_CHECKING:
    from oauthpy._agents.gemini.provider import GeminiProvider
    from oauthpy._events import Event


@dataclass(frozen=True)
class Found:
    """A saved session: its chat file, its record, and the folder it belongs to."""

    path: Path
    record: ChatRecord
    root: str | None


class GeminiCatalogue:
    can_list = can_transcript = can_fork = can_delete = True

    def __init__(self, provider: GeminiProvider) -> None:
        self._provider = provider

    async def learn(self, env: dict[str, str]) -> None:
        return None

    async def list_sessions(
        self, env: dict[str, str], *, cwd: str | None, limit: int | None
    ) -> list[SessionInfo]:
        found = await asyncio.to_thread(_sessions, env, cwd)
        return newest_first((session_info(f.record, f.root) for f in found), limit)

    async def transcript(self, env: dict[str, str], session_id: str) -> list[Event]:
        return transcript((await _find(env, session_id)).record)

    async def fork(self, env: dict[str, str], session_id: str) -> str:
        """A copy made by the CLI's own import, ``gemini --session-file <the session's file>``,
        in the session's folder: the CLI writes the history under a new id there and is then
        told to exit at once (``--list-extensions``), so no model turn is taken."""
        parent = await _find(env, session_id)
        folder = _folder_of(parent, "fork")
        chats = parent.path.parent
        before = set(os.listdir(chats))
        rc, _, said = await _run_cli(env, ["--session-file", str(parent.path), "--list-extensions"], folder)
        if rc != 0:
            raise CommandExecutionError(
                f"gemini could not import the session to fork it: {said or f'exit code {rc}'}",
                returncode=rc,
                details={"provider": "gemini"},
            )
        made = await asyncio.to_thread(_imported, chats, before, str(parent.path))
        if made is None:
            raise ProtocolError(
                "gemini exited without writing the forked session", details={"provider": "gemini"}
            )
        return made

    async def delete(self, env: dict[str, str], session_id: str) -> None:
        found = await _find(env, session_id)
        folder = _folder_of(found, "delete")
        rc, out, said = await _run_cli(env, ["--delete-session", session_id], folder)
        deleted, words = delete_answer(out, said)
        if deleted:
            return
        if "Invalid session identifier" in words or "No sessions found" in words:
            raise SessionNotFoundError(session_id, f"gemini: {words}")
        raise CommandExecutionError(
            f"gemini did not delete the session: {words}", returncode=rc, details={"provider": "gemini"}
        )


def gemini_dir(env: dict[str, str]) -> Path:
    """Where the CLI keeps its state: ``$GEMINI_CLI_HOME/.gemini``, else ``~/.gemini``."""
    return Path(env.get("GEMINI_CLI_HOME") or home_of(env), ".gemini")


def _projects(env: dict[str, str]) -> list[tuple[Path, str | None]]:
    """Each project's state folder and the folder it is for (``None`` if gemini did not say)."""
    base = gemini_dir(env)
    try:
        listed = json.loads((base / "projects.json").read_text(encoding="utf-8")).get("projects")
    except (OSError, ValueError, AttributeError):
        listed = None
    roots = {v: k for k, v in listed.items()} if isinstance(listed, dict) else {}
    found = []
    try:
        folders = sorted((base / "tmp").iterdir())
    except OSError:
        return []
    for folder in folders:
        if not (folder / "chats").is_dir():
            continue
        try:
            root: str | None = (folder / ".project_root").read_text(encoding="utf-8").strip() or None
        except OSError:
            root = roots.get(folder.name)
        found.append((folder, root))
    return found


def _records(folder: Path, session_id: str | None = None) -> list[tuple[str, ChatRecord]]:
    chats = folder / "chats"
    out = []
    try:
        names = sorted(os.listdir(chats))
    except OSError:
        return []
    for name in names:
        if not (file_of(name, session_id) if session_id else is_chat_file(name)):
            continue
        try:
            record = parse_record((chats / name).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue  # deleted meanwhile
        except DamagedRecord as exc:
            if session_id is None:
                continue  # a listing goes on with the others
            raise ProtocolError(
                f"gemini session {session_id} cannot be read: its file {chats / name} is damaged ({exc})",
                details={"provider": "gemini"},
            ) from None
        if record is not None:
            out.append((str(chats / name), record))
    return out


def _sessions(env: dict[str, str], cwd: str | None, session_id: str | None = None) -> list[Found]:
    found = []
    for folder, root in _projects(env):
        if cwd is not None and root is not None and root != cwd:
            continue
        for path, record in pick(_records(folder, session_id)).values():
            if cwd is not None and root is None and record.project_hash != project_hash(cwd):
                continue
            found.append(Found(Path(path), record, root))
    return found


async def _find(env: dict[str, str], session_id: str) -> Found:
    found = [
        f
        for f in await asyncio.to_thread(_sessions, env, None, session_id)
        if f.record.session_id == session_id
    ]
    if not found:
        raise SessionNotFoundError(
            session_id, f"gemini has no saved session with this id in {gemini_dir(env)}"
        )
    return max(found, key=lambda f: f.record.last_updated or "")


def _folder_of(found: Found, what: str) -> str:
    if found.root is None:
        raise NotSupportedError(
            f"gemini can {what} a session only from the folder it was started in, "
            "and its records do not say which folder that was"
        )
    if not os.path.isdir(found.root):
        raise NotSupportedError(
            f"gemini can {what} a session only from the folder it was started in, "
            f"{found.root}, which no longer exists"
        )
    return found.root


#: the forks this process has returned: two forks of one session at once each get their own copy
_CLAIMED: set[str] = set()
_CLAIMING = threading.Lock()


def _imported(chats: Path, before: set[str], source: str) -> str | None:
    """The id of a session the CLI's import just wrote from ``source`` that no other fork of
    this process has taken."""
    for name in sorted(set(os.listdir(chats)) - before):
        if not is_chat_file(name):
            continue
        try:
            record = parse_record((chats / name).read_text(encoding="utf-8", errors="replace"))
        except (OSError, DamagedRecord):
            continue
        if record is None or imported_from(record) != source:
            continue
        with _CLAIMING:
            if record.session_id not in _CLAIMED:
                _CLAIMED.add(record.session_id)
                return record.session_id
    return None


async def _run_cli(env: dict[str, str], args: list[str], cwd: str) -> tuple[int, str, str]:
    """Run ``gemini <args>`` in ``cwd`` to its end: exit code, stdout, stderr's tail. With the
    settings oauthpy's own runs use (session cleanup off), bounded, nothing left running."""
    from oauthpy._agents.gemini.acp import GEMINI
    from oauthpy._agents.gemini.cli import INSTALL_HINT, find_binary

    inv = Invocation(
        argv=[find_binary(env), *args],
        env=GEMINI.environment(env),
        cwd=cwd,
        install_hint=INSTALL_HINT,
    )
    deadline = time.monotonic() + CATALOGUE_WAIT_S
    proc = await Process.start(inv)
    try:
        out = [line async for line in proc.lines(deadline=deadline)]
        rc = await proc.wait(deadline)
        return rc, "\n".join(out), _said(proc.stderr_tail())
    finally:
        await proc.close()


def _said(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("[STARTUP]")]
    return "\n".join(lines[-3:])
