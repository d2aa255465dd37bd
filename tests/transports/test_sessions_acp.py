"""The ACP session catalogue (`oauthpy._transports.acp.catalogue`) with the real pinned copilot and OpenCode
against their fakes: ``session/list``, ``session/load`` replays, ``session/fork``, each agent's
own delete, what ``initialize`` says it can do, and no process left behind."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, NotSupportedError, SessionNotFoundError
from oauthpy.testing import FakeChatServer, shell, text
from tests.support import ACP_TEST_AGENT as AGENT
from tests.support import Rig, assert_no_leftovers, conversation, new_marker, open_rig, provider_env

BOUND_S = 90
#: an unknown id is answered by the agent, not by the call's 60 s bound (`CATALOGUE_WAIT_S`): an
#: OpenCode start alone has taken over 30 s under the loaded suite
ANSWERED_WITHIN_S = 45.0
UNKNOWN = {"copilot": "80fb1d47-2d28-409b-9c3d-169e33f8e617", "opencode": "ses_0000unknown0000"}


@dataclass
class Made:
    """A one-shot run that ran a command (``lone``) and a two-turn session (``two``), shared by
    this module's tests of one agent; ``client`` is in ``with`` for the module, so the calls of
    tests whose subject is not a lone call take its warm agents (OpenCode: 4-5 CPU-s a start).
    The tests of lone calls use a client of their own and check for leftovers after each."""

    rig: Rig
    lone: str
    two: str
    client: Client


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("copilot", marks=pytest.mark.xdist_group("acp-sessions-copilot"), id="copilot"),
        pytest.param("opencode", marks=pytest.mark.xdist_group("opencode"), id="opencode"),
    ],
)
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    with open_rig(request.param, tmp_path_factory.mktemp(request.param)) as rig:
        # the shared client's processes carry a marker of their own: a lone call's test checks
        # for its own leftovers (``rig.env``'s marker) while the warm agents are alive
        warm_env = {**rig.env, **new_marker()}
        with Client(rig.provider, auth_source="external", env=warm_env) as client:
            rig.fake.script(
                shell("echo from-the-shell", say="running it"),
                text("lone reply"),
                text("reply one"),
                text("reply two"),
            )
            lone = client.run("lone prompt", cwd=rig.work, on_permission=lambda r: True, timeout=BOUND_S)
            with client.session(cwd=rig.work, timeout=BOUND_S) as chat:
                chat.run("first prompt of two")
                chat.run("second prompt of two")
            assert lone.session_id and chat.session_id and lone.session_id != chat.session_id
            yield Made(rig, lone.session_id, chat.session_id, client)
        assert_no_leftovers(warm_env)
        assert_no_leftovers(rig.env)


TWO = [
    ("user", "first prompt of two"),
    ("message", "reply one"),
    ("user", "second prompt of two"),
    ("message", "reply two"),
]


def test_capabilities_come_from_the_agents_initialize(made: Made):
    rig = made.rig  # a lone call: it starts the agent, asks, and leaves nothing behind
    caps = rig.client().capabilities()
    assert (caps.sessions, caps.transcript, caps.delete_session) == (True, True, True)
    # OpenCode advertises sessionCapabilities.fork; copilot 1.0.102 does not
    assert caps.fork is (rig.provider == "opencode")
    assert_no_leftovers(rig.env)


def test_both_sessions_are_listed_newest_first_with_titles_cwd_and_limit(made: Made):
    rig, lone, two, client = made.rig, made.lone, made.two, made.client
    listed = client.sessions()
    assert [s.id for s in listed][:2] == [two, lone]
    by_id = {s.id: s for s in listed}
    # copilot's title is the first prompt; OpenCode's placeholder is replaced by it
    assert by_id[lone].title == "lone prompt" and by_id[two].title == "first prompt of two"
    for info in (by_id[lone], by_id[two]):
        assert info.provider == rig.provider and info.cwd == str(rig.work.resolve())
        assert info.updated_at is not None and info.updated_at.tzinfo is not None
    assert [s.id for s in client.sessions(limit=1)] == [two]
    assert {s.id for s in client.sessions(cwd=rig.work)} >= {lone, two}
    elsewhere = rig.root / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    assert client.sessions(cwd=elsewhere) == []


def test_a_transcript_replays_both_turns_in_order_and_the_command(made: Made):
    assert conversation(made.client.transcript(made.two)) == TWO
    events = made.client.transcript(made.lone)
    assert events[0].kind is EventKind.USER and events[0].text == "lone prompt"
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    assert commands and all(c.command == "echo from-the-shell" for c in commands)
    assert commands[-1].status == "completed" and "from-the-shell" in (commands[-1].output or "")
    assert events[-1].kind is EventKind.MESSAGE and events[-1].text == "lone reply"


def test_an_unknown_id_is_session_not_found_quickly_in_the_agents_words(made: Made):
    rig = made.rig  # lone calls: the agent's start included in "quickly"
    unknown = UNKNOWN[rig.provider]
    started = time.monotonic()
    with pytest.raises(SessionNotFoundError) as err:
        rig.client().transcript(unknown)
    assert err.value.session_id == unknown
    assert time.monotonic() - started < ANSWERED_WITHIN_S
    words = "not found" if rig.provider == "copilot" else "service failure"
    assert words in str(err.value)
    with pytest.raises(SessionNotFoundError):
        rig.client().delete_session(unknown)
    assert_no_leftovers(rig.env)


def test_a_fork_diverges_or_copilot_says_why_not(made: Made):
    rig, two, client = made.rig, made.two, made.client
    if rig.provider == "copilot":
        with pytest.raises(NotSupportedError, match=r"copilot cannot fork a session: .*no fork"):
            client.fork(two)
        return
    forked = client.fork(two)
    assert forked != two and forked.startswith("ses_") and conversation(client.transcript(forked)) == TWO
    rig.fake.script(text("reply on the fork"))
    with client.session(cwd=rig.work, resume=forked, timeout=BOUND_S) as chat:
        assert chat.run("prompt on the fork").text == "reply on the fork"
    assert conversation(client.transcript(forked)) == [
        *TWO,
        ("user", "prompt on the fork"),
        ("message", "reply on the fork"),
    ]
    assert conversation(client.transcript(two)) == TWO
    assert forked in {s.id for s in client.sessions()}


def test_a_deleted_session_is_no_longer_listed(made: Made):
    rig, lone, two, client = made.rig, made.lone, made.two, made.client
    rig.fake.script(text("doomed reply"))
    doomed = client.run("doomed prompt", cwd=rig.work, timeout=BOUND_S).session_id
    assert doomed and doomed in {s.id for s in client.sessions()}
    client.delete_session(doomed)  # OpenCode's own `opencode session delete`: a lone process
    left = {s.id for s in client.sessions()}
    assert doomed not in left and {lone, two} <= left
    with pytest.raises(SessionNotFoundError):
        client.transcript(doomed)


def test_another_state_dir_lists_none_of_them(made: Made, tmp_path: Path):
    rig, lone, two = made.rig, made.lone, made.two
    env = provider_env(rig.provider, rig.fake, tmp_path)
    other = Client(rig.provider, auth_source="external", env=env)
    assert {lone, two}.isdisjoint(s.id for s in other.sessions())
    with pytest.raises(SessionNotFoundError):
        other.transcript(two)
    assert_no_leftovers(env)


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


def test_inside_with_client_catalogue_calls_share_one_warm_agent(made: Made):
    # each call outside `with` starts the agent and stops it (OpenCode: 2-3 s each); inside, the
    # calls take an agent of the client's pool and give it back, as runs do
    rig, lone, two = made.rig, made.lone, made.two
    with rig.client() as client:
        assert {lone, two} <= {info.id for info in client.sessions()}
        assert conversation(client.transcript(two)) == TWO
        with pytest.raises(SessionNotFoundError):
            client.transcript(UNKNOWN[rig.provider])  # answered by the agent: it stays warm
        pool = client._runner.pool
        assert pool is not None and (pool.started, pool.reused) == (1, 2)
    assert_no_leftovers(rig.env)
