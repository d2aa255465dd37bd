"""The Gemini CLI: its entry of the registry (`oauthpy._registry`)."""

from __future__ import annotations

from oauthpy._registry import MB, Agent, images_limit

SPEC = Agent(
    name="gemini",
    title="Gemini CLI",
    provider="oauthpy._agents.gemini.provider:GeminiProvider",
    auth="oauthpy._agents.gemini.auth:GeminiAuth",
    fake="oauthpy._agents.gemini.fake:FakeGeminiServer",
    prices="oauthpy._agents.gemini.prices:PRICES",
    provision="oauthpy._agents.gemini.testing:PROVISION",
    transports=("stream-json", "acp"),
    state_var="GEMINI_CLI_HOME",
    models=(
        "auto",
        "pro",
        "flash",
        "flash-lite",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
        "gemini-3-pro-preview",
        "gemini-3-flash-preview",
        "gemini-3.1-pro-preview",
    ),
    default_model="auto",
    catalog_default="auto",
    # "auto" adds a routing request to every turn; a fixed model keeps one step per turn
    fake_env={"GEMINI_MODEL": "gemini-2.5-flash"},
    fake_model="gemini-2.5-flash",
    # headless gemini runs a shell command only with approvals off; the demo's is harmless
    demo_options={"yolo": True},
    packages=("npm:@google/gemini-cli",),
    catalogue="oauthpy._agents.gemini.sessions:GeminiCatalogue",
    # inline data; a request may carry up to 20 MB of it
    attachment_limits=images_limit(20 * MB),
    strengths=(
        "Google's Gemini CLI: a very long context (about a million tokens); good at reading large codebases, logs and documents at once and answering about them."
    ),
)
