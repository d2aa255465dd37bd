"""What the tests of oauthpy._tools share (test_tools_schemas.py, test_tools_building.py,
test_tools_calling.py): a documented function, the types its parameters may take, and ``run``."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from typing import Any

import pydantic
from typing_extensions import TypedDict


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


def run(coro: Any) -> Any:
    return asyncio.run(coro)
