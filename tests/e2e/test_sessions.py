"""Native multi-turn sessions with each real CLI against its fake backend."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oauthpy import Client
from oauthpy.errors import CommandExecutionError, InvalidOptionsError, SessionBusyError, SessionNotFoundError
from oauthpy.testing import FakeServer, Hang, HttpError, live_processes_with_env, new_marker, text
from oauthpy.testing.processes import MARKER_VAR
from tests.conftest import gemini_binary
from tests.support import assert_no_leftovers

UNKNOWN_ID = "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"


@dataclass
class Setup:
    provider: str
    fake: FakeServer
    env: dict[str, str]
    model: str | None

    def client(self) -> Client:
        return Client(self.provider, auth_source="external", env=self.env)

    def model_bodies(self) -> list[str]:
        """The model requests' bodies as text (gemini's router calls left out)."""
        reqs = self.fake.model_requests()
        if self.provider == "gemini":
            reqs = [r for r in reqs if isinstance(r.body, dict) and r.body.get("tools")]
        return [json.dumps(r.body) for r in reqs]


@pytest.fixture(params=["codex", "claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    provider = request.param
    if provider == "codex":
        from oauthpy.testing import FakeResponsesServer

        with FakeResponsesServer() as fake:
            yield Setup(provider, fake, {**fake.codex_env(tmp_path / "codex"), **new_marker()}, None)
    elif provider == "claude":
        from oauthpy.testing.anthropic import FakeAnthropicServer

        with FakeAnthropicServer() as fake:
            yield Setup(provider, fake, {**fake.claude_env(tmp_path / "claude"), **new_marker()}, None)
    else:
        from oauthpy.testing.gemini import FakeGeminiServer

        with FakeGeminiServer() as fake:
            env = {
                **fake.gemini_env(tmp_path / "gemini"),
                "OAUTHPY_GEMINI_BINARY": gemini_binary(),
                **new_marker(),
            }
            yield Setup(provider, fake, env, "gemini-2.5-flash")


def test_second_turn_continues_the_vendors_own_conversation(setup: Setup, workdir: Path):
    setup.fake.script(text("first answer alpha"), text("second answer beta"))
    with setup.client().session(cwd=workdir, model=setup.model) as chat:
        r1 = chat.run("first question one")
        r2 = chat.run("second question two")
        assert chat.session_id == r1.session_id == r2.session_id
    assert r1.session_id and (r1.text, r2.text) == ("first answer alpha", "second answer beta")
    last = setup.model_bodies()[-1]
    # The vendor sent its own history: our second prompt did not carry the first exchange.
    assert "first question one" in last and "first answer alpha" in last and "second question two" in last
    assert_no_leftovers(setup.env)


def test_a_one_shot_run_is_resumed_by_id_from_a_new_client(setup: Setup, workdir: Path):
    setup.fake.script(text("remembered fact gamma"), text("recalled"))
    first = setup.client().run("remember gamma", cwd=workdir, model=setup.model)
    assert first.session_id
    with setup.client().session(cwd=workdir, model=setup.model, resume=first.session_id) as later:
        again = later.run("what did I ask you to remember?")
    assert again.text == "recalled" and again.session_id == first.session_id
    last = setup.model_bodies()[-1]
    assert "remember gamma" in last and "remembered fact gamma" in last
    assert_no_leftovers(setup.env)


def test_an_unknown_session_id_fails_fast_with_session_not_found(setup: Setup, workdir: Path):
    setup.fake.script(text("must not be reached"))
    chat = setup.client().session(cwd=workdir, model=setup.model, resume=UNKNOWN_ID)
    # A hang would end in TimeoutExceededError instead: the vendor's own answer must come first.
    with chat, pytest.raises(SessionNotFoundError) as err:
        chat.run("hello?", timeout=20)
    assert err.value.session_id == UNKNOWN_ID and UNKNOWN_ID in str(err.value)
    assert setup.model_bodies() == []
    assert_no_leftovers(setup.env)


def test_a_failed_turn_leaves_the_session_usable(setup: Setup, workdir: Path):
    setup.fake.script(text("noted delta"), HttpError(500, "server fell over"), text("still here"))
    with setup.client().session(cwd=workdir, model=setup.model) as chat:
        chat.run("note delta")
        with pytest.raises(CommandExecutionError):
            chat.run("this one fails")
        r3 = chat.run("are you still there?")
    assert r3.text == "still here"
    last = setup.model_bodies()[-1]
    assert "note delta" in last and "noted delta" in last
    assert_no_leftovers(setup.env)


def test_closing_a_session_ends_its_processes(setup: Setup, workdir: Path):
    setup.fake.script(text("one"), text("two"))
    chat = setup.client().session(cwd=workdir, model=setup.model)
    chat.run("turn one")
    if setup.provider == "claude":
        # claude keeps one CLI connected for the whole session (much faster turns)
        assert live_processes_with_env(MARKER_VAR, setup.env[MARKER_VAR])
    chat.close()
    assert_no_leftovers(setup.env)
    with pytest.raises(Exception, match="closed"):
        chat.run("after close")


def test_a_timed_out_claude_turn_drops_the_connection_and_the_next_turn_resumes(
    anthropic_fake, claude_env, workdir: Path
):
    # codex and gemini start a process per turn; their timeouts are covered by their own tests.
    anthropic_fake.script(text("kept epsilon"), Hang(30), text("back again"))
    with Client("claude", auth_source="external", env=claude_env).session(cwd=workdir) as chat:
        chat.run("keep epsilon")
        with pytest.raises(TimeoutError):
            chat.run("this one hangs", timeout=3)
        assert_no_leftovers(claude_env)  # the hung CLI is gone before the next turn
        r3 = chat.run("and now?")
    assert r3.text == "back again"
    assert "keep epsilon" in json.dumps(anthropic_fake.model_requests()[-1].body)
    assert_no_leftovers(claude_env)


def test_one_turn_at_a_time_per_session_but_sessions_run_concurrently(openai_fake, codex_env, workdir: Path):
    openai_fake.script(text("a"))
    client = Client("codex", auth_source="external", env=codex_env)

    async def main() -> None:
        async with client.asession(cwd=workdir) as chat:
            first = chat.stream("turn one")
            await first.__anext__()
            with pytest.raises(SessionBusyError):
                await chat.stream("turn two").__anext__()
            await first.aclose()
        async with client.asession(cwd=workdir) as a, client.asession(cwd=workdir) as b:
            ra, rb = await asyncio.gather(a.arun("left"), b.arun("right"))
        assert ra.text == rb.text == "a" and ra.session_id != rb.session_id

    asyncio.run(main())
    assert_no_leftovers(codex_env)


def test_session_arguments_are_checked_before_anything_starts(workdir: Path):
    client = Client("codex", auth_source="external")
    with pytest.raises(InvalidOptionsError, match="resume"):
        client.session(cwd=workdir, resume="--oops")
    with pytest.raises(InvalidOptionsError, match="cwd does not exist"):
        client.session(cwd=workdir / "missing")
    with client.session(cwd=workdir) as chat:
        with pytest.raises(InvalidOptionsError, match="keeps the cwd"):
            chat.run("x", cwd=workdir)
        with pytest.raises(InvalidOptionsError, match="unknown session option"):
            chat.run("x", colour="blue")
