"""oauthpy._tools: Python functions as agent tools: the schema of a function's parameters, and
its description (from the docstring, its Args section, or given)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Optional

import pydantic
import pytest

from oauthpy._tools import Tool, ToolResult
from tests.features.tool_cases import Box, Color, Movie, Point, Tree, add, run

pytestmark = pytest.mark.fast


class Outer(pydantic.BaseModel):
    points: list[Point]
    color: Optional[Color] = None  # noqa: UP045


def schema_of(fn: Any) -> dict[str, Any]:
    return Tool(fn).input_schema


def prop(fn: Any) -> dict[str, Any]:
    """The schema of ``fn``'s only parameter ``v``."""
    v: dict[str, Any] = schema_of(fn)["properties"]["v"]
    return v


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
