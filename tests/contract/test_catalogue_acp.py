"""The session catalogue an agent serves itself over ACP (`oauthpy._transports.acp.catalogue`), on
every agent of the registry whose catalogue it is, its real CLI against its fake:
``session/list``, ``session/load`` replays (a command's too), ``session/fork``, its own delete,
what ``initialize`` says it can do, calls inside ``with Client`` on one warm agent, and no
process left behind. Every agent's catalogue, whoever serves it: test_catalogue.py."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oauthpy import Client, EventKind, NotSupportedError, SessionNotFoundError
from oauthpy import _registry as registry
from oauthpy._transports.acp.catalogue import AcpCatalogue
from oauthpy.testing import shell, text
from tests.support import (
    WARM_KEEP_ALIVE_S,
    Rig,
    assert_no_leftovers,
    conversation,
    new_marker,
    open_rig,
    provider_env,
    provision,
    shared_env,
)

BOUND_S = 90
#: an unknown id is answered by the agent, not by the call's 60 s bound (`CATALOGUE_WAIT_S`): an
#: OpenCode start alone has taken over 30 s under the loaded suite
ANSWERED_WITHIN_S = 45.0


def _served_over_acp() -> list[object]:
    """The agents whose catalogue is their ACP agent's own; one agent's tests share a worker
    (and so its sessions)."""
    found = []
    for name in registry.names(generic=False):
        if not issubclass(registry.load(registry.get(name).catalogue), AcpCatalogue):
            continue
        group = name if provision(name).one_at_a_time else f"acp-sessions-{name}"
        found.append(pytest.param(name, marks=pytest.mark.xdist_group(group), id=name))
    return found


def unknown_id(provider: str) -> str:
    """An id of the agent's form that no session of the test's state has (its docs' example)."""
    return registry.get(provider).session_id_example


@dataclass
class Made:
    """A one-shot run that ran a command (``lone``) and a two-turn session (``two``), shared by
    this module's tests of one agent; ``client`` is in ``with`` for the module, so the calls of
    tests whose subject is not a lone call take its warm agents (OpenCode: about 3 CPU-s a start).
    The tests of lone calls use a client of their own and check for leftovers after each."""

    rig: Rig
    lone: str
    two: str
    client: Client

    def lists(self) -> bool:
        """Whether the agent lists its sessions (``session/list``); if not, that it says so."""
        if self.client.capabilities().sessions:
            return True
        with pytest.raises(NotSupportedError, match=f"^{self.rig.provider} cannot list its sessions"):
            self.client.sessions()
        return False


@pytest.fixture(scope="module", params=_served_over_acp())
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    root = tmp_path_factory.mktemp(request.param)
    with open_rig(request.param, root) as rig:
        # the shared client's processes carry a marker of their own: a lone call's test checks
        # for its own leftovers (``rig.env``'s marker) while the warm agents are alive
        warm_env = shared_env({**rig.env, **new_marker()}, root / "oauthpy-home")
        with Client(
            rig.provider, auth_source="external", env=warm_env, keep_alive=WARM_KEEP_ALIVE_S
        ) as client:
            rig.fake.script(
                shell("echo from-the-shell", say="running it"),
                text("lone reply"),
                text("reply one"),
                text("reply two"),
            )
            lone = client.run(
                "lone prompt", cwd=rig.work, model=rig.model, on_permission=lambda r: True, timeout=BOUND_S
            )
            with client.session(cwd=rig.work, model=rig.model, timeout=BOUND_S) as chat:
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
    assert caps.transcript  # session/load: what makes an ACP agent's catalogue
    assert caps == made.client.capabilities()  # the warm agent's answer is the same
    assert_no_leftovers(rig.env)


def test_both_sessions_are_listed_newest_first_with_titles_cwd_and_limit(made: Made):
    rig, lone, two, client = made.rig, made.lone, made.two, made.client
    if not made.lists():  # an agent that offers no session/list (the test suite's own)
        return
    listed = client.sessions()
    assert [s.id for s in listed][:2] == [two, lone]
    by_id = {s.id: s for s in listed}
    # its title is the first prompt (OpenCode's placeholder is replaced by it)
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
    assert events[-1].kind is EventKind.MESSAGE
    commands = [e for e in events if e.kind is EventKind.COMMAND]
    if not made.rig.provision.transcript_keeps_commands:  # its replies, the command's gone between
        assert commands == [] and events[-1].text.endswith("lone reply")
        return
    assert events[-1].text == "lone reply"
    assert commands and all(c.command == "echo from-the-shell" for c in commands)
    assert commands[-1].status == "completed"
    if made.rig.provision.command_output_carried:
        assert "from-the-shell" in (commands[-1].output or "")


def test_an_unknown_id_is_session_not_found_quickly_in_the_agents_words(made: Made):
    rig, unknown = made.rig, unknown_id(made.rig.provider)  # lone calls: the start included
    started = time.monotonic()
    with pytest.raises(SessionNotFoundError) as err:
        rig.client().transcript(unknown)
    assert err.value.session_id == unknown
    assert time.monotonic() - started < ANSWERED_WITHIN_S
    assert rig.provision.unknown_session_words in str(err.value)
    if made.client.capabilities().delete_session:
        with pytest.raises(SessionNotFoundError):
            rig.client().delete_session(unknown)
    assert_no_leftovers(rig.env)


def test_a_fork_diverges_or_the_agent_says_why_not(made: Made):
    rig, two, client = made.rig, made.two, made.client
    if not client.capabilities().fork:
        with pytest.raises(NotSupportedError, match=rf"^{rig.provider} cannot fork a session: \S"):
            client.fork(two)
        return
    forked = client.fork(two)
    assert forked != two and re.fullmatch(registry.get(rig.provider).session_id_form, forked)
    assert conversation(client.transcript(forked)) == TWO
    rig.fake.script(text("reply on the fork"))
    with client.session(cwd=rig.work, model=rig.model, resume=forked, timeout=BOUND_S) as chat:
        assert chat.run("prompt on the fork").text == "reply on the fork"
    assert conversation(client.transcript(forked)) == [
        *TWO,
        ("user", "prompt on the fork"),
        ("message", "reply on the fork"),
    ]
    assert conversation(client.transcript(two)) == TWO
    if made.lists():
        assert forked in {s.id for s in client.sessions()}


def test_a_deleted_session_is_no_longer_listed(made: Made):
    rig, lone, two, client = made.rig, made.lone, made.two, made.client
    rig.fake.script(text("doomed reply"))
    doomed = client.run("doomed prompt", cwd=rig.work, model=rig.model, timeout=BOUND_S).session_id
    assert doomed
    if not client.capabilities().delete_session:  # the agent has no delete: it says so
        with pytest.raises(NotSupportedError, match=f"^{rig.provider} cannot delete a session"):
            client.delete_session(doomed)
        return
    assert not made.lists() or doomed in {s.id for s in client.sessions()}
    client.delete_session(doomed)  # OpenCode's own `opencode session delete`: a lone process
    if made.lists():
        left = {s.id for s in client.sessions()}
        assert doomed not in left and {lone, two} <= left
    with pytest.raises(SessionNotFoundError):
        client.transcript(doomed)


def test_another_state_dir_has_none_of_them(made: Made, tmp_path: Path):
    rig, lone, two = made.rig, made.lone, made.two
    env = provider_env(rig.provider, rig.fake, tmp_path)
    with Client(rig.provider, auth_source="external", env=env) as other:  # one agent for both calls
        if made.lists():
            assert {lone, two}.isdisjoint(s.id for s in other.sessions())
        with pytest.raises(SessionNotFoundError):
            other.transcript(two)
    assert_no_leftovers(env)


def test_inside_with_client_catalogue_calls_share_one_warm_agent(made: Made):
    # each call outside `with` starts the agent and stops it (OpenCode: 2-3 s each); inside, the
    # calls take an agent of the client's pool and give it back, as runs do: the warm agent of a
    # run in another folder too (OpenCode keeps a process per folder; each call names its own).
    # Last in the module: the run's session would come first in the newest-first listing above
    rig, lone, two = made.rig, made.lone, made.two
    listing = made.client.capabilities().sessions
    with rig.client() as client:
        rig.fake.script(text("a warm run's reply"))
        client.run("a warm run", cwd=rig.work, model=rig.model, timeout=BOUND_S)
        if listing:
            assert {lone, two} <= {info.id for info in client.sessions()}
            # another folder is a parameter of the call, not another process
            assert {lone, two} <= {info.id for info in client.sessions(cwd=rig.work)}
        assert conversation(client.transcript(two)) == TWO
        with pytest.raises(SessionNotFoundError):
            client.transcript(unknown_id(rig.provider))  # answered by the agent: it stays warm
        pool = client._runner.pool
        assert pool is not None and (pool.started, pool.reused) == (1, 2 + 2 * listing)
    assert_no_leftovers(rig.env)
