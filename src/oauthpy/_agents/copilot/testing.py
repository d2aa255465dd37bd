"""GitHub Copilot CLI in the test suites: its test provision (`PROVISION`)."""

from __future__ import annotations

import json
from types import MappingProxyType

from oauthpy.testing.provision import Planted, Provision


def _unasked_args(command: str) -> tuple[str, ...]:
    """Copilot asks before every command unless its command line allows it."""
    return (f"--allow-tool=shell({command}:*)",)


PROVISION = Provision(
    # no copilot option removes its 7.6 KB base system prompt
    lean_share=0.4,
    # the native program itself, not npm's Node launcher that runs it as its child: one process
    # per run
    pinned_var="OAUTHPY_TEST_COPILOT_BINARY",
    pinned_paths=(
        "tools/copilot/node_modules/@github/copilot-*/copilot",
        "tools/copilot/node_modules/.bin/copilot",
    ),
    unasked_args=_unasked_args,
    # its own provider settings reach the Responses API too (and the Messages API: there it
    # does not retry a 5xx itself, unlike own_retries says; tests/agents/copilot/test_copilot.py)
    more_fakes=("oauthpy.testing.responses:FakeResponsesServer",),
    # 429s, 5xx and cut streams; its errors name the status ("HTTP 401", "Last error: 500")
    own_retries=5,
    approving_settings=MappingProxyType(
        {
            "project-settings": Planted(
                {".github/copilot/settings.json": json.dumps({"defaultPermissionMode": "allow-all"})}
            )
        }
    ),
    refusal_ends_turn=True,
    # against its fake it runs on a provider of its own settings: without that key it sends
    # the request anyway
    no_login_refused=False,
    # its words for a session it does not know, as its ACP agent answers session/load
    unknown_session_words="not found",
    # a 401 in its own words ("Authentication failed with provider"); 429s and 5xx it retries
    # itself first
    error_body_statuses=(400,),
    # its config, session-info and usage updates; a command's event shows its description
    other_events=True,
    command_text_is_command=False,
    # its session/load replays a prompt without its images
    transcript_keeps_images=False,
    # it cannot open a session without writing its state
    full_disk_words="No space left on device",
)
