"""A Claude conversation over one connected ``ClaudeSDKClient``.

Keeping the CLI running between turns makes a follow-up turn about 20x faster than starting
``claude`` again with ``resume=`` (measured against the fake backend: ~0.04 s vs ~0.65 s; see
benchmarks/). When a turn times out, is cancelled or the options change, the connection is
dropped and the next turn reconnects with ``resume=<session id>``, so the conversation goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import deque
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from oauthpy._agents.claude.asks import ClaudeAsks, asks_user, tools_shown
from oauthpy._agents.claude.controls import ClaudeControls
from oauthpy._agents.claude.parser import ClaudeParser, expected_mode
from oauthpy._agents.claude.sdk import (
    CLOSE_WAIT_S,
    INSTALL_HINT,
    Reader,
    cli_parts,
    prompt_input,
    read_turn,
    wrap_sdk_error,
)
from oauthpy._errors import (
    CommandExecutionError,
    OauthPyError,
    ProviderNotInstalledError,
    StructuredOutputError,
    TimeoutExceededError,
)
from oauthpy._events import Event, EventKind, Usage
from oauthpy._options import RunRequest
from oauthpy._permissions import Permissions
from oauthpy._process import start_timeout, time_left
from oauthpy._redact import secret_values
from oauthpy._teardown import stop, within

if TYPE_CHECKING:
    from oauthpy._agents.claude.provider import ClaudeProvider

#: bound on starting the CLI when the turn has no timeout of its own
CONNECT_WAIT_S = 60.0
#: how long an interrupted turn may take to end before the CLI is stopped instead
INTERRUPT_WAIT_S = 5.0


class ClaudeConversation(ClaudeControls):
    """A session's turns on one connected ``ClaudeSDKClient``."""

    transport = "sdk"
    #: a turn closed early is interrupted and the CLI kept when it obeys (a session's)
    interrupt_to_keep = True

    def __init__(self, provider: ClaudeProvider) -> None:
        super().__init__()  # steer, rewind, compact, context (`controls`)
        self._provider = provider
        self._client: Any = None
        self._key = ""
        self._marker = ""
        self._stderr: deque[str] = deque(maxlen=200)
        #: the connected CLI's permission callback and tools, when it has them
        self._asks: ClaudeAsks | None = None
        #: the connected CLI's ``total_cost_usd`` so far: it sums every turn of the process
        self._cost_seen = 0.0
        #: the last turn gave all its events, its result not an error
        self.ended_ok = False

    async def turn(self, request: RunRequest, env: dict[str, str]) -> AsyncGenerator[Event, None]:
        await self._turn_starts()
        # One deadline for the call: connecting (starting the CLI) and the turn share it.
        deadline = request.deadline()
        started = request.started()
        key = self._key_of(request, env)
        if self._client is not None and key != self._key:
            await self.aclose()  # options changed: reconnect, resuming the same conversation
        secrets = secret_values(env)
        if self._client is None:
            await self._connect(request, env, key, deadline, started)
            left = time_left(deadline, "starting claude", started)
            if left is not None:
                request = dataclasses.replace(request, timeout=left)  # the turn gets what is left
        self.ended_ok = False
        want = request.output_schema is not None or "output_format" in request.provider_options
        asks = self._asks
        parser = ClaudeParser(
            want_structured=want,
            declined=asks.declined if asks else frozenset(),
            expect_mode=expected_mode(request),
        )
        finished = timed_out = False
        reader: Reader | None = None
        if asks is not None:
            asks.start_turn(request)
        try:
            try:
                await self._client.query(prompt_input(request))
            except Exception as exc:
                raise wrap_sdk_error(exc, self._stderr, secrets, resume=request.resume) from None
            reader = Reader(self._messages(), asks.news if asks is not None else None)
            turn = read_turn(reader, parser, request, self._stderr, secrets, started)
            try:
                async with contextlib.aclosing(turn):
                    async for event in turn:
                        yield event
            except TimeoutExceededError:
                timed_out = True
                raise
            finished = parser.result is not None
        finally:
            if not finished:
                # Broken out of or cancelled: interrupt the turn and keep the CLI if it obeys.
                # Otherwise (a timeout, an error) it may still be busy: it cannot take the next.
                failed = asks is not None and asks.failure is not None  # the callback raised
                kept = (
                    self.interrupt_to_keep
                    and reader is not None
                    and not timed_out
                    and not failed
                    and await self._interrupt(reader)
                )
                if not kept:
                    await self.aclose(reader)
            elif reader is not None:
                with contextlib.suppress(Exception):
                    await within(reader.close(), CLOSE_WAIT_S)
        try:
            closing = parser.finish()  # raises the turn's error, if it ended in one
        except StructuredOutputError as exc:  # what the turn spent is on the error instead
            exc.usage = self._own_share(exc.usage)
            raise
        self.ended_ok = True
        for event in closing:
            if event.kind is EventKind.DONE:
                event.usage = self._own_share(event.usage)
            yield event

    def _own_share(self, usage: Usage | None) -> Usage | None:
        """The turn's own ``usage``: the CLI reports the cost of its whole life."""
        if usage is None or usage.cost_usd is None:
            return usage
        seen, self._cost_seen = self._cost_seen, usage.cost_usd
        return dataclasses.replace(usage, cost_usd=max(usage.cost_usd - seen, 0.0))

    def _key_of(self, request: RunRequest, env: dict[str, str]) -> str:
        """What the connected CLI fixes for every turn: a change reconnects."""
        return repr(
            (
                request.model,
                sorted(request.provider_options.items()),
                request.output_schema,
                sorted(env.items()),
                # can_use_tool and what the tools' server lists are fixed when the CLI starts
                asks_user(request),
                tools_shown(request.tools),
            )
        )

    def _messages(self) -> Any:
        """The turn's SDK messages, up to its result."""
        return self._watch(self._client)

    async def _interrupt(self, reader: Reader) -> bool:
        """``ClaudeSDKClient.interrupt()``, then read the turn out to its result; False when
        that did not happen within `INTERRUPT_WAIT_S`."""
        client = self._client

        async def interrupt() -> None:
            await client.interrupt()
            while type(await reader.next(None, None, 0.0)).__name__ != "ResultMessage":
                pass
            await reader.close()

        try:
            await within(interrupt(), INTERRUPT_WAIT_S)
        except Exception:  # a second cancel propagates, and the CLI is then stopped
            return False
        return True

    async def _connect(
        self, request: RunRequest, env: dict[str, str], key: str, deadline: float | None, started: float
    ) -> None:
        self._cost_seen = 0.0  # a new CLI counts from zero
        cli = await connect(
            self._provider,
            self._connecting(request, env),
            env,
            deadline,
            started,
            # allow_always lasts the whole session
            permissions=self._asks.permissions if self._asks is not None else None,
        )
        self._client, self._key, self._marker, self._asks = cli.client, key, cli.marker, cli.asks
        self._stderr = cli.stderr

    async def aclose(self, reader: Reader | None = None) -> None:
        """End the CLI process of this conversation (the conversation itself stays resumable).

        ``reader``: a turn's message reader still open, closed first within the same grace.
        """
        client, self._client = self._client, None
        if client is not None:
            await close_cli(client, self._marker, reader)


