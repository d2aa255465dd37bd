"""Any ACP agent, by its command: its entry of the registry (`oauthpy._registry`)."""

from __future__ import annotations

from oauthpy._registry import ACP_ID_FORM, MB, Agent, images_limit

SPEC = Agent(
    name="acp",
    title="any ACP agent, by its command (Client('acp', command=[...]))",
    provider="oauthpy._agents.acp.profile:provider",
    auth="oauthpy._transports.acp.auth:command_auth",
    fake="oauthpy.testing.chat:FakeChatServer",
    transports=("acp",),
    # from the agent's ACP usage_update, if it sends any (NotSupportedError if it has not)
    controls=("context",),
    session_id_form=ACP_ID_FORM,
    session_id_words="the agent's sessionId",
    session_id_example="sess_01J9Y3XK2M",
    catalogue="oauthpy._transports.acp.catalogue:AcpCatalogue",
    takes_command=True,
    # images go only to an agent whose initialize says it takes them
    attachment_limits=images_limit(20 * MB),
)
