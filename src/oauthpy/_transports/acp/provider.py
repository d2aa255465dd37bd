"""The `Provider` of any ACP agent: its profile's argv and environment, one live process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauthpy._options import RunRequest, build_request
from oauthpy._process import Invocation
from oauthpy._transports.acp.conversation import AcpConversation, list_models
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.live import REQUEST_WAIT_S

if TYPE_CHECKING:
    from oauthpy._events import ModelInfo
    from oauthpy._pool import AgentPool


class AcpProvider:
    """The `Provider` of an ACP agent: one live process, an ACP session per run or session."""

    transports: tuple[str, ...] = ("acp",)
    asking: tuple[str, ...] = ("acp",)
    ephemeral = False

    def __init__(self, profile: AcpProfile) -> None:
        self.profile = profile
        self.name = profile.name

    def check(self, request: RunRequest) -> None:
        self.profile.check(request)

    def launch(self, request: RunRequest, env: dict[str, str]) -> Invocation:
        profile = self.profile
        argv = profile.argv(request, env)
        argv += list(request.provider_options.get("extra_args") or ())
        return Invocation(
            argv=argv,
            env=profile.environment(env, request),
            cwd=request.cwd,
            install_hint=profile.install_hint,
            launcher=profile.launches(argv[0]),
        )

    def open(self, transport: str | None, *, session: bool, pool: AgentPool | None) -> AcpConversation:
        return AcpConversation(self.profile, self.launch, session=session, pool=pool)

    async def models(self, env: dict[str, str]) -> tuple[ModelInfo, ...]:
        """The models a new ACP session offers (``session/new``'s ``models``)."""
        request = build_request(None, require_prompt=False)
        return await list_models(self.profile, self.launch(request, env), request, REQUEST_WAIT_S)
