"""oauthpy._tools: Python functions as agent tools (schema, validation, calling, refusals)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import enum
import functools
import json
import socket
import threading
from typing import Annotated, Any, Literal, Optional

import pydantic
import pytest
from typing_extensions import TypedDict

from oauthpy._errors import InvalidOptionsError
from oauthpy._tools import TOOL_NAME_RE, Tool, ToolResult, build_tools, tool

pytestmark = pytest.mark.fast


def add(a: int, b: int = 2) -> int:
    """Add two numbers.

    The second one is optional.

    Args:
        a: the first number,
            on two lines.
        b (int): the second number.

    Returns:
        the sum
    """
    return a + b


class Point(pydantic.BaseModel):
    """A point on the plane."""

    x: int
    y: int = 0


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Movie(TypedDict):
    title: str
    year: int


@dataclasses.dataclass
class Box:
    width: float
    label: str = ""


class Tree(pydantic.BaseModel):
    value: int
    children: list[Tree] = []


class Outer(pydantic.BaseModel):
    points: list[Point]
    color: Optional[Color] = None  # noqa: UP045


class Picky(pydantic.BaseModel):
    v: int

    @pydantic.field_validator("v")
    @classmethod
    def no_sevens(cls, v: int) -> int:
        if v == 7:
            raise TypeError("sevens are not allowed")
        return v


class Opaque:
    pass


class Unjsonable:
    def __str__(self) -> str:
        return "a thing"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def schema_of(fn: Any) -> dict[str, Any]:
    return Tool(fn).input_schema


def prop(fn: Any) -> dict[str, Any]:
    """The schema of ``fn``'s only parameter ``v``."""
    v: dict[str, Any] = schema_of(fn)["properties"]["v"]
    return v


def refusal(fn: Any, **kw: Any) -> str:
    with pytest.raises(InvalidOptionsError) as info:
        Tool(fn, **kw)
    return str(info.value)


# -- schemas -------------------------------------------------------------------------------------


def test_exact_schema_of_a_simple_function() -> None:
    t = Tool(add)
    assert t.name == "add"
    assert t.description == "Add two numbers."
    assert t.input_schema == {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "description": "the first number, on two lines."},
            "b": {"type": "integer", "default": 2, "description": "the second number."},
        },
        "required": ["a"],
    }
    assert json.loads(json.dumps(t.input_schema)) == t.input_schema
    assert t.is_async is False


def test_no_parameters_and_no_required() -> None:
    def ping() -> str:
        return "pong"

    assert schema_of(ping) == {"type": "object", "properties": {}}


def test_scalar_types() -> None:
    def f(s: str, i: int, x: float, flag: bool) -> None: ...

    props = schema_of(f)["properties"]
    assert props == {
        "s": {"type": "string"},
        "i": {"type": "integer"},
        "x": {"type": "number"},
        "flag": {"type": "boolean"},
    }


def test_containers_optional_union_literal() -> None:
    def lst(v: list[str]) -> None: ...
    def dct(v: dict[str, list[int]]) -> None: ...
    def opt(v: Optional[int] = None) -> None: ...  # noqa: UP045
    def uni(v: int | str) -> None: ...
    def lit(v: Literal["fast", "slow"]) -> None: ...

    assert prop(lst) == {"type": "array", "items": {"type": "string"}}
    assert prop(dct) == {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "integer"}},
    }
    assert prop(opt) == {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}
    assert "required" not in schema_of(opt)
    assert prop(uni) == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert prop(lit) == {"type": "string", "enum": ["fast", "slow"]}


def test_enum_model_typeddict_dataclass_are_inlined() -> None:
    def f(c: Color, p: Point, m: Movie, b: Box) -> None: ...

    schema = schema_of(f)
    assert "$defs" not in schema
    assert "$ref" not in json.dumps(schema)
    props = schema["properties"]
    assert props["c"]["enum"] == ["red", "blue"]
    assert props["p"]["type"] == "object"
    assert props["p"]["properties"] == {"x": {"type": "integer"}, "y": {"type": "integer", "default": 0}}
    assert props["p"]["required"] == ["x"]
    assert props["p"]["description"] == "A point on the plane."
    assert props["m"]["properties"] == {"title": {"type": "string"}, "year": {"type": "integer"}}
    assert props["b"]["properties"]["width"] == {"type": "number"}
    assert schema["required"] == ["c", "p", "m", "b"]


def test_nested_and_optional_models_are_inlined() -> None:
    def f(v: Outer) -> None: ...

    v = prop(f)
    assert v["properties"]["points"]["items"]["properties"]["x"] == {"type": "integer"}
    assert v["properties"]["color"]["anyOf"][0]["enum"] == ["red", "blue"]
    assert "$ref" not in json.dumps(v)


