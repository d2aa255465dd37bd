"""``Client.session(resume=...)`` takes only ids of the form the vendors give out, before spawning.

Every vendor's session id is a UUID (real runs: codex thread ids are UUIDv7, claude and gemini
session ids UUIDv4). Anything else means something else to the CLIs: a thread name to codex (an
unknown one silently starts a new conversation), a session title to claude (refused with an
error oauthpy saw as transient, so ``max_retries`` retried it), ``latest`` or an index to gemini.
Each binary is replaced by a script that leaves a file behind when it runs, so "nothing was
spawned" is checked, not assumed.
"""

from __future__ import annotations

import re

import pytest

from oauthpy import InvalidOptionsError
from oauthpy import _registry as registry

pytestmark = pytest.mark.fast

#: every agent of the registry: its form of id, and a real one (RunResult.session_id)
AGENTS = {a.name: a for a in registry.entries()}
#: ids no agent gives out: refused by every one
NO_AGENT_S = (
    "{01a202eb-b1a9-7800-944a-667769ecda10}",
    " 01a202eb-b1a9-7800-944a-667769ecda10",
    "--last",
    "",
    42,
)
MALFORMED = {
    "name": "not-a-real-id",  # codex: a thread name; claude: a session title
    "latest": "latest",  # gemini: its newest session
    "index": "1",  # gemini: its first session
    "no_dashes": "01a202ebb1a97800944a667769ecda10",
    "braces": "{01a202eb-b1a9-7800-944a-667769ecda10}",
    "leading_space": " 01a202eb-b1a9-7800-944a-667769ecda10",
    "trailing_newline": "01a202eb-b1a9-7800-944a-667769ecda10\n",
    "not_hex": "01a202eb-b1a9-7800-944a-667769ecda1g",
    "flag": "--last",
    "empty": "",
    "not_a_string": 42,
}


def _malformed_for(agent: registry.Agent) -> list[tuple[str, object]]:
    """The malformed ids not of ``agent``'s form (an ACP agent's ids are free-form: ``latest``
    is one)."""
    return [
        (agent.name, value)
        for value in MALFORMED.values()
        if not (isinstance(value, str) and re.fullmatch(agent.session_id_form, value))
    ]


@pytest.mark.parametrize(
    ("provider", "resume"), [case for agent in AGENTS.values() for case in _malformed_for(agent)], ids=repr
)
def test_a_malformed_id_is_refused_before_anything_starts(
    provider, resume, tripwire, tripwire_client, tmp_path
):
    _env, fired = tripwire
    client = tripwire_client(provider)
    with pytest.raises(InvalidOptionsError, match=f"resume must be a {provider} session id") as err:
        client.session(cwd=tmp_path, resume=resume, provider_options={"max_retries": 2})
    assert AGENTS[provider].session_id_example in str(err.value)  # it shows what an id looks like
    assert not fired.exists(), "a process was started for a malformed session id"


def test_every_uuid_agent_refuses_every_malformed_id() -> None:
    uuid_agents = [a for a in AGENTS.values() if a.session_id_form == registry.UUID_FORM]
    assert {"codex", "claude", "gemini"} <= {a.name for a in uuid_agents}
    assert all(len(_malformed_for(a)) == len(MALFORMED) for a in uuid_agents)
    assert all(len(_malformed_for(a)) >= len(NO_AGENT_S) for a in AGENTS.values())


@pytest.mark.parametrize("provider", list(AGENTS))
def test_ids_of_its_own_form_are_accepted(provider, tripwire, tripwire_client, tmp_path):
    _env, fired = tripwire
    client = tripwire_client(provider)
    example = AGENTS[provider].session_id_example
    for resume in (
        (example, example.upper())
        if re.fullmatch(AGENTS[provider].session_id_form, example.upper())
        else (example,)
    ):
        with client.session(cwd=tmp_path, resume=resume) as chat:
            assert chat.session_id == resume
    assert not fired.exists()
