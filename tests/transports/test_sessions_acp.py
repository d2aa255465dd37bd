"""The ACP session catalogue (`oauthpy._transports.acp.catalogue`) of any ACP agent given by its
command (the generic ``acp`` agent, here the suite's own): ``session/load`` replays, and what it
says it cannot do. The catalogue of each agent of the registry that serves its own:
tests/contract/test_catalogue_acp.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthpy import Client, NotSupportedError, SessionNotFoundError
from oauthpy.testing import FakeChatServer, text
from tests.support import ACP_TEST_AGENT as AGENT
from tests.support import assert_no_leftovers, conversation, new_marker

BOUND_S = 90

TWO = [
    ("user", "first prompt of two"),
    ("message", "reply one"),
    ("user", "second prompt of two"),
    ("message", "reply two"),
]


def test_any_acp_agent_by_its_command_replays_a_session_and_says_what_it_does_not_offer(tmp_path: Path):
    home = tmp_path / "agent-home"
    home.mkdir()
    with FakeChatServer() as fake:
        env = {**fake.env(tmp_path / "fake"), "ACP_TEST_AGENT_HOME": str(home), **new_marker()}
        client = Client("acp", command=AGENT, env=env)  # type: ignore[arg-type]
        fake.script(text("reply one"), text("reply two"))
        with client.session(cwd=tmp_path, timeout=BOUND_S) as chat:
            chat.run("first prompt of two")
            chat.run("second prompt of two")
        assert chat.session_id
        caps = client.capabilities()
        assert (caps.sessions, caps.transcript, caps.fork, caps.delete_session) == (False, True, False, False)
        assert conversation(client.transcript(chat.session_id)) == TWO
        with pytest.raises(SessionNotFoundError, match="Resource not found"):
            client.transcript("sess_unknown")
        for call, what in (
            (client.sessions, "list its sessions: its ACP agent does not offer session/list"),
            (
                lambda: client.fork(chat.session_id),
                "fork a session: its ACP agent does not offer session/fork",
            ),
            (
                lambda: client.delete_session(chat.session_id),
                "delete a session: its ACP agent does not offer session/delete",
            ),
        ):
            with pytest.raises(NotSupportedError, match=f"^acp cannot {what}$"):
                call()
        assert_no_leftovers(env)
