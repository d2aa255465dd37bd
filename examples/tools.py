"""Give the agent your own Python functions as tools (``tools=``).

A plain function with type hints and a docstring is a tool: its name, its docstring's first
paragraph and a JSON schema of its parameters are what the model sees. Sync and async both work;
an exception becomes an error result the model reads. Runs offline by default: the real codex
CLI against oauthpy's fake model, scripted with ``call_tool`` to call them. ``--live`` uses your
own codex login.

    python examples/tools.py [--live]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from typing import Literal

from oauthpy import Client, EventKind, tool
from oauthpy.testing import FakeResponsesServer, call_tool, text

STOCK = {"apple": 12, "pear": 0}


def stock_level(item: str) -> int:
    """How many of ``item`` are in stock."""
    if item not in STOCK:
        raise KeyError(f"no such item: {item}")
    return STOCK[item]


@tool(description="Order more of an item from a supplier.")
async def reorder(item: str, amount: int, speed: Literal["normal", "express"] = "normal") -> str:
    await asyncio.sleep(0)  # an HTTP call to the supplier, say
    return f"ordered {amount} x {item} ({speed})"


def run(env: dict[str, str] | None, cwd: str) -> None:
    client = Client("codex", auth_source="external" if env else "auto", env=env)
    result = client.run(
        "Check the stock of apples, pears and plums, and reorder what is out.",
        cwd=cwd,
        timeout=120,
        tools=[stock_level, reorder],
    )
    for event in result.events:
        if event.kind is EventKind.TOOL and event.status != "in_progress":
            mark = "error" if event.is_error else "ok"
            print(f"{event.tool_name}({event.tool_input}) -> {event.output}  [{mark}]")
    print("answer:", result.text)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as home:
        if "--live" in sys.argv:
            run(None, tmp)
            return
        with FakeResponsesServer() as fake:
            fake.script(
                call_tool("stock_level", {"item": "apple"}),
                call_tool("stock_level", {"item": "pear"}),
                call_tool("stock_level", {"item": "plum"}),
                call_tool("reorder", {"item": "pear", "amount": 20, "speed": "express"}),
                text("Apples: 12. Pears were out: 20 ordered, express. Plums are not a stock item."),
            )
            run(fake.env(home), tmp)


if __name__ == "__main__":
    main()
