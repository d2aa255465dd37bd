"""The keyword arguments of a run, written once.

`RunOptions` (and `TurnOptions`, a session turn's share of it) is what ``run``,
``arun``, ``stream``, ``stream_sync``, ``map``, ``amap``, ``session`` and every ``Session``
method take as ``**options``: type checkers see each keyword and its type (PEP 692), and
`takes` gives each method the explicit keyword-only signature that ``help()`` and
``inspect.signature`` show, and refuses an unknown keyword at call time the way Python does
for an explicit signature, with a `TypeError` naming the method.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ForwardRef, Literal, TypedDict, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel

    from oauthpy._client import Client
    from oauthpy._on_event import EventCallback
    from oauthpy._permissions import PermissionCallback
    from oauthpy._questions import QuestionCallback
    from oauthpy._tools import Tool

F = TypeVar("F", bound=Callable[..., Any])


class _TurnKeywords(TypedDict, total=False):
    """What every run and turn may set, but ``output_schema`` (the methods' overloads take it
    apart: its type decides the type of ``RunResult.output``)."""

    #: files sent with the prompt: PNG, JPEG, GIF or WebP images (claude: PDF too), told by
    #: their content; a relative path is from the current folder (docs/attachments.md)
    attachments: Sequence[str | os.PathLike[str]] | None
    #: the vendor's model name; default: the vendor's
    model: str | None
    #: seconds for the whole call, retries and their backoff included
    timeout: float | None
    #: seconds of silence between two pieces of output
    idle_timeout: float | None
    #: merged over ``os.environ`` for the vendor process; a ``None`` value removes a variable
    env: Mapping[str, str | None] | None
    #: the vendor's own options (README: "Provider options")
    provider_options: Mapping[str, object] | None
    #: asked before the agent acts (docs/permissions.md)
    on_permission: PermissionCallback | None
    #: answers the agent's questions to the user; None (or no answer) declines them
    #: (docs/sessions.md)
    on_question: QuestionCallback | None
    #: called with every event of the run as it happens, sync or async (docs/reference.md)
    on_event: EventCallback | None


class _RunKeywords(_TurnKeywords, total=False):
    """`RunOptions` but ``output_schema``."""

    #: the agent's working directory (default ``"."``); it must exist
    cwd: str | os.PathLike[str]
    #: Python functions the agent may call (docs/tools.md)
    tools: Sequence[Callable[..., object] | Tool] | None
    #: a text-in, text-out run: no built-in tools, a short system prompt of oauthpy's, no
    #: instruction files, MCP servers, skills or memory, for a fraction of the request
    #: (docs/lean.md); a session keeps it from when it was opened
    lean: bool
    #: ``"worktree"``: run in a fresh git worktree of ``cwd``'s repository at HEAD, never in
    #: the user's tree; ``RunResult.changes``/``diff`` say what it changed (docs/workspaces.md)
    workspace: Literal["worktree"] | None
    #: keep that worktree after the run (its path: ``RunResult.workspace``)
    keep_workspace: bool
    #: what the worktree starts from: ``"head"`` (default), or ``"working"``: HEAD plus your
    #: uncommitted changes and untracked files (``changes`` are then the agent's alone)
    base: Literal["head", "working"]
    #: gitignore patterns of ignored files copied into the worktree, added to those of the
    #: repository's ``.worktreeinclude`` (``.env``, ``config/local.yml``)
    include: Sequence[str] | None
    #: a shell command run in the worktree before the agent starts (``npm ci``, ``uv sync``),
    #: with ``OAUTHPY_ATTEMPT`` and ``OAUTHPY_WORKTREE`` set; its failure is a `SetupError`
    setup: str | None
    #: seconds ``setup`` may take (default 600)
    setup_timeout: float
    #: the agents (names or clients) that take the work, in order, when this one cannot: its
    #: plan ran out, it is not installed or not logged in (docs/failover.md)
    fallback: Sequence[str | Client] | None
    #: what else moves the work on: ``"timeout"``, ``"crash"``
    fallback_on: Sequence[Literal["timeout", "crash"]] | None
    #: a rate limit asking to wait longer than this (seconds, default 60) moves the work on
    fallback_after_s: float | None


class TurnOptions(_TurnKeywords, total=False):
    """What a session turn may set: the keyword arguments of a run but ``cwd``, ``tools`` and
    the worktree's options, which a session keeps from when it was opened: ``attachments``, ``model``, ``timeout``,
    ``idle_timeout``, ``env``, ``provider_options``, ``on_permission``, ``on_question``, ``on_event`` and
    ``output_schema``."""

    #: a JSON schema or a pydantic model class: ``RunResult.output`` holds the parsed answer
    #: (typed as the model class given, for type checkers)
    output_schema: Mapping[str, object] | type[BaseModel] | None


class RunOptions(TurnOptions, _RunKeywords, total=False):
    """The keyword arguments of every run: those of `TurnOptions`, ``cwd`` and ``tools``."""


#: a pydantic model class given as ``output_schema``: the type of ``RunResult.output``
ModelT = TypeVar("ModelT", bound="BaseModel")
#: ``output_schema`` as a JSON schema (as in `TurnOptions`): ``RunResult.output`` is the JSON value
JsonSchema = Mapping[str, object]


#: the defaults the signatures show (every other option defaults to None)
DEFAULTS: dict[str, object] = {
    "cwd": ".",
    "lean": False,
    "keep_workspace": False,
    "base": "head",
    "setup_timeout": 600.0,
}
#: the options a worktree is made with: a session's turns share the one it was opened with
WORKTREE_OPTIONS = ("workspace", "keep_workspace", "base", "include", "setup", "setup_timeout")
#: the order the signatures list the options in
ORDER = (
    "cwd",
    "attachments",
    "model",
    "timeout",
    "idle_timeout",
    "env",
    "provider_options",
    "output_schema",
    "on_permission",
    "on_question",
    "on_event",
    "tools",
    "lean",
    "workspace",
    "keep_workspace",
    "base",
    "include",
    "setup",
    "setup_timeout",
    "fallback",
    "fallback_on",
    "fallback_after_s",
)


def option_names(options: type) -> tuple[str, ...]:
    keys = set(options.__annotations__)
    return tuple(name for name in ORDER if name in keys)


def takes(options: type, why: Mapping[str, str] = {}) -> Callable[[F], F]:
    """Give a method whose last parameter is ``**options`` the signature that lists each of
    ``options``'s keys as a keyword-only parameter (for ``help()`` and introspection), and
    refuse any other keyword when it is called (``why`` may say more about a name, e.g. that
    a session fixes it)."""

    def sign(fn: F) -> F:
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        own = {p.name for p in params}
        allowed = option_names(options)
        for name in allowed:
            annotation = options.__annotations__[name]
            if isinstance(annotation, ForwardRef):
                annotation = annotation.__forward_arg__
            params.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=DEFAULTS.get(name), annotation=annotation
                )
            )

        def check(given: Mapping[str, object]) -> None:
            for name in given:
                if name not in own and name not in allowed:
                    raise _unexpected(fn.__qualname__, name, allowed, why)

        checked: Callable[..., Any]
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def checked(*args: Any, **kw: Any) -> Any:
                check(kw)
                return await fn(*args, **kw)

        else:

            @functools.wraps(fn)
            def checked(*args: Any, **kw: Any) -> Any:
                check(kw)
                return fn(*args, **kw)

        checked.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return sign


def _unexpected(method: str, name: str, allowed: tuple[str, ...], why: Mapping[str, str]) -> TypeError:
    import difflib

    more = why.get(name)
    if more is None:
        near = difflib.get_close_matches(name, allowed, n=1)
        more = f"did you mean {near[0]!r}?" if near else f"it takes {', '.join(allowed)}"
    return TypeError(f"{method}() got an unexpected keyword argument {name!r} ({more})")