def test_property_named_like_a_keyword_is_still_inlined() -> None:
    def f(default: Point, enum: Color) -> None: ...

    schema = schema_of(f)
    assert schema["properties"]["default"]["properties"]["x"] == {"type": "integer"}
    assert schema["properties"]["enum"]["enum"] == ["red", "blue"]
    assert "$ref" not in json.dumps(schema)


def test_recursive_model_keeps_defs() -> None:
    def f(v: Tree) -> None: ...

    schema = schema_of(f)
    assert schema["properties"]["v"]["properties"]["value"] == {"type": "integer"}
    assert schema["properties"]["v"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree"}
    assert schema["$defs"]["Tree"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree"}
    json.dumps(schema)


def test_no_auto_titles_but_explicit_ones_stay() -> None:
    def f(first_name: str, v: Annotated[str, pydantic.Field(title="Shown")]) -> None: ...

    schema = schema_of(f)
    assert "title" not in schema
    assert "title" not in schema["properties"]["first_name"]
    assert schema["properties"]["v"]["title"] == "Shown"


def test_parameter_names_that_clash_with_pydantic() -> None:
    def f(json: str, model_config: int, _private: bool = False) -> str:
        return f"{json} {model_config} {_private}"

    t = Tool(f)
    assert set(t.input_schema["properties"]) == {"json", "model_config", "_private"}
    assert run(t.call({"json": "j", "model_config": 3, "_private": True})) == ToolResult("j 3 True")


def test_keyword_only_parameters() -> None:
    def f(*, a: int) -> int:
        return a

    assert schema_of(f)["required"] == ["a"]
    assert run(Tool(f).call({"a": 5})).text == "5"


# -- descriptions --------------------------------------------------------------------------------


def test_description_first_paragraph_joined() -> None:
    def f() -> None:
        """Search the
        code base.

        Details nobody needs.
        """

    assert Tool(f).description == "Search the code base."


def test_description_stops_at_a_section_without_blank_line() -> None:
    def f(q: str) -> None:
        """Search.
        Args:
            q: the query
        """

    t = Tool(f)
    assert t.description == "Search."
    assert t.input_schema["properties"]["q"]["description"] == "the query"


def test_description_missing_and_override() -> None:
    def f() -> None: ...

    assert Tool(f).description == ""
    assert Tool(add, description="Sum.").description == "Sum."
    assert Tool(add, description="").description == ""


def test_explicit_field_description_beats_args_section() -> None:
    def f(v: Annotated[str, pydantic.Field(description="from Field")]) -> None:
        """F.

        Args:
            v: from the docstring
        """

    assert prop(f)["description"] == "from Field"


def test_args_description_beats_model_docstring() -> None:
    def f(v: Point) -> None:
        """F.

        Args:
            v: where to go
        """

    assert prop(f)["description"] == "where to go"


# -- refusals ------------------------------------------------------------------------------------


def test_refuses_var_args_and_kwargs() -> None:
    def f(*items: int) -> None: ...
    def g(**opts: int) -> None: ...

    assert "tool 'f': parameter *items is not supported" in refusal(f)
    assert "parameter **opts is not supported" in refusal(g)
    assert "make each a typed parameter" in refusal(g)


def test_refuses_positional_only() -> None:
    def f(a: int, /) -> None: ...

    msg = refusal(f)
    assert "tool 'f': parameter 'a' is positional-only" in msg
    assert "no *args, **kwargs or '/'" in msg


def test_refuses_missing_hint() -> None:
    def f(a: int, b) -> None: ...  # type: ignore[no-untyped-def]

    msg = refusal(f)
    assert "tool 'f': parameter 'b' has no type hint" in msg
    assert "annotate it, e.g. b: str" in msg


def test_refuses_unbound_method_with_a_hint() -> None:
    class Calc:
        def add(self, a: int) -> int:
            return a

    msg = refusal(Calc.add)
    assert "parameter 'self' has no type hint" in msg
    assert "bound method" in msg
    assert Tool(Calc().add).input_schema["required"] == ["a"]  # the bound method is fine


def test_refuses_types_without_a_json_schema() -> None:
    def f(a: int, conn: socket.socket) -> None: ...
    def g(thing: Opaque) -> None: ...

    msg = refusal(f)
    assert "tool 'f': parameter 'conn' has a type with no JSON schema" in msg
    assert "use str, int" in msg
    assert "parameter 'thing'" in refusal(g)


def test_refuses_unresolvable_hint() -> None:
    class Local(pydantic.BaseModel):
        a: int

    def f(a: int, b: NotDefinedAnywhere) -> None: ...  # type: ignore[name-defined]  # noqa: F821
    def g(v: Local) -> None: ...

    msg = refusal(f)
    assert "tool 'f': cannot resolve the type hint of parameter 'b'" in msg
    assert "NotDefinedAnywhere" in msg
    assert "module level" in refusal(g)


def test_return_annotation_is_ignored() -> None:
    def f(a: int) -> NotDefinedAnywhere:  # type: ignore[name-defined]  # noqa: F821
        return a

    assert run(Tool(f).call({"a": 1})) == ToolResult("1")


def test_refuses_lambda_name_with_a_hint() -> None:
    msg = refusal(lambda: None)
    assert "'<lambda>' is not a valid tool name" in msg
    assert "tool(fn, name=" in msg
    assert Tool(lambda: None, name="noop").name == "noop"


def test_refuses_bad_override_name() -> None:
    msg = refusal(add, name="add numbers")
    assert "tool 'add numbers'" in msg
    assert "not a valid tool name" in msg
    assert TOOL_NAME_RE.fullmatch("a" * 64)
    assert "not a valid tool name" in refusal(add, name="a" * 65)
    assert Tool(add, name="a-b_1").name == "a-b_1"


def test_refuses_partial_class_and_callable_object() -> None:
    class Callable_:
        def __call__(self, a: int) -> int:
            return a

    assert "is a functools.partial" in refusal(functools.partial(add, 1))
    assert "is a class" in refusal(Point)
    msg = refusal(Callable_())
    assert "is not a function" in msg
    assert "bound method" in msg
    assert "is not a function" in refusal(len)


def test_functools_wraps_keeps_signature_and_async() -> None:
    def deco(fn: Any) -> Any:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return await fn(*args, **kwargs)

        return wrapper

    @deco
    async def slow(a: int) -> int:
        return a * 2

    t = Tool(slow)
    assert t.name == "slow"
    assert t.is_async
    assert t.input_schema["required"] == ["a"]
    assert run(t.call({"a": 4})).text == "8"


# -- build_tools ---------------------------------------------------------------------------------


def test_build_tools_empty() -> None:
    assert build_tools(None) == ()
    assert build_tools([]) == ()
    assert build_tools(()) == ()


def test_build_tools_wraps_functions_and_keeps_tools() -> None:
    named = Tool(add, name="plus")

    def other(q: str) -> str:
        return q

    tools = build_tools([named, other])
    assert tools[0] is named
    assert isinstance(tools[1], Tool)
    assert tools[1].name == "other"
    assert build_tools(tools) == tools  # idempotent: a session builds them once


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ("add", "got str"),
        ({"add": add}, "got dict"),
        (add, "got the single function 'add'"),
        ({add}, "got set"),
    ],
)
def test_build_tools_needs_a_list(value: Any, got: str) -> None:
    with pytest.raises(InvalidOptionsError) as info:
        build_tools(value)
    assert "tools must be a list of functions" in str(info.value)
    assert got in str(info.value)
    assert "tools=[" in str(info.value)


