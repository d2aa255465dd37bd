"""What a session and its turns may be given: the resume id's form, what only opening a
session sets, and a turn's options over the session's."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from oauthpy._errors import InvalidOptionsError
from oauthpy._signature import WORKTREE_OPTIONS

#: why a turn may not set what the session was opened with
FIXED = {
    "cwd": "a session keeps the cwd it was opened with; open another session",
    **dict.fromkeys(WORKTREE_OPTIONS, "a session's turns share the worktree it was opened with"),
    "tools": "a session keeps the tools it was opened with; open another session for other tools",
    "lean": "a session keeps the lean= it was opened with; open another session to change it",
    **dict.fromkeys(
        ("fallback", "fallback_on", "fallback_after_s"), "a session's failover is set when it is opened"
    ),
}
#: a session's failover, set when it is opened (`oauthpy._failover`)
FAILOVER = ("fallback", "fallback_on", "fallback_after_s")

#: The form of every vendor's session ids, as RunResult.session_id reports them: a UUID in its
#: canonical 8-4-4-4-12 hex form. Seen in real runs: codex 0.163 thread ids are UUIDv7, claude and
#: gemini session ids UUIDv4. The version is not checked (codex resumes any id that parses as a
#: UUID, see `codex exec resume --help`). Anything else is refused before spawning, because each
#: CLI reads it as something other than an id: codex as a thread name (an unknown name silently
#: starts a new conversation), claude as a session title, gemini as ``latest`` or a 1-based index
#: into the folder's own sessions.
#: Agents whose ids have another form say so in their registry entry (``session_id_form``).


def check_resume_id(provider: str, resume: object) -> str:
    """``resume`` if it has the form of the vendor's session ids, else `InvalidOptionsError`."""
    from oauthpy import _registry as registry

    agent = registry.get(provider)
    if isinstance(resume, str) and re.fullmatch(agent.session_id_form, resume):
        return resume
    shown = repr(resume) if isinstance(resume, str) else f"a {type(resume).__name__}"
    if isinstance(resume, str) and len(resume) > 60:
        shown = repr(resume[:57] + "...")
    raise InvalidOptionsError(
        f"resume must be a {provider} session id from an earlier RunResult.session_id, "
        f"{agent.session_id_words} such as {agent.session_id_example}; got {shown}"
    )


def turn_options(kw: Mapping[str, Any]) -> dict[str, Any]:
    """The options given a value (a None leaves the session's default in place)."""
    return {k: v for k, v in kw.items() if v is not None}
