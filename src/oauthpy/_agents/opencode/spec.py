"""OpenCode: its entry of the registry (`oauthpy._registry`)."""

from __future__ import annotations

from oauthpy._registry import ACP_ID_FORM, MB, Agent, images_limit

SPEC = Agent(
    name="opencode",
    title="OpenCode (opencode acp)",
    provider="oauthpy._agents.opencode.profile:provider",
    auth="oauthpy._agents.opencode.auth:OpencodeAuth",
    fake="oauthpy.testing.chat:FakeChatServer",
    fake_setup="oauthpy._agents.opencode.profile:fake_env",
    offline_setup="oauthpy._agents.opencode.offline:offline_env",
    provision="oauthpy._agents.opencode.testing:PROVISION",
    transports=("acp",),
    state_var="XDG_DATA_HOME",
    default_model="(opencode's configured model)",
    session_id_form=ACP_ID_FORM,
    session_id_words="an OpenCode session id",
    session_id_example="ses_df61bb78bffeHFr9qSpJui4FeB",
    packages=("npm:opencode-ai",),
    catalogue="oauthpy._transports.acp.catalogue:AcpCatalogue",
    lists_models=True,  # its session/new offers the models of its providers
    attachment_limits=images_limit(20 * MB),
    strengths=(
        "OpenCode: an open-source coding agent on the model providers the user set up; reads and edits code and runs commands."
    ),
)
