"""oauthpy._tools: Python functions as agent tools: calling them (validation of the arguments,
sync in a thread and async, the return value's encoding, exceptions, cancellation)."""

from __future__ import annotations

import asyncio
import datetime
import threading
from typing import Any

import pydantic
import pytest

from oauthpy._tools import Tool, ToolResult
from tests.features.tool_cases import Box, Color, Movie, Point, Tree, add, run

pytestmark = pytest.mark.fast


class Picky(pydantic.BaseModel):
    v: int

    @pydantic.field_validator("v")
    @classmethod
    def no_sevens(cls, v: int) -> int:
        if v == 7:
            raise TypeError("sevens are not allowed")
        return v


class Unjsonable:
    def __str__(self) -> str:
        return "a thing"


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
