"""The keyword arguments of a run, written once.

`RunOptions` (and `TurnOptions`, a session turn's share of it) is what ``run``,
``arun``, ``stream``, ``stream_sync``, ``map``, ``amap``, ``session`` and every ``Session``
method take as ``**options``: type checkers see each keyword and its type (PEP 692), and
`takes` gives each method the explicit keyword-only signature that ``help()`` and
``inspect.signature`` show. `check_keywords` refuses an unknown keyword at run time the
way Python does for an explicit signature, with a `TypeError`.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ForwardRef, TypedDict, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ._permissions import PermissionCallback
    from ._tools import Tool

F = TypeVar("F", bound=Callable[..., Any])


class TurnOptions(TypedDict, total=False):
    """What a session turn may set: the keyword arguments of a run but ``cwd`` and ``tools``,
    which a session keeps from when it was opened."""

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
    #: a JSON schema or a pydantic model class: ``RunResult.output`` holds the parsed answer
    output_schema: Mapping[str, object] | type[BaseModel] | None
    #: asked before the agent acts (docs/permissions.md)
    on_permission: PermissionCallback | None


class RunOptions(TurnOptions, total=False):
    """The keyword arguments of every run."""

    #: the agent's working directory (default ``"."``); it must exist
    cwd: str | os.PathLike[str]
    #: Python functions the agent may call (docs/tools.md)
    tools: Sequence[Callable[..., object] | Tool] | None


#: the defaults the signatures show (every other option defaults to None)
DEFAULTS: dict[str, object] = {"cwd": "."}
#: the order the signatures list the options in
ORDER = (
    "cwd",
    "model",
    "timeout",
    "idle_timeout",
    "env",
    "provider_options",
    "output_schema",
    "on_permission",
    "tools",
)


def option_names(options: type) -> tuple[str, ...]:
    keys = set(options.__annotations__)
    return tuple(name for name in ORDER if name in keys)


def takes(options: type) -> Callable[[F], F]:
    """Give a method whose last parameter is ``**options`` the signature that lists each of
    ``options``'s keys as a keyword-only parameter (for ``help()`` and introspection)."""

    def sign(fn: F) -> F:
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        for name in option_names(options):
            annotation = options.__annotations__[name]
            if isinstance(annotation, ForwardRef):
                annotation = annotation.__forward_arg__
            params.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=DEFAULTS.get(name), annotation=annotation
                )
            )
        fn.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        return fn

    return sign


def check_keywords(
    method: str, given: Mapping[str, object], options: type, why: Mapping[str, str] = {}
) -> None:
    """Raise `TypeError` for a keyword ``options`` does not have, as Python would for an
    explicit signature (``why`` may say more about a name, e.g. that a session fixes it)."""
    allowed = option_names(options)
    for name in given:
        if name in allowed:
            continue
        import difflib

        more = why.get(name)
        if more is None:
            near = difflib.get_close_matches(name, allowed, n=1)
            more = f"did you mean {near[0]!r}?" if near else f"it takes {', '.join(allowed)}"
        raise TypeError(f"{method}() got an unexpected keyword argument {name!r} ({more})")
