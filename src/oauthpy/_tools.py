"""Plain Python functions as tools the agent can call.

A `Tool` holds a function, its name, description and a JSON schema of its arguments built
by pydantic from the type hints; `Tool.call` validates the agent's arguments with the same
model and turns what the function returns or raises into a `ToolResult`. pydantic is
imported on first use, so ``import oauthpy`` does not pay for it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from oauthpy._errors import InvalidOptionsError
from oauthpy._redact import redact

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError
    from pydantic.json_schema import GenerateJsonSchema

__all__ = ["TOOL_NAME_RE", "Tool", "ToolResult", "build_tools", "tool"]

#: what every vendor accepts as a tool name
TOOL_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")

_TYPES_HINT = "str, int, float, bool, list[...], dict[str, ...], Optional, Literal, Enum, dataclasses, TypedDicts or pydantic models"
# a Google-style section header ends the summary even without a blank line before it
_SECTION = re.compile(
    r"\s*(?:Args|Arguments|Parameters|Returns?|Yields?|Raises|Examples?|Notes?|Attributes|Warnings?|Todo):\s*"
)
_ARG_LINE = re.compile(r"\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)")
_DATA_KEYS = frozenset({"default", "enum", "const", "examples"})  # values, not schemas
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs"})  # name -> schema
_REFUSED_KINDS = {
    inspect.Parameter.VAR_POSITIONAL: "*{} is not supported",
    inspect.Parameter.VAR_KEYWORD: "**{} is not supported",
    inspect.Parameter.POSITIONAL_ONLY: "'{}' is positional-only",
}


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool call gives back to the agent: text, and whether it is an error."""

    text: str
    is_error: bool = False


class Tool:
    """A Python function the agent may call. Callable: calling it calls the function."""

    __slots__ = ("_model", "description", "fn", "input_schema", "is_async", "name")

    def __init__(
        self, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None
    ) -> None:
        label = _check_callable(fn, name)
        self.fn = fn
        self.name = _check_name(name if name is not None else getattr(fn, "__name__", ""), label)
        doc = inspect.getdoc(fn) or ""
        self.description = description if description is not None else _summary(doc)
        self.is_async = inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(inspect.unwrap(fn))
        self._model, self.input_schema = _arguments_model(fn, self.name, _arg_docs(doc))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, async={self.is_async})"

    async def call(self, arguments: Mapping[str, Any] | None) -> ToolResult:
        """Validate ``arguments``, call the function and encode its result; never raises but for
        cancellation, ``SystemExit`` and ``KeyboardInterrupt`` (a bad argument or an exception of
        the function is an error result; callers carry those two with `_user_exit.guarded`)."""
        from pydantic import ValidationError

        if isinstance(arguments, str):  # some vendors send the JSON text itself
            with contextlib.suppress(ValueError):
                arguments = json.loads(arguments or "{}")
        arguments = {} if arguments is None else arguments
        if not isinstance(arguments, Mapping):
            return ToolResult(f"invalid arguments for {self.name}: expected a JSON object", is_error=True)
        try:
            parsed = self._model.model_validate(dict(arguments))
        except ValidationError as exc:
            return ToolResult(f"invalid arguments for {self.name}: {_summarize(exc)}", is_error=True)
        except Exception as exc:  # a validator of the user's own types that raised a TypeError
            return ToolResult(redact(f"invalid arguments for {self.name}: {exc}"), is_error=True)
        # only the arguments given: omitted ones take the function's own defaults, uncopied
        fields = type(parsed).model_fields
        kwargs = {fields[f].alias or f: getattr(parsed, f) for f in parsed.model_fields_set}
        try:
            if self.is_async:
                value = self.fn(**kwargs)
            else:
                import asyncio

                # in a thread: a slow or blocking function must not stall the event loop
                value = await asyncio.to_thread(self.fn, **kwargs)
            if inspect.isawaitable(value):  # a sync wrapper around a coroutine function
                value = await value
            return ToolResult(_encode(value))
        except Exception as exc:
            return ToolResult(redact(f"{type(exc).__name__}: {exc}"), is_error=True)


@overload
def tool(
    fn: Callable[..., object], /, *, name: str | None = None, description: str | None = None
) -> Tool: ...
@overload
def tool(
    fn: None = None, /, *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[..., object]], Tool]: ...
def tool(
    fn: Callable[..., object] | None = None, /, *, name: str | None = None, description: str | None = None
) -> Tool | Callable[[Callable[..., object]], Tool]:
    """Decorator: @tool, @tool(), @tool(name=..., description=...) or tool(fn, name=...). Returns a Tool."""

    def make(f: Callable[..., object]) -> Tool:
        if isinstance(f, Tool):  # renaming an existing tool
            return Tool(
                f.fn,
                name=name if name is not None else f.name,
                description=description if description is not None else f.description,
            )
        return Tool(f, name=name, description=description)

    return make if fn is None else make(fn)