def test_build_tools_refuses_non_callables_and_duplicates() -> None:
    with pytest.raises(InvalidOptionsError, match=r"tools\[1\] is not a function: got int"):
        build_tools([add, 3])
    with pytest.raises(InvalidOptionsError) as info:
        build_tools([add, Tool(add)])
    assert "tools[0] and tools[1] are both named 'add'" in str(info.value)
    assert "tool(fn, name=...)" in str(info.value)
    assert len(build_tools([add, Tool(add, name="add2")])) == 2


def test_build_tools_refuses_lambda() -> None:
    with pytest.raises(InvalidOptionsError, match="not a valid tool name"):
        build_tools([lambda x: x])


# -- the decorator -------------------------------------------------------------------------------


def test_decorator_forms() -> None:
    @tool
    def a(x: int) -> int:
        """A."""
        return x + 1

    @tool()
    def b(x: int) -> int:
        return x + 2

    @tool(name="cee", description="See.")
    def c(x: int) -> int:
        return x + 3

    def d(x: int) -> int:
        return x + 4

    dd = tool(d, name="dee")
    assert all(isinstance(t, Tool) for t in (a, b, c, dd))
    assert (a.name, a.description) == ("a", "A.")
    assert b.name == "b"
    assert (c.name, c.description) == ("cee", "See.")
    assert dd.name == "dee"
    assert (a(1), b(1), c(1), dd(1)) == (2, 3, 4, 5)  # still callable directly
    assert a(x=1) == 2
    assert repr(a) == "Tool(name='a', async=False)"
    assert tool(c, name="renamed").description == "See."


# -- calling -------------------------------------------------------------------------------------


def test_sync_call_runs_in_a_thread_with_defaults() -> None:
    seen: list[int] = []

    def f(a: int, b: int = 2) -> int:
        seen.append(threading.get_ident())
        return a + b

    t = Tool(f)
    assert run(t.call({"a": "3"})) == ToolResult("5")  # coerced, b from the function's default
    assert run(t.call({"a": 3, "b": 4, "unknown": 1})) == ToolResult("7")  # extras ignored
    assert seen[0] != threading.get_ident()


