"""The registry is the one place that knows the agents: every entry is whole (who else may name
an agent: tests/core/test_layers.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oauthpy import Client, InvalidOptionsError, UnsupportedProviderError
from oauthpy import _registry as registry
from oauthpy.testing.server import FakeServer
from tests.paths import REPO

pytestmark = pytest.mark.fast

NAMED = [a.name for a in registry.entries() if not a.takes_command]


@pytest.mark.parametrize("agent", registry.entries(), ids=lambda a: a.name)
def test_every_entry_has_every_part_and_they_agree(agent: registry.Agent) -> None:
    command = ("some-acp-agent", "--acp") if agent.takes_command else None
    provider = agent.make_provider(command)
    auth = agent.make_auth(command)
    assert provider.name == agent.name and auth.provider == agent.name
    assert provider.transports == agent.transports and agent.transports
    assert auth.state_var == agent.state_var  # a client checks its env against the spec's
    assert set(provider.asking) <= set(agent.transports)
    assert issubclass(agent.fake_class(), FakeServer)
    assert agent.title and auth.install_hint
    assert re.fullmatch(agent.session_id_form, agent.session_id_example)
    assert agent.catalog_default in (None, *agent.models)
    catalogue = agent.make_catalogue(provider)  # its session catalogue (oauthpy._sessions)
    assert all(
        isinstance(getattr(catalogue, f"can_{what}"), bool)
        for what in ("list", "transcript", "fork", "delete")
    )
    # what scripts/compat tests and docs/compatibility.md lists: every shipped named agent
    assert all(re.fullmatch(r"(pypi|npm):[@\w./-]+", p) for p in agent.packages)
    if agent.listed and not agent.takes_command:
        assert agent.packages, f"{agent.name}: where is its CLI published?"


def test_the_typed_provider_names_are_the_registry_s() -> None:
    from typing import get_args

    from oauthpy._registry import ProviderName

    shipped = {a.name for a in registry.entries() if a.provider.startswith("oauthpy.")}
    assert set(get_args(ProviderName)) == shipped


def test_clients_list_the_registry_and_refuse_what_it_does_not_know() -> None:
    assert Client.providers() == registry.names()
    with pytest.raises(UnsupportedProviderError, match="choose one of codex, claude, gemini"):
        Client("nope")  # type: ignore[arg-type]


def test_a_registered_entry_is_a_provider_until_it_is_unregistered() -> None:
    entry = registry.get("acp")._replace(name="other-acp", title="another ACP agent")
    registry.register(entry)
    try:
        assert "other-acp" in Client.providers()
        assert Client("other-acp", command=["x-agent"]).transports == ("acp",)  # type: ignore[arg-type]
    finally:
        registry.unregister("other-acp")
    with pytest.raises(UnsupportedProviderError):
        Client("other-acp", command=["x-agent"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (None, "needs command="),
        ("my-agent --acp", "sequence of strings"),
        ([], "must not be empty"),
        (["opencode", 3], r"command\[1\] must be a string"),
        ([""], "the program, must not be empty"),
        (["open\x00code"], "command"),
    ],
)
def test_acp_refuses_a_bad_command_before_anything_starts(command: object, message: str) -> None:
    with pytest.raises(InvalidOptionsError, match=message):
        Client("acp", command=command)  # type: ignore[arg-type]


@pytest.mark.parametrize("provider", NAMED)
def test_every_named_provider_refuses_command(provider: str) -> None:
    with pytest.raises(InvalidOptionsError, match="only for Client"):
        Client(provider, command=["x"])  # type: ignore[arg-type]


def test_an_acp_agent_cannot_be_isolated_by_oauthpy() -> None:
    with pytest.raises(InvalidOptionsError, match="cannot isolate"):
        Client("acp", command=["x-agent"], auth_source="oauthpy")


def test_an_acp_agent_is_one_small_entry_that_the_shared_suite_then_runs() -> None:
    entry = REPO / "tests" / "agents" / "acp_test" / "entry.py"
    assert len(entry.read_text().splitlines()) <= 60
    assert "acp-test" in registry.names(generic=False)  # so every `rig` test runs it too


def test_a_fake_gives_the_environment_of_any_agent_of_the_registry_by_name(tmp_path: Path) -> None:
    from oauthpy.testing import FakeAnthropicServer, FakeResponsesServer

    with FakeResponsesServer() as fake:
        assert fake.env(tmp_path / "a") == fake.codex_env(tmp_path / "a")  # the first agent wired to it
        assert fake.env(tmp_path / "a")["CODEX_HOME"] == str(tmp_path / "a")
        assert fake.copilot_env(tmp_path / "b")["COPILOT_PROVIDER_WIRE_API"] == "responses"
        with pytest.raises(AttributeError, match="nobody_env"):
            fake.nobody_env(tmp_path)
    with FakeAnthropicServer() as fake:
        assert fake.env(tmp_path / "c", api_key="k")["ANTHROPIC_API_KEY"] == "k"
        assert fake.claude_env(tmp_path / "c")["ANTHROPIC_BASE_URL"] == fake.url
