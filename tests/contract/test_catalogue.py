"""The session catalogue on every agent: its real CLI against its fake, through the vendor's own
interface (issue 28's "Done when", the same checks for each provider)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oauthpy import Client, NotSupportedError, SessionInfo, SessionNotFoundError
from oauthpy import _registry as registry
from oauthpy._session_controls import CONTROLS
from oauthpy._sessions import capability_table
from oauthpy.cli.questions import asking_transports
from oauthpy.testing import text
from oauthpy.testing.chat import FakeChatServer
from tests.paths import REPO
from tests.support import (
    WARM_KEEP_ALIVE_S,
    Rig,
    assert_no_leftovers,
    conversation,
    open_rig,
    provision,
    shared_env,
)

UNKNOWN_ID = "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"
#: what an agent that titles its sessions with a model request gets from the chat fake
VENDOR_TITLE = FakeChatServer.aside_reply.text
#: an unknown id is answered by the vendor, not by the call's 60 s bound (`CATALOGUE_WAIT_S`): an
#: OpenCode start alone has taken over 30 s under the loaded suite
ANSWERED_WITHIN_S = 45.0


def _agents() -> list[object]:
    # one agent's tests share one worker (and so its sessions); gemini's and opencode's also never
    # overlap their other tests
    return [
        pytest.param(
            name,
            marks=pytest.mark.xdist_group(name if provision(name).one_at_a_time else f"catalogue-{name}"),
            id=name,
        )
        for name in registry.names(generic=False)
    ]


@dataclass
class Made:
    """Two sessions made by oauthpy, shared by this module's tests of one agent (none changes
    them): a one-shot run's (``lone``) and a two-turn session's (``two``); and ``client``, in
    ``with`` for the module, whose warm agents serve the catalogue's calls (as a user's would:
    OpenCode takes about 3 CPU-s a start). The tests of a lone call use a client of their own."""

    rig: Rig
    lone: str
    two: str
    client: Client


@pytest.fixture(scope="module", params=_agents())
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    root = tmp_path_factory.mktemp(request.param)
    with (
        open_rig(request.param, root) as rig,
        Client(
            rig.provider,
            auth_source="external",
            env=shared_env(rig.env, root / "oauthpy-home"),
            keep_alive=WARM_KEEP_ALIVE_S,
        ) as client,
    ):
        rig.fake.script(text("reply one alpha"), text("reply two beta"), text("reply three gamma"))
        lone = client.run("first prompt alpha", cwd=rig.work, model=rig.model, timeout=60)
        with client.session(cwd=rig.work, model=rig.model) as chat:
            chat.run("second prompt beta", timeout=60)
            chat.run("follow-up prompt gamma", timeout=60)
        assert lone.session_id and chat.session_id and lone.session_id != chat.session_id
        yield Made(rig, lone.session_id, chat.session_id, client)
    assert_no_leftovers(rig.env)


def _titled(info: SessionInfo, prompt: str) -> bool:
    return info.title.startswith(prompt) or info.title == VENDOR_TITLE


TWO_TURNS = [
    ("user", "second prompt beta"),
    ("message", "reply two beta"),
    ("user", "follow-up prompt gamma"),
    ("message", "reply three gamma"),
]


def _lists(client: Client) -> bool:
    """Whether the agent lists its sessions; if not, that it says so."""
    if client.capabilities().sessions:
        return True
    with pytest.raises(NotSupportedError, match=f"{client.provider} cannot list"):
        client.sessions()
    return False


def test_sessions_made_by_oauthpy_are_listed_with_their_ids_and_first_prompts(made: Made):
    rig, lone, two, client = made.rig, made.lone, made.two, made.client
    if not _lists(client):  # an ACP agent that offers no session/list (the test suite's own)
        return
    found = {s.id: s for s in client.sessions()}
    assert {lone, two} <= set(found)
    assert _titled(found[lone], "first prompt alpha") and _titled(found[two], "second prompt beta")
    for info in (found[lone], found[two]):
        assert info.provider == rig.provider
        assert info.cwd is None or Path(info.cwd).resolve() == rig.work.resolve()
        for moment in (info.created_at, info.updated_at):
            assert moment is None or moment.tzinfo is not None
    assert found[two].turns in (None, 2)
    here = client.sessions(cwd=rig.work)
    assert {lone, two} <= {s.id for s in here}
    elsewhere = rig.root / "elsewhere"
    elsewhere.mkdir()
    assert client.sessions(cwd=elsewhere) == []
    assert len(client.sessions(limit=1)) == 1


def test_a_transcript_holds_both_turns_in_order(made: Made):
    assert conversation(made.client.transcript(made.two)) == TWO_TURNS
    assert conversation(made.client.transcript(made.lone)) == [
        ("user", "first prompt alpha"),
        ("message", "reply one alpha"),
    ]


def test_a_fork_diverges_without_touching_its_parent(made: Made):
    rig, two, client = made.rig, made.two, made.client
    if not client.capabilities().fork:  # the vendor has no fork and no copy: it says why
        with pytest.raises(NotSupportedError, match=f"{rig.provider} cannot fork"):
            client.fork(two)
        return
    forked = client.fork(two)
    assert forked != two and conversation(client.transcript(forked)) == TWO_TURNS
    rig.fake.script(text("reply on the fork delta"))
    with client.session(cwd=rig.work, model=rig.model, resume=forked) as chat:
        assert chat.run("prompt on the fork delta", timeout=60).text == "reply on the fork delta"
    assert conversation(client.transcript(forked)) == [
        *TWO_TURNS,
        ("user", "prompt on the fork delta"),
        ("message", "reply on the fork delta"),
    ]
    assert conversation(client.transcript(two)) == TWO_TURNS


def test_an_unknown_id_is_session_not_found_quickly(made: Made):
    rig = made.rig
    started = time.monotonic()  # a lone call: the agent's start included
    with pytest.raises(SessionNotFoundError) as err:
        rig.client().transcript(UNKNOWN_ID)
    assert err.value.session_id == UNKNOWN_ID
    assert time.monotonic() - started < ANSWERED_WITHIN_S


def test_a_deleted_session_is_no_longer_listed(made: Made):
    rig, two, client = made.rig, made.two, made.client
    rig.fake.script(text("reply to be deleted"))
    doomed = client.run("a prompt to delete", cwd=rig.work, model=rig.model, timeout=60).session_id
    assert doomed
    if not client.capabilities().delete_session:  # the vendor has no delete: it says so
        with pytest.raises(NotSupportedError, match=f"{rig.provider} cannot delete"):
            client.delete_session(doomed)
        return
    client.delete_session(doomed)
    if _lists(client):
        left = {s.id for s in client.sessions()}
        assert two in left and doomed not in left
    else:
        with pytest.raises(SessionNotFoundError):
            client.transcript(doomed)


def test_an_isolated_client_does_not_list_the_external_sessions(made: Made, tmp_path: Path):
    rig, lone, two = made.rig, made.lone, made.two
    state_var = registry.get(rig.provider).make_auth().state_var  # where oauthpy isolates it
    env = {k: v for k, v in rig.env.items() if k != state_var}
    # in `with`: its calls share one agent of its own (OpenCode: about 3 CPU-s a start)
    with Client(rig.provider, auth_source="oauthpy", oauthpy_home=tmp_path / "home", env=env) as isolated:
        if _lists(isolated):
            assert {lone, two}.isdisjoint(s.id for s in isolated.sessions())
        with pytest.raises(SessionNotFoundError):
            isolated.transcript(two)  # nor read one


MARKER = "<!-- capabilities -->\n"


def _table_rows(page: str) -> tuple[list[str], dict[str, str]]:
    """The header lines and the rows (by provider) of the table under the page's marker."""
    if MARKER not in page:
        return [], {}
    lines = page.split(MARKER, 1)[1].splitlines()
    table = list(itertools.takewhile(lambda line: line.startswith("|"), lines))
    return table[:2], {line.split("|")[1].strip(): line for line in table[2:]}


