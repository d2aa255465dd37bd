"""Qwen Code: its entry of the registry (`oauthpy._registry`)."""

from __future__ import annotations

from oauthpy._registry import Agent, images_limit

SPEC = Agent(
    name="qwen",
    title="Qwen Code (qwen --acp)",
    provider="oauthpy._agents.qwen.profile:provider",
    auth="oauthpy._agents.qwen.auth:QwenAuth",
    fake="oauthpy.testing.responses:FakeResponsesServer",
    fake_setup="oauthpy._agents.qwen.testing:fake_env",
    provision="oauthpy._agents.qwen.testing:PROVISION",
    transports=("acp",),
    state_var="QWEN_HOME",
    default_model="(the model of OPENAI_MODEL, else Qwen Code's)",
    fake_model="fake-model",
    session_id_words="a Qwen Code session id (a UUID)",
    session_id_example="3f1c2b9a-7d4e-4a61-9c0b-52e8d7a1f3b6",
    packages=("npm:@qwen-code/qwen-code",),
    catalogue="oauthpy._transports.acp.catalogue:AcpCatalogue",
    lists_models=True,
    # what its initialize says (`_meta.imageCapability`)
    attachment_limits=images_limit(10_380_902),
    max_attachments=4,
    strengths=("Qwen Code: a coding agent on Qwen models; reads and edits code and runs commands."),
)
