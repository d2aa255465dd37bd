"""``Client("acp", command=[...])``: any agent that speaks ACP on stdio, by its command alone.

Nothing is known of such an agent beyond the protocol: it gets the defaults of `AcpProfile`
(usage from ACP's ``usage`` field, no notice chunks, no own-tool recognition: a question about
one of the run's tools goes to ``on_permission``) and runs with the environment it is given.
"""

from __future__ import annotations

from collections.abc import Mapping

from oauthpy._options import RunRequest
from oauthpy._transports.acp.profile import AcpProfile
from oauthpy._transports.acp.provider import AcpProvider


class CommandProfile(AcpProfile):
    name = "acp"

    def __init__(self, command: tuple[str, ...]) -> None:
        self.command = command
        self.title = f"the ACP agent {command[0]!r}"
        self.install_hint = f"install {command[0]!r} or give its full path in command="

    def argv(self, request: RunRequest, env: Mapping[str, str]) -> list[str]:
        return [self.program(self.command[0], env), *self.command[1:]]


def provider(command: tuple[str, ...]) -> AcpProvider:
    return AcpProvider(CommandProfile(command))