def test_sync_call_does_not_block_the_loop() -> None:
    release = threading.Event()

    def blocking() -> str:
        release.wait(5)
        return "done"

    async def main() -> ToolResult:
        task = asyncio.create_task(Tool(blocking).call({}))
        await asyncio.sleep(0.01)
        release.set()  # runs only if the loop is free
        return await task

    assert run(main()) == ToolResult("done")


def test_async_call() -> None:
    async def fetch(url: str) -> dict[str, str]:
        await asyncio.sleep(0)
        return {"url": url}

    t = Tool(fetch)
    assert t.is_async
    assert repr(t) == "Tool(name='fetch', async=True)"
    assert run(t.call({"url": "u"})) == ToolResult('{"url":"u"}')


def test_arguments_none_or_json_text() -> None:
    def ping() -> str:
        return "pong"

    assert run(Tool(ping).call(None)) == ToolResult("pong")
    assert run(Tool(add).call('{"a": 1}')) == ToolResult("3")  # type: ignore[arg-type]
    assert run(Tool(add).call([1])).is_error  # type: ignore[arg-type]


def test_model_enum_typeddict_dataclass_arguments() -> None:
    got: dict[str, Any] = {}

    def f(p: Point, c: Color, m: Movie, b: Box, t: Tree) -> str:
        got.update(p=p, c=c, m=m, b=b, t=t)
        return "ok"

    args = {
        "p": {"x": 1},
        "c": "blue",
        "m": {"title": "T", "year": "1999"},
        "b": {"width": 2},
        "t": {"value": 1, "children": [{"value": 2}]},
    }
    assert run(Tool(f).call(args)) == ToolResult("ok")
    assert got["p"] == Point(x=1, y=0)
    assert got["c"] is Color.BLUE
    assert got["m"] == {"title": "T", "year": 1999}
    assert got["b"] == Box(width=2.0)
    assert got["t"].children[0] == Tree(value=2)


def test_invalid_arguments_do_not_call() -> None:
    called = []

    def f(a: int, c: Color) -> None:
        called.append(a)

    result = run(Tool(f).call({"a": "many", "c": "green"}))
    assert result.is_error
    assert result.text.startswith("invalid arguments for f: a: Input should be a valid integer")
    assert "c: Input should be 'red' or 'blue'" in result.text
    missing = run(Tool(f).call({}))
    assert missing == ToolResult(
        "invalid arguments for f: a: Field required; c: Field required", is_error=True
    )
    assert called == []


def test_validator_raising_a_type_error_is_an_invalid_argument() -> None:
    def f(p: Picky) -> int:
        return p.v

    assert run(Tool(f).call({"p": {"v": 1}})) == ToolResult("1")
    assert run(Tool(f).call({"p": {"v": 7}})) == ToolResult(
        "invalid arguments for f: sevens are not allowed", is_error=True
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        (None, ""),
        ({"a": [1, 2]}, '{"a":[1,2]}'),
        ([1, "x"], '[1,"x"]'),
        (3.5, "3.5"),
        (Point(x=1), '{"x":1,"y":0}'),
        (Box(width=1.5, label="l"), '{"width":1.5,"label":"l"}'),
        (datetime.date(2024, 1, 2), '"2024-01-02"'),
        (Color.RED, '"red"'),
    ],
)
def test_return_value_encoding(value: Any, text: str) -> None:
    def f() -> Any:
        return value

    assert run(Tool(f).call({})) == ToolResult(text)


def test_unserializable_return_value_falls_back_to_str() -> None:
    def f() -> Unjsonable:
        return Unjsonable()

    assert run(Tool(f).call({})) == ToolResult("a thing")


def test_exception_becomes_error_result() -> None:
    def f(path: str) -> str:
        raise FileNotFoundError(f"no such file: {path}")

    async def g() -> None:
        raise ValueError("bad")

    assert run(Tool(f).call({"path": "x.txt"})) == ToolResult(
        "FileNotFoundError: no such file: x.txt", is_error=True
    )
    assert run(Tool(g).call({})) == ToolResult("ValueError: bad", is_error=True)


def test_exception_message_is_redacted() -> None:
    key = "sk-proj-Ab3dEf5hIj7kLm9nOp1qRs3t"

    def f() -> None:
        raise RuntimeError(f"401 for key {key}")

    result = run(Tool(f).call({}))
    assert result.is_error
    assert key not in result.text
    assert result.text == "RuntimeError: 401 for key [REDACTED]"


def test_cancellation_propagates() -> None:
    async def forever() -> None:
        await asyncio.sleep(60)

    async def main() -> None:
        task = asyncio.create_task(Tool(forever).call({}))
        await asyncio.sleep(0.01)
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        run(main())


def test_base_exceptions_are_not_swallowed() -> None:
    async def stop() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(Tool(stop).call({}))
