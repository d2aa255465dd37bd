"""What Claude Code asks during a turn (``can_use_tool``) and the run's tools, for the SDK.

The SDK calls `ClaudeAsks.can_use_tool` and the tools' MCP server (in-process, the SDK's
``sdk`` server type) from its own tasks. Their news (``permission``, ``question`` and ``tool``
events, a failed callback) go into `ClaudeAsks.news`, which the turn reads beside the SDK's
messages, so the events arrive in order and a callback's or tool's time is not idle time.

``AskUserQuestion`` comes through ``can_use_tool`` too (Claude Code offers it only when that is
set): it goes to ``on_question``, never to ``on_permission``. The answers go back as the tool's
``answers`` input (the SDK's way); a question nobody answered is told as declined, in words the
model cannot take for an answer, and a request with no answer at all is refused with them.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from oauthpy._events import Event
from oauthpy._fields import as_dict, as_list, as_str
from oauthpy._mcp_tools import SERVER_NAME, mcp_server
from oauthpy._options import RunRequest
from oauthpy._permissions import PermissionCallback, PermissionRequest, Permissions, permission_event
from oauthpy._questions import DECLINED, Question, QuestionCallback, ask_all, options_of, question_event
from oauthpy._tools import Tool

#: how Claude Code names the run's tools: ``mcp__oauthpy__<name>``
OWN_PREFIX = f"mcp__{SERVER_NAME}__"
#: Claude Code's file tools and the input key that names the file
_FILE_TOOLS = {
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}
_DENIED = "the user denied this action"
#: Claude Code's tool for a question to the user
ASK_USER = "AskUserQuestion"
T = TypeVar("T")


def tools_shown(tools: Sequence[Tool]) -> tuple[tuple[str, str, str], ...]:
    """What Claude Code is shown of the run's tools when it starts: a change needs a new CLI."""
    return tuple((t.name, t.description, json.dumps(t.input_schema, sort_keys=True)) for t in tools)


class Failed:
    """The callback raised: the turn ends with ``error``, and the CLI is stopped."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class After:
    """An event of the callback about one tool call (``call_id``): it goes out after the message
    that announces that call. The CLI writes that message before it asks, but the SDK hands the
    ask to a task of its own, which can reach the turn first."""

    __slots__ = ("call_id", "event")

    def __init__(self, call_id: str, event: Event) -> None:
        self.call_id = call_id
        self.event = event


def after(call_id: Any, event: Event) -> Event | After:
    """``event``, held for the message of ``call_id`` when the SDK gave one."""
    return After(call_id, event) if isinstance(call_id, str) and call_id else event


class Busy:
    """The user's code is running (a callback, a tool): the turn's idle timeout waits."""

    __slots__ = ("on",)

    def __init__(self, on: bool) -> None:
        self.on = on


def permission_of(tool_name: str, tool_input: Any, cwd: str) -> PermissionRequest:
    """The question in a ``can_use_tool`` call."""
    data = tool_input if isinstance(tool_input, dict) else {}
    if tool_name == "Bash":
        command = data.get("command")
        return PermissionRequest(
            "claude",
            "command",
            command=command if isinstance(command, str) else None,
            cwd=cwd,
            tool_name=tool_name,
            tool_input=tool_input,
            raw={"tool_name": tool_name, "input": tool_input},
        )
    if tool_name in _FILE_TOOLS:
        path = data.get(_FILE_TOOLS[tool_name])
        return PermissionRequest(
            "claude",
            "file_change",
            cwd=cwd,
            paths=(path,) if isinstance(path, str) else (),
            tool_name=tool_name,
            tool_input=tool_input,
            raw={"tool_name": tool_name, "input": tool_input},
        )
    return PermissionRequest(
        "claude",
        "tool",
        cwd=cwd,
        tool_name=tool_name,
        tool_input=tool_input,
        raw={"tool_name": tool_name, "input": tool_input},
    )


def asks_user(request: RunRequest) -> bool:
    """Whether the CLI gets ``can_use_tool``: a permission or a question callback."""
    return request.on_permission is not None or request.on_question is not None


def questions_of(tool_input: Any) -> tuple[Question, ...]:
    """A `Question` per question of an ``AskUserQuestion`` call."""
    return tuple(
        Question(
            text=as_str(q.get("question")),
            options=options_of(q.get("options")),
            multiple=q.get("multiSelect") is True,
            header=as_str(q.get("header")),
            raw=tool_input,
        )
        for q in map(as_dict, as_list(as_dict(tool_input).get("questions")))
    )


def answered_input(
    tool_input: Any, questions: tuple[Question, ...], answers: list[tuple[str, ...] | None]
) -> Any:
    """The tool's input with its ``answers`` (by question text; several labels joined with
    ", ", as Claude Code's own dialog does), or None when no question was answered."""
    if all(answer is None for answer in answers):
        return None
    given = {q.text: DECLINED if a is None else ", ".join(a) for q, a in zip(questions, answers, strict=True)}
    return {**as_dict(tool_input), "answers": given}