async def close_cli(client: Any, marker: str, reader: Reader | None = None) -> None:
    """Stop a connected CLI (run ``marker``): SIGTERM first, as the SDK's graceful close would
    wait 5 s for it, then ``reader`` (a turn's, still open) and the SDK's disconnect within the
    grace, then SIGKILL to what is left."""

    async def close() -> None:
        if reader is not None:
            await reader.close()
        await client.disconnect()

    await stop(marker, close=close, grace=CLOSE_WAIT_S)


class Connected:
    """A connected ``ClaudeSDKClient`` and what its CLI was started with."""

    __slots__ = ("asks", "client", "marker", "stderr")

    def __init__(self, client: Any, marker: str, stderr: deque[str], asks: ClaudeAsks | None) -> None:
        self.client, self.marker, self.stderr, self.asks = client, marker, stderr, asks


async def connect(
    provider: ClaudeProvider,
    request: RunRequest,
    env: dict[str, str],
    deadline: float | None,
    started: float,
    *,
    permissions: Permissions | None = None,
    hooks: dict[str, list[Any]] | None = None,
) -> Connected:
    """Start the CLI for ``request`` and connect to it, by the run's deadline.

    ``permissions``: what ``on_permission`` allowed so far (a session's); ``hooks``: SDK hooks
    of oauthpy's own, added to any the user gave in ``sdk_options``.
    """
    try:
        from claude_agent_sdk import ClaudeSDKClient
    except ImportError:
        raise ProviderNotInstalledError("claude-agent-sdk is not installed", hint=INSTALL_HINT) from None
    marker, stderr, asks = cli_parts(request)
    if asks is not None and permissions is not None:
        asks.permissions = permissions
    options = provider.options(request, env, marker, stderr, asks)
    for event, matchers in (hooks or {}).items():
        options.hooks = {**(options.hooks or {}), event: [*(options.hooks or {}).get(event, []), *matchers]}
    client = ClaudeSDKClient(options=options)
    left = time_left(deadline, "starting claude", started)
    limit = CONNECT_WAIT_S if left is None else left
    try:
        await within(client.connect(), limit)
    except BaseException as exc:
        await close_cli(client, marker)
        if isinstance(exc, asyncio.TimeoutError):
            if left is not None:
                raise start_timeout("starting claude", started) from None
            raise CommandExecutionError(
                f"the claude CLI did not start within {limit:g} s", transient=True
            ) from None
        if isinstance(exc, (OauthPyError, asyncio.CancelledError)) or not isinstance(exc, Exception):
            raise
        raise wrap_sdk_error(exc, stderr, secret_values(env), resume=request.resume) from None
    return Connected(client, marker, stderr, asks)
