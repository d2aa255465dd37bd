"""The suite's own ACP agent (agent.py) as a registry entry: all an ACP agent takes (conftest loads it)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from oauthpy._options import RunRequest
from oauthpy._registry import ACP_ID_FORM, MB, Agent, images_limit
from oauthpy._transports.acp.auth import AcpAuth
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.acp.provider import AcpProvider

AGENT = Path(__file__).with_name("agent.py")


class TestAgent(AcpProfile):
    name = "acp-test"
    title = "the test ACP agent"
    login_hint = "set OPENAI_API_KEY"
    install_hint = "it runs on the Python that runs the tests"

    def argv(self, request: RunRequest, env: Mapping[str, str]) -> list[str]:
        return [self.program(sys.executable, env), str(AGENT)]


def provider() -> AcpProvider:
    return AcpProvider(TestAgent())


def auth() -> AcpAuth:  # its program is the interpreter: found wherever the tests run
    keys: dict[str, Any] = {"state_var": ENTRY.state_var, "key_vars": ("OPENAI_API_KEY",)}
    return AcpAuth("acp-test", sys.executable, install_hint=TestAgent.install_hint, **keys)


def fake_env(fake: Any, root: Path) -> dict[str, str]:
    home = Path(root) / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {**fake.env(root), "ACP_TEST_AGENT_HOME": str(home)}


ENTRY = Agent(
    name="acp-test",
    title="the test suite's ACP agent",
    provider="tests.agents.acp_test.entry:provider",
    auth="tests.agents.acp_test.entry:auth",
    fake="oauthpy.testing.chat:FakeChatServer",
    fake_setup="tests.agents.acp_test.entry:fake_env",
    provision="tests.agents.acp_test.provision:PROVISION",
    transports=("acp",),
    controls=("context",),  # it sends ACP usage_update
    state_var="ACP_TEST_AGENT_HOME",
    models=("fake-model", "fake-model-large"),
    session_id_form=ACP_ID_FORM,
    catalogue="oauthpy._transports.acp.catalogue:AcpCatalogue",  # it can load a session, not list them
    listed=False,  # a test agent: not in doctor, demo, the offline mode
    attachment_limits=images_limit(20 * MB),
)
