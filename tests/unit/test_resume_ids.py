"""``Client.session(resume=...)`` takes only ids of the form the vendors give out, before spawning.

Every vendor's session id is a UUID (real runs: codex thread ids are UUIDv7, claude and gemini
session ids UUIDv4). Anything else means something else to the CLIs: a thread name to codex (an
unknown one silently starts a new conversation), a session title to claude (refused with an
error oauthpy saw as transient, so ``max_retries`` retried it), ``latest`` or an index to gemini.
Each binary is replaced by a script that leaves a file behind when it runs, so "nothing was
spawned" is checked, not assumed.
"""

from __future__ import annotations

import pytest

from oauthpy import Client, InvalidOptionsError

PROVIDERS = ("codex", "claude", "gemini")
#: one real id of each vendor, from RunResult.session_id
REAL_IDS = {
    "codex": "01a202eb-b1a9-7800-944a-667769ecda10",
    "claude": "b270a8cc-0f9b-4e0d-940c-8caa805d6c57",
    "gemini": "80fb1d47-2d28-409b-9c3d-169e33f8e617",
}
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


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("resume", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_id_is_refused_before_anything_starts(provider, resume, tripwire, tmp_path):
    env, fired = tripwire
    client = Client(provider, auth_source="external", env=env)
    with pytest.raises(InvalidOptionsError, match=f"resume must be a {provider} session id") as err:
        client.session(cwd=tmp_path, resume=resume, provider_options={"max_retries": 2})
    assert REAL_IDS[provider] in str(err.value)  # it shows what an id looks like
    assert not fired.exists(), "a process was started for a malformed session id"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_ids_of_every_vendors_form_are_accepted(provider, tripwire, tmp_path):
    env, fired = tripwire
    client = Client(provider, auth_source="external", env=env)
    for resume in (*REAL_IDS.values(), REAL_IDS[provider].upper()):
        with client.session(cwd=tmp_path, resume=resume) as chat:
            assert chat.session_id == resume
    assert not fired.exists()