def build_tools(values: Any) -> tuple[Tool, ...]:
    """Validate the `tools=` argument of a run: None or empty -> (); else a list/tuple of callables or Tool objects."""
    if values is None:
        return ()
    if not isinstance(values, (list, tuple)):
        got = f"the single function {_label(values)}" if callable(values) else type(values).__name__
        raise InvalidOptionsError(
            f"tools must be a list of functions, got {got}", hint="pass a list, e.g. tools=[add, search]"
        )
    out: list[Tool] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(values):
        if not isinstance(item, Tool):
            if not callable(item):
                raise InvalidOptionsError(
                    f"tools[{i}] is not a function: got {type(item).__name__}",
                    hint="tools must be a list of functions (or tool(...) objects)",
                )
            item = Tool(item)
        if item.name in seen:
            raise InvalidOptionsError(
                f"tools[{seen[item.name]}] and tools[{i}] are both named {item.name!r}",
                hint="tool names must be unique: rename one with tool(fn, name=...)",
            )
        seen[item.name] = i
        out.append(item)
    return tuple(out)


# -- building ------------------------------------------------------------------------------------


def _label(fn: Any) -> str:
    return repr(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__)


def _check_callable(fn: Any, name: str | None) -> str:
    """A label for messages; refuses what has no signature to build a schema from."""
    label = f"tool {name!r}" if name is not None else f"tool function {_label(fn)}"
    if isinstance(fn, functools.partial):
        why, fix = "is a functools.partial", "wrap the call in a def with typed parameters"
    elif inspect.isclass(fn):
        why, fix = "is a class", "pass a function or a bound method (obj.method)"
    elif inspect.isfunction(fn) or inspect.ismethod(fn) or hasattr(fn, "__wrapped__"):
        return label
    elif callable(fn):
        why, fix = (
            "is not a function",
            "pass a function or a bound method (obj.method), not a callable object",
        )
    else:
        why, fix = f"is not callable (got {type(fn).__name__})", "pass a function"
    raise InvalidOptionsError(f"{label} {why}", hint=fix)


def _check_name(name: Any, label: str) -> str:
    if not isinstance(name, str) or not TOOL_NAME_RE.fullmatch(name):
        raise InvalidOptionsError(
            f"{label}: {name!r} is not a valid tool name (1 to 64 letters, digits, '_' or '-')",
            hint="name it: tool(fn, name='my_tool')" if name == "<lambda>" else "pass name='...'",
        )
    return name


def _summary(doc: str) -> str:
    """The first paragraph, up to a section header such as ``Args:``, on one line."""
    lines: list[str] = []
    for line in doc.strip().splitlines():
        if not line.strip() or _SECTION.fullmatch(line):
            break
        lines.append(line.strip())
    return " ".join(lines)


def _arg_docs(doc: str) -> dict[str, str]:
    """Each parameter's text in a Google-style ``Args:`` section."""
    lines = doc.splitlines()
    start = next((i for i, s in enumerate(lines) if s.strip() in ("Args:", "Arguments:")), None)
    if start is None:
        return {}
    base = len(lines[start]) - len(lines[start].lstrip())
    out: dict[str, str] = {}
    indent, current = None, None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        ind = len(line) - len(line.lstrip())
        if ind <= base:  # the next section
            break
        indent = ind if indent is None else indent
        m = _ARG_LINE.fullmatch(line.strip()) if ind == indent else None
        if m:
            current = m[1]
            out[current] = m[2].strip()
        elif current is not None:  # a continuation line
            out[current] = f"{out[current]} {line.strip()}".strip()
    return out


@functools.cache
def _generator() -> type[GenerateJsonSchema]:
    from pydantic.json_schema import GenerateJsonSchema

    class NoAutoTitles(GenerateJsonSchema):
        """Field titles pydantic derives from the name ("B" for ``b``) only cost tokens."""

        def field_title_should_be_set(self, schema: Any) -> bool:
            return False

    return NoAutoTitles


