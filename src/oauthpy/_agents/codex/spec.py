"""The Codex CLI: its entry of the registry (`oauthpy._registry`)."""

from __future__ import annotations

from oauthpy._registry import MB, Agent, images_limit

_EFFORTS = ("minimal", "low", "medium", "high", "xhigh", "max", "ultra")

SPEC = Agent(
    name="codex",
    title="OpenAI Codex CLI",
    provider="oauthpy._agents.codex.provider:CodexProvider",
    auth="oauthpy._agents.codex.auth:CodexAuth",
    fake="oauthpy.testing.responses:FakeResponsesServer",
    fake_setup="oauthpy._agents.codex.testing:fake_env",
    prices="oauthpy._agents.codex.prices:PRICES",
    provision="oauthpy._agents.codex.testing:PROVISION",
    transports=("app-server", "exec"),
    # `codex exec --json` gives the final answer, and starts faster than the app-server
    answer_transport="exec",
    # over app-server (`oauthpy._agents.codex.controls`); a session on ``exec`` has none
    controls=("steer", "rewind", "compact", "context"),
    # its Linux sandbox (bundled bubblewrap) mounts a fresh /dev, read-only and workspace-write
    sandbox_hides_memory=True,
    state_var="CODEX_HOME",
    # codex 0.163 passes any effort through; `max` and `ultra` are what its newest models
    # advertise (`codex debug models`). None is sent unless asked: the model's default.
    models=(
        "gpt-6-astra",
        "gpt-6.1-sol",
        "gpt-6-sol",
        "gpt-6-luna",
        "gpt-5.6-sol",
        "gpt-5.6-terra",
        "gpt-5.6-luna",
        "gpt-5.5",
    ),
    efforts=_EFFORTS,
    default_model="(codex's configured default)",
    session_id_example="01a202eb-b1a9-7800-944a-667769ecda10",
    packages=("pypi:openai-codex-cli-bin", "npm:@openai/codex"),
    catalogue="oauthpy._agents.codex.sessions:CodexCatalogue",
    offline_setup="oauthpy._agents.codex.offline:offline_env",
    credential_vars=("CODEX_API_KEY",),
    lists_models=True,
    usage="oauthpy._agents.codex.usage:CodexUsage",
    reviewer="oauthpy._agents.codex.review:review",  # its review mode: app-server `review/start`
    # the Responses API takes images of up to 20 MB as input_image
    attachment_limits=images_limit(20 * MB),
    strengths=(
        "OpenAI's coding agent: reads the code, edits files and runs commands and tests in a sandbox; good at focused code changes, bug fixes and reviews."
    ),
)
