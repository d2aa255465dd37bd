"""Claude Code: its entry of the registry (`oauthpy._registry`)."""

from __future__ import annotations

from oauthpy._registry import MB, Agent, images_limit

SPEC = Agent(
    name="claude",
    title="Claude Code (claude-agent-sdk)",
    provider="oauthpy._agents.claude.provider:ClaudeProvider",
    auth="oauthpy._agents.claude.auth:ClaudeAuth",
    fake="oauthpy.testing.anthropic:FakeAnthropicServer",
    fake_setup="oauthpy._agents.claude.testing:fake_env",
    prices="oauthpy._agents.claude.prices:PRICES",
    provision="oauthpy._agents.claude.testing:PROVISION",
    transports=("sdk",),
    # steer: a user message on the SDK client's open input; rewind: resume_session_at in a
    # fork; compact: its /compact; context: get_context_usage() (`oauthpy._agents.claude.controls`)
    controls=("steer", "rewind", "compact", "context"),
    # its sandbox (settings sandbox.enabled, off by default) runs bubblewrap with a fresh /dev;
    # it cannot run without bwrap on PATH
    sandbox_hides_memory="bwrap",
    state_var="CLAUDE_CONFIG_DIR",
    models=("default", "best", "sonnet", "opus", "haiku", "sonnet[1m]", "opus[1m]", "opusplan"),
    efforts=("low", "medium", "high", "xhigh", "max"),
    default_model="(Claude Code's default for the account)",
    # the alias for the account's default model, the one a run without a model gets
    catalog_default="default",
    session_id_example="b270a8cc-0f9b-4e0d-940c-8caa805d6c57",
    packages=("pypi:claude-agent-sdk",),
    catalogue="oauthpy._agents.claude.sessions:ClaudeCatalogue",
    usage="oauthpy._agents.claude.usage:ClaudeUsage",
    usage_observer="oauthpy._agents.claude.usage:remember",
    # the Messages API: images of up to 5 MB, PDF documents of up to 32 MB, 100 per request
    attachment_limits=images_limit(5 * MB, ("application/pdf", 32 * MB)),
    max_attachments=100,
    strengths=(
        "Anthropic's Claude Code: reads and changes whole codebases and runs commands; good at multi-file changes, refactors, debugging and explaining code."
    ),
)
