"""GitHub Copilot CLI: its entry of the registry (`oauthpy._registry`)."""

from __future__ import annotations

from oauthpy._registry import MB, Agent, images_limit

SPEC = Agent(
    name="copilot",
    title="GitHub Copilot CLI (copilot --acp)",
    provider="oauthpy._agents.copilot.profile:provider",
    auth="oauthpy._agents.copilot.auth:CopilotAuth",
    fake="oauthpy.testing.chat:FakeChatServer",
    fake_setup="oauthpy._agents.copilot.profile:fake_env",
    provision="oauthpy._agents.copilot.testing:PROVISION",
    transports=("acp",),
    # its ACP agent sends usage_update after each model call (1.0.102): Session.context
    controls=("context",),
    state_var="COPILOT_HOME",
    default_model="(copilot's configured model)",
    fake_model="fake-model",
    session_id_words="a Copilot session id (a UUID)",
    session_id_example="06b7820c-549e-4b05-8f26-a21952a60c63",
    # copilot asks before every command: the demo's one harmless command is allowed
    demo_options={"extra_args": ["--allow-tool=shell(echo:*)"]},
    packages=("npm:@github/copilot",),
    catalogue="oauthpy._transports.acp.catalogue:AcpCatalogue",
    lists_models=True,  # models.list of its SDK server (a GitHub login's; none with BYOK)
    usage="oauthpy._agents.copilot.usage:CopilotUsage",
    attachment_limits=images_limit(20 * MB),
    strengths=(
        "GitHub Copilot CLI: a coding agent that reads and edits code and runs commands, on the user's Copilot plan."
    ),
)
