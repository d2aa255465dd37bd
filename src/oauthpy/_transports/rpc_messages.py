"""What travels over a JSON-RPC connection (`oauthpy._transports.rpc`) besides its frames: the
error codes, the error an agent's answer raises (`RpcError`), and a request from the agent that
a turn answers (`Incoming`) or refuses (`RpcRefusal`, sent back as an error)."""

from __future__ import annotations

import asyncio
from typing import Any

from oauthpy._errors import CommandExecutionError
from oauthpy._redact import redact

#: JSON-RPC's "internal error": what the agent gets when a handler fails
INTERNAL_ERROR = -32603
METHOD_NOT_FOUND = -32601
#: a line that is not JSON (or too long, too deep); one that is JSON but not a request
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
#: the method under which a subscription yields an `Incoming` request (its params)
INCOMING = "oauthpy/incoming"


class RpcError(CommandExecutionError):
    """The agent answered a request with a JSON-RPC error (``code``, redacted ``message``)."""

    def __init__(self, method: str, code: int | None, message: str, data: Any = None) -> None:
        self.code = code
        #: what the agent said, redacted
        self.said = redact(message)
        super().__init__(
            f"{method} failed: {message} (code {code})",
            details={"method": method, "code": code, "data": data},
        )


class Incoming:
    """A request from the agent (an approval, a tool call) that the turn of its route answers.

    The turn calls `reply` or `refuse` exactly once; a request still unanswered when
    its subscription closes is refused, so the agent is never left waiting and never told yes.
    """

    __slots__ = ("_answer", "method", "params")

    def __init__(self, method: str, params: Any) -> None:
        self.method = method
        self.params = params
        self._answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    @property
    def answered(self) -> bool:
        return self._answer.done()

    def reply(self, result: Any) -> None:
        if not self._answer.done():
            self._answer.set_result(result)

    def refuse(self, why: str) -> None:
        if not self._answer.done():
            self._answer.set_exception(RpcRefusal(why))


class RpcRefusal(Exception):
    """Sent back as a JSON-RPC error: the request is refused."""


__all__ = [
    "INCOMING",
    "INTERNAL_ERROR",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "PARSE_ERROR",
    "Incoming",
    "RpcError",
    "RpcRefusal",
]