class ClaudeAsks:
    """One conversation's ``can_use_tool`` and tools; each turn sets its callback and deadline."""

    def __init__(self, request: RunRequest) -> None:
        self.cwd = request.cwd
        self.tools = request.tools
        #: the turn's ``contextvars``: the SDK calls back from tasks of the connecting run
        self.context = contextvars.copy_context()
        self.permissions = Permissions("claude")
        self.callback: PermissionCallback | None = request.on_permission
        self.on_question: QuestionCallback | None = request.on_question
        #: whether the CLI was started with ``can_use_tool`` (fixed for its life)
        self.asking = asks_user(request)
        self.deadline: float | None = None
        #: what happened outside the SDK's messages, for the turn to read in order
        self.news: asyncio.Queue[Event | After | Failed | Busy] = asyncio.Queue()
        self.failure: BaseException | None = None
        #: tool use ids refused this turn; the turn's parser reads this same set (its calls end
        #: ``declined``), so it is cleared, never replaced
        self.declined: set[str] = set()

    def start_turn(self, request: RunRequest) -> None:
        self.callback = request.on_permission
        self.on_question = request.on_question
        self.tools = request.tools  # the same names, description and arguments (the CLI's key)
        self.context = contextvars.copy_context()
        self.deadline = request.deadline()
        self.failure = None
        self.news = asyncio.Queue()
        self.declined.clear()

    async def in_turn(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run the user's code of this turn (a callback, a tool) in the turn's ``contextvars``,
        as it would run in a process of its own; a cancel reaches it."""
        task = self.context.run(asyncio.ensure_future, coro)
        return await task

    def sdk_options(self) -> dict[str, Any]:
        """The ``ClaudeAgentOptions`` fields for the callback and the tools."""
        kw: dict[str, Any] = {}
        if self.tools:
            server = mcp_server(
                self.tools, self._report, fail=self._fail, current=lambda: self.tools, run=self.in_turn
            )
            kw["mcp_servers"] = {SERVER_NAME: {"type": "sdk", "name": SERVER_NAME, "instance": server}}
        if self.asking:
            kw["can_use_tool"] = self.can_use_tool
        return kw

    def own(self, tool_name: str) -> bool:
        """Whether ``tool_name`` is one of this turn's own tools: by its whole name, never by
        the server's prefix alone (a server of the user's own named ``oauthpy``, say ``oauthpy
        mcp serve``, has tools of that prefix too, and they must reach ``on_permission``)."""
        name = tool_name[len(OWN_PREFIX) :] if tool_name.startswith(OWN_PREFIX) else None
        return name is not None and any(tool.name == name for tool in self.tools)

    def _fail(self, error: BaseException) -> None:
        """A tool raised ``SystemExit``/``KeyboardInterrupt``: the turn ends with it, as when the
        callback raises."""
        if self.failure is None:
            self.failure = error
            self.news.put_nowait(Failed(error))

    def _report(self, event: Event) -> None:
        self.news.put_nowait(Busy(event.status == "in_progress"))
        self.news.put_nowait(event)

    def _decline(self, call_id: Any) -> None:
        if isinstance(call_id, str) and call_id:
            self.declined.add(call_id)

    async def can_use_tool(self, tool_name: str, tool_input: Any, context: Any) -> Any:
        from claude_agent_sdk import PermissionResultAllow, PermissionResultDeny

        if tool_name == ASK_USER:
            # a question, not an action to allow
            return await self._ask_user(tool_input, getattr(context, "tool_use_id", None))
        if self.own(tool_name):
            return PermissionResultAllow()  # the run's own tools never reach on_permission
        ask = permission_of(tool_name, tool_input, self.cwd)
        call_id = getattr(context, "tool_use_id", None)
        self.news.put_nowait(Busy(True))
        try:
            verdict = await self.in_turn(self.permissions.decide(self.callback, ask, self.deadline))
        except BaseException as exc:
            self._decline(call_id)
            self.failure = exc
            self.news.put_nowait(Failed(exc))
            return PermissionResultDeny(message=_DENIED, interrupt=True)
        finally:
            self.news.put_nowait(Busy(False))
        self.news.put_nowait(after(call_id, permission_event(ask, verdict)))
        if not verdict.allowed:
            self._decline(call_id)
            return PermissionResultDeny(message=verdict.reason or _DENIED)
        # Never the CLI's suggestions, even for allow_always: they are rules as wide as a whole
        # program (``Bash(touch:*)``), saved to the user's project (``localSettings``), or a mode
        # switch (``acceptEdits``). oauthpy keeps allow_always itself, for exactly this request
        # and this conversation (`Permissions`), and answers the CLI's next question from it.
        return PermissionResultAllow()

    async def _ask_user(self, tool_input: Any, call_id: Any) -> Any:
        """``on_question`` for each question of an ``AskUserQuestion`` call; its answers in the
        tool's input, or, with none, a refusal that says the user declined (an allow without
        answers would tell the model "The user did not answer the questions.")."""
        from claude_agent_sdk import PermissionResultAllow, PermissionResultDeny

        questions = questions_of(tool_input)
        self.news.put_nowait(Busy(True))
        try:
            answers, error = await self.in_turn(ask_all(self.on_question, questions, self.deadline))
        except BaseException as exc:  # cancelled while asking: declined, and the turn ends
            answers, error = [None] * len(questions), exc
        finally:
            self.news.put_nowait(Busy(False))
        if error is not None:
            answers = [None] * len(questions)
        for question, answer in zip(questions, answers, strict=True):
            self.news.put_nowait(after(call_id, question_event(question, answer)))
        if error is not None:
            self.failure = error
            self.news.put_nowait(Failed(error))
            return PermissionResultDeny(message=DECLINED, interrupt=True)
        updated = answered_input(tool_input, questions, answers)
        if updated is None:
            return PermissionResultDeny(message=DECLINED)
        return PermissionResultAllow(updated_input=updated)
