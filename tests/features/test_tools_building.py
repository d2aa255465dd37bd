"""oauthpy._tools: Python functions as agent tools: the refusals of what cannot be one,
``build_tools`` and the ``tool`` decorator."""

from __future__ import annotations

import functools
import socket
from typing import Any

import pydantic
import pytest

from oauthpy._errors import InvalidOptionsError
from oauthpy._tools import TOOL_NAME_RE, Tool, ToolResult, build_tools, tool
from tests.features.tool_cases import Point, add, run

pytestmark = pytest.mark.fast


class Opaque:
    pass


def refusal(fn: Any, **kw: Any) -> str:
    with pytest.raises(InvalidOptionsError) as info:
        Tool(fn, **kw)
    return str(info.value)


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