def test_the_docs_table_of_capabilities_is_what_each_provider_says(tmp_path: Path):
    """docs/sessions.md's table holds each shipped agent's true row, in the registry's order. An
    agent added since (no row there) has its table on its own page instead, docs/<name>.md: adding
    an agent edits no shared page. Each failure names the exact lines to paste."""
    says = {}
    for name in registry.names(generic=False, listed_only=True):
        with open_rig(name, tmp_path / name) as rig:
            says[name] = rig.client().capabilities()
            assert_no_leftovers(rig.env)
        # the session controls, which have their own table (tests/docs/test_docs_controls.py)
        controls = registry.get(name).controls
        assert {c: getattr(says[name], c) for c in CONTROLS} == {c: c in controls for c in CONTROLS}
        assert says[name].questions == bool(asking_transports(name)), name
    header, rows = _table_rows((REPO / "docs" / "sessions.md").read_text())
    assert header == capability_table([]).splitlines(), (
        f"docs/sessions.md: under {MARKER!r}, {capability_table([])}"
    )
    for name, line in rows.items():
        assert name in says, f"docs/sessions.md has a row for {name!r}, which is no agent oauthpy ships"
        want = capability_table([says[name]]).splitlines()[-1]
        assert line == want, f"docs/sessions.md's row of {name} is not what it says; paste: {want}"
    assert list(rows) == [n for n in says if n in rows], "docs/sessions.md: rows in the registry's order"
    for name in (n for n in says if n not in rows):
        own = REPO / "docs" / f"{name}.md"
        block = MARKER + capability_table([says[name]]) + "\n"
        assert own.exists() and block in own.read_text(), (
            f"{own.name} (or docs/sessions.md's table) needs:\n{block}"
        )
