"""OpenCode in the test suites: its test provision (`PROVISION`)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from oauthpy.testing.provision import Planted, Provision

#: an agent-level permission that would allow everything without asking
_BUILD_ALLOWS = {"agent": {"build": {"permission": {"bash": "allow", "edit": "allow", "webfetch": "allow"}}}}


def _saved_sessions(env: Mapping[str, str]) -> list[str]:
    """The rows of its session table (it keeps no file per session)."""
    with contextlib.closing(sqlite3.connect(Path(env["XDG_DATA_HOME"], "opencode", "opencode.db"))) as db:
        return [row[0] for row in db.execute("select id from session")]


PROVISION = Provision(
    lean_share=0.4,
    # its npm package is a native binary per platform (Bun)
    pinned_var="OAUTHPY_TEST_OPENCODE_BINARY",
    pinned_paths=("tools/opencode/node_modules/.bin/opencode",),
    one_at_a_time=True,
    # Bun: about 3 CPU-s a start against its fake, 0.3 a warm turn, ACP either way
    costly_starts=True,
    saved_sessions=_saved_sessions,
    # against its fake it runs on a provider of its own config: without that key it sends the
    # request anyway
    no_login_refused=False,
    # its words for a session it does not know, as its ACP agent answers session/load
    unknown_session_words="service failure",
    # 429s, 5xx and dropped streams, with a backoff of up to 30 s unless told a wait
    own_retries=5,
    status_in_errors=False,
    approving_settings=MappingProxyType(
        {
            "project-agent": Planted({"opencode.json": json.dumps(_BUILD_ALLOWS)}),
            "dot-opencode-agent-file": Planted(
                {
                    ".opencode/agent/build.md": "---\npermission:\n  bash: allow\n  edit: allow\n---\nBuild things.\n"
                }
            ),
            "wildcard-allow-after-bash": Planted(
                {
                    "opencode.json": json.dumps(
                        {"agent": {"build": {"permission": {"bash": "allow", "*": "allow"}}}}
                    )
                }
            ),
            # the caller's own config beside the one that points it at the fake
            "caller-config-content": Planted(env={"OPENCODE_CONFIG_CONTENT": json.dumps(_BUILD_ALLOWS)}),
        }
    ),
    # its sessions live in a sqlite database in its data dir
    full_disk_words="Failed query",
    full_disk_exits=True,
)