def _arguments_model(
    fn: Callable[..., Any], name: str, docs: Mapping[str, str]
) -> tuple[type[BaseModel], dict[str, Any]]:
    import pydantic

    label = f"tool {name!r}"
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError) as exc:
        raise InvalidOptionsError(
            f"{label}: cannot read its signature: {exc}", hint="pass a function"
        ) from None
    # where string annotations are resolved; a method's or wrapper's is its function's
    globalns = getattr(inspect.unwrap(getattr(fn, "__func__", fn)), "__globals__", {})
    fields: dict[str, Any] = {}
    hints: dict[str, Any] = {}
    for i, p in enumerate(params):
        if p.kind in _REFUSED_KINDS:
            raise InvalidOptionsError(
                f"{label}: parameter {_REFUSED_KINDS[p.kind].format(p.name)}",
                hint="the agent passes named arguments: make each a typed parameter (no *args, **kwargs or '/')",
            )
        if p.annotation is p.empty:
            fix = f"annotate it, e.g. {p.name}: str"
            if i == 0 and p.name in ("self", "cls"):
                fix = "pass the bound method (obj.method), or decorate a plain function"
            raise InvalidOptionsError(f"{label}: parameter {p.name!r} has no type hint", hint=fix)
        try:
            # one parameter at a time: the return annotation, ignored, need not resolve
            holder = types.SimpleNamespace(__annotations__={p.name: p.annotation})
            hints[p.name] = typing.get_type_hints(holder, globalns=globalns, include_extras=True)[p.name]
        except Exception as exc:  # a name defined inside a function or under TYPE_CHECKING
            raise InvalidOptionsError(
                f"{label}: cannot resolve the type hint of parameter {p.name!r}: {exc}",
                hint="define the types the hints name at module level: a string annotation "
                "(from __future__ import annotations) cannot see a function's local names",
            ) from None
        default = ... if p.default is p.empty else p.default
        # internal field names: a parameter may be called "json", "model_config" or "_x"
        fields[f"p{i}"] = (hints[p.name], pydantic.Field(default, alias=p.name))
    try:
        model = pydantic.create_model(f"{name}_arguments", **fields)
        schema = model.model_json_schema(schema_generator=_generator())
    except pydantic.PydanticUserError as exc:
        raise _unsupported(label, params, hints, exc) from None
    schema.pop("title", None)
    for pname, prop in schema.get("properties", {}).items():
        if docs.get(pname) and "description" not in prop:  # an explicit Field(description=) wins
            prop["description"] = docs[pname]
    schema = _inline_refs(schema)  # JSON already: pydantic leaves out defaults that are not
    out: dict[str, Any] = {"type": "object", "properties": schema.get("properties", {})}
    if schema.get("required"):
        out["required"] = schema["required"]
    out.update((k, v) for k, v in schema.items() if k not in ("type", "properties", "required"))
    return model, out


def _unsupported(
    label: str, params: list[inspect.Parameter], hints: Mapping[str, Any], exc: Exception
) -> InvalidOptionsError:
    """Name the parameter whose type pydantic cannot validate or describe."""
    import pydantic

    for p in params:
        try:
            pydantic.TypeAdapter(hints[p.name]).json_schema()
        except Exception as inner:
            first = str(inner).strip().splitlines()[0].split(". ")[0].rstrip(".")
            return InvalidOptionsError(
                f"{label}: parameter {p.name!r} has a type with no JSON schema ({first})",
                hint=f"use {_TYPES_HINT}",
            )
    return InvalidOptionsError(f"{label}: cannot build its argument schema: {exc}", hint=f"use {_TYPES_HINT}")


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace each ``$ref`` by its definition; recursive definitions stay in ``$defs``."""
    defs: dict[str, Any] = schema.pop("$defs", {})
    kept: set[str] = set()

    def walk(node: Any, stack: frozenset[str], names: bool = False) -> Any:
        if isinstance(node, list):
            return [walk(v, stack) for v in node]
        if not isinstance(node, dict):
            return node
        if names:  # a property may be called "default" or "$ref"
            return {k: walk(v, stack) for k, v in node.items()}
        out = {
            k: v if k in _DATA_KEYS else walk(v, stack, k in _NAME_MAPS)
            for k, v in node.items()
            if k != "$ref"
        }
        ref = node.get("$ref")
        if ref is None:
            return out
        if not isinstance(ref, str) or not ref.startswith("#/$defs/") or ref[8:] not in defs:
            return {"$ref": ref, **out}
        key = ref[8:]
        if key in stack:  # recursion: keep the reference
            kept.add(key)
            return {"$ref": ref, **out}
        return {**walk(defs[key], stack | {key}), **out}  # the use's own keywords win

    result: dict[str, Any] = walk(schema, frozenset())
    done: dict[str, Any] = {}
    while kept - done.keys():  # a kept definition may reveal more recursion
        key = min(kept - done.keys())
        done[key] = walk(defs[key], frozenset({key}))
    if done:
        result["$defs"] = done
    return result


# -- calling -------------------------------------------------------------------------------------


def _summarize(exc: ValidationError) -> str:
    """pydantic's errors, one short clause each: ``b: Input should be a valid integer``."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = [f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in errors[:5]]
    if len(errors) > 5:
        parts.append(f"and {len(errors) - 5} more")
    return redact("; ".join(parts))


def _encode(value: Any) -> str:
    """The function's return value as the text the agent reads."""
    from pydantic import BaseModel
    from pydantic_core import to_json

    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    try:
        return to_json(value).decode()
    except Exception:  # an object pydantic cannot serialize
        return str(value)
