"""The ACP side of one turn (`oauthpy._transports.live_turn.TurnDriver`): ``session/prompt``,
whose answer ends it, the session's updates meanwhile, ``session/cancel`` to stop it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from oauthpy._events import Event
from oauthpy._options import RunRequest
from oauthpy._structured import structured_prompt
from oauthpy._teardown import abandon
from oauthpy._transports.acp.asks import AcpAsks
from oauthpy._transports.acp.turn import AcpTurn, prompt_params
from oauthpy._transports.live_turn import INTERRUPT_WAIT_S, TurnEnd
from oauthpy._transports.rpc_messages import Incoming, RpcError

if TYPE_CHECKING:
    from oauthpy._transports.acp.conversation import AcpAgent

#: put into a turn's notifications when its ``session/prompt`` has been answered
_ANSWERED = "(session/prompt answered)"
#: put into a turn's notifications by the run's tool endpoint: a ``tool`` event
TOOL_EVENT = "(tool event)"
#: put there by the endpoint too: a tool raised ``SystemExit``/``KeyboardInterrupt``
TOOL_EXIT = "(tool exit)"


class PromptTurn:
    """The ACP side of one turn (`live.TurnDriver`): ``session/prompt``, whose answer ends it,
    the session's updates meanwhile; ``session/cancel`` stops it."""

    def __init__(
        self, agent: AcpAgent, sid: str, request: RunRequest, end: TurnEnd, parser: AcpTurn, asks: AcpAsks
    ) -> None:
        self._agent, self._sid, self._request, self._end = agent, sid, request, end
        self._parser = parser
        self.asks = asks
        self.sub = agent.conn.subscribe(sid)
        self._prompt: asyncio.Future[Any] | None = None
        self._answer: Any = None
        self._over = False
        #: tool calls of the run's own tools under way: the agent is silent meanwhile
        self._tools: set[str | None] = set()

    @property
    def over(self) -> bool:
        return self._over

    @property
    def running(self) -> bool:
        return self._prompt is not None and not self._prompt.done()

    @property
    def ended(self) -> bool:
        # answered, an error included: the agent itself serves on (see `feed`)
        return self._prompt is not None and self._prompt.done() and not self._prompt.cancelled()

    @property
    def busy(self) -> bool:
        return bool(self._tools)

    async def begin(self) -> None:
        text = structured_prompt(self._request)
        # The turn's own bounds (idle, total) cut it: the request waits as long as it runs.
        prompt = asyncio.ensure_future(
            self._agent.conn.request(
                "session/prompt", prompt_params(self._sid, text, self._request.attachments), timeout=None
            )
        )
        # After every notification that came before the answer (one reader, in order).
        prompt.add_done_callback(lambda _: self.sub.push(_ANSWERED, None))
        self._prompt = prompt

    def feed(self, method: str, params: Any) -> list[Event]:
        if method == _ANSWERED:
            assert self._prompt is not None
            self._over = True
            try:
                self._answer = self._prompt.result()
            except RpcError as exc:
                # the model API failed; the agent itself is fine and serves on
                self._end.keep = self._agent.usable
                profile = self._parser.profile
                raise profile.classify(
                    exc.code, exc.said, exc.details.get("data"), self._agent.auth_methods
                ) from None
            return []
        if method == TOOL_EVENT:
            event: Event = params
            if event.status == "in_progress":
                self._tools.add(event.item_id)
            else:
                self._tools.discard(event.item_id)
            return [event]
        if method == TOOL_EXIT:
            self._end.stop = True
            raise params
        return self._parser.feed(method, params)

    def asked(self, incoming: Incoming) -> list[Event]:
        # a question about a call the agent never announced: start it first, and close it when
        # refused, so the events have the shape of every other agent's
        return self._parser.asked(incoming.method, incoming.params)

    def answered(self, incoming: Incoming, events: list[Event]) -> list[Event]:
        return self._parser.answered(incoming.method, incoming.params, events)

    def finish(self) -> list[Event]:
        return self._parser.finish(self._answer)

    async def cancel(self) -> None:
        """``session/cancel``: the agent ends the turn, and answers its prompt then."""
        await self._agent.conn.notify("session/cancel", {"sessionId": self._sid}, timeout=INTERRUPT_WAIT_S)

    async def stop(self) -> bool:
        prompt = self._prompt
        assert prompt is not None
        await self.cancel()
        await asyncio.wait((prompt,))
        return not prompt.cancelled() and prompt.exception() is None

    def close(self) -> None:
        prompt = self._prompt
        if prompt is not None and not prompt.done():
            abandon(prompt)  # the agent's exit may still win over the cancel
        elif prompt is not None and not prompt.cancelled():
            prompt.exception()  # retrieved: an agent's failure is reported once, in feed
        self.sub.close()
