"""How a live turn answers its agent's questions: approvals go to ``on_permission``, questions
to the user to ``on_question``, tool calls to the run's Python tools; the same for every live
agent (codex app-server, ACP)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Protocol

from oauthpy._errors import InvalidOptionsError
from oauthpy._options import RunRequest
from oauthpy._permissions import Decision, PermissionRequest, Permissions, Verdict, permission_event
from oauthpy._process import timeout_error
from oauthpy._questions import Question, ask_all, question_event
from oauthpy._teardown import within
from oauthpy._transports.rpc_messages import Incoming
from oauthpy._user_exit import guarded

if TYPE_CHECKING:
    from oauthpy._events import Event
    from oauthpy._tools import ToolResult
    from oauthpy._transports.live_turn import TurnEnd


class Asks(Protocol):
    """A vendor's translation of the questions its agent asks (approvals, tool calls)."""

    def permission(self, method: str, params: Any) -> PermissionRequest | None:
        """The question in a request, or None when it is not a permission request."""

    def answer(self, method: str, params: Any, verdict: Verdict) -> Any:
        """The vendor's answer for ``verdict``."""

    def told(self, params: Any, verdict: Verdict) -> Verdict:
        """What the agent was told for ``verdict`` (an agent may offer no way to allow once:
        it is then refused, and the ``permission`` event must say so)."""

    def own_tool(self, ask: PermissionRequest) -> bool:
        """Whether ``ask`` is about one of the run's own tools (oauthpy allows those itself)."""

    def tool_call(self, method: str, params: Any) -> tuple[str, Any] | None:
        """(tool name, arguments) when the request calls one of the run's tools."""

    def tool_answer(self, result: ToolResult) -> Any:
        """The vendor's answer carrying a tool's result."""

    def questions(self, method: str, params: Any) -> tuple[Question, ...] | None:
        """The questions to the user in a request, or None when it asks none."""

    def question_answer(self, method: str, params: Any, answers: list[tuple[str, ...] | None]) -> Any:
        """The vendor's answer carrying each question's answer (None: declined). Raises
        `InvalidOptionsError` for an answer the agent's request cannot take."""


async def serve(
    incoming: Incoming,
    asks: Asks,
    request: RunRequest,
    permissions: Permissions,
    end: TurnEnd,
) -> list[Event]:
    """Answer a question of the agent during a turn: run a tool or ask ``on_permission``.

    The time spent here is not idle time (no wait for the agent is running). A callback that
    raises denies the action, marks the agent to be stopped, and its exception propagates.
    """
    try:
        call = asks.tool_call(incoming.method, incoming.params)
        if call is not None:
            incoming.reply(asks.tool_answer(await run_tool(request, call[0], call[1], end)))
            return []
        questions = asks.questions(incoming.method, incoming.params)
        if questions is not None:
            return await _answer_questions(incoming, asks, questions, request, end)
        ask = asks.permission(incoming.method, incoming.params)
        if ask is None:
            incoming.refuse(f"oauthpy does not answer {incoming.method}")
            return []
        # Only a tool call can be one of the run's own tools: a command or a file change never is,
        # whatever its title says.
        if ask.kind == "tool" and asks.own_tool(ask):
            incoming.reply(asks.answer(incoming.method, incoming.params, Verdict(Decision.ALLOW)))
            return []
        try:
            verdict = await permissions.decide(request.on_permission, ask, end.deadline)
        except BaseException:
            incoming.reply(asks.answer(incoming.method, incoming.params, Verdict(Decision.DENY)))
            end.stop = True
            raise
        incoming.reply(asks.answer(incoming.method, incoming.params, verdict))
        return [permission_event(ask, asks.told(incoming.params, verdict))]
    finally:
        if not incoming.answered:
            incoming.refuse("the turn stopped before it answered")


async def _answer_questions(
    incoming: Incoming, asks: Asks, questions: tuple[Question, ...], request: RunRequest, end: TurnEnd
) -> list[Event]:
    """Ask ``on_question`` each question of a request and reply; a question event each.

    Fail closed: a declined question is told as declined (never an empty answer); when the
    callback raised or answered what the request cannot take, the whole request is declined
    and the turn ends with that error once its events are out (`TurnEnd.failure`).
    """
    try:
        answers, error = await ask_all(request.on_question, questions, end.deadline)
    except BaseException:  # cancelled while asking: the agent still gets a decline, not an error
        incoming.reply(asks.question_answer(incoming.method, incoming.params, [None] * len(questions)))
        raise
    reply: Any = None
    if error is None:
        try:
            reply = asks.question_answer(incoming.method, incoming.params, answers)
        except InvalidOptionsError as exc:
            error = exc
    if error is not None:
        answers = [None] * len(questions)
        reply = asks.question_answer(incoming.method, incoming.params, answers)
        end.stop = True
        end.failure = error
    incoming.reply(reply)
    return [question_event(q, a) for q, a in zip(questions, answers, strict=True)]


async def run_tool(request: RunRequest, name: str, arguments: Any, end: TurnEnd) -> ToolResult:
    """Call the run's tool ``name`` within the run's deadline; an unknown name is an error result."""
    tool = next((t for t in request.tools if t.name == name), None)
    if tool is None:
        from oauthpy._tools import ToolResult

        return ToolResult(f"there is no tool named {name!r}", is_error=True)
    wait = None if end.deadline is None else max(end.deadline - time.monotonic(), 0.0)
    try:
        # sys.exit() or Ctrl-C in the tool ends the run, carried out of the loop (_user_exit)
        result: ToolResult = await within(guarded(tool.call(arguments), f"tool {name}"), wait)
    except asyncio.TimeoutError:
        end.timed_out = True
        raise timeout_error("total", None, end.started, f"end of tool {name}") from None
    return result
