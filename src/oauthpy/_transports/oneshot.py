"""Glue between a pure provider and the process runtime.

Shared by every one-shot provider so that timeouts, cleanup and redaction behave the same
whichever vendor runs.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._process import Process
from oauthpy._redact import redact, secret_values
from oauthpy._transports.base import CliProvider


async def cli_events(
    provider: CliProvider, request: RunRequest, env: dict[str, str]
) -> AsyncGenerator[Event, None]:
    """Run one CLI invocation and yield its events; raise the classified error on failure."""
    deadline = request.deadline()
    inv = provider.build(request, env)
    parser = provider.new_parser(request)
    try:
        proc = await Process.start(inv)
        try:
            async for line in proc.lines(deadline=deadline, idle_timeout=request.idle_timeout):
                events = parser.feed(line)
                for event in events:
                    yield event
            returncode = await proc.wait(deadline)
        finally:
            await proc.close()
        stderr = redact(proc.stderr_tail(), secret_values(env))
        for event in parser.finish(returncode, stderr):
            yield event
    finally:
        inv.cleanup()


class OneShotCli:
    """A conversation that is one CLI process per turn (``codex exec``, ``gemini -o stream-json``).

    A session's later turns pass the vendor's session id back (``request.resume``), so the
    vendor continues its own conversation; nothing runs between turns.
    """

    def __init__(self, provider: CliProvider, transport: str) -> None:
        self.provider = provider
        self.transport = transport

    def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        return cli_events(self.provider, request, env)

    async def aclose(self) -> None:
        pass
