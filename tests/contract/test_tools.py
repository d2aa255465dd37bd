"""``tools``: each real CLI calls the user's Python functions, against the fakes.

``call_tool`` makes a fake model call a tool by the user's name, whatever name the vendor gave it
(codex: as given; claude: ``mcp__oauthpy__<name>``; gemini: ``mcp_oauthpy_<name>``).
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from pydantic import BaseModel

from oauthpy import EventKind, PermissionRequest, _mcp_tools, tool
from oauthpy.testing import call_tool, text
from tests.support import Rig, shell_step


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


async def shout(word: str) -> str:
    """Say a word louder."""
    await asyncio.sleep(0)
    return word.upper() + "!"


class Point(BaseModel):
    x: int
    y: int


def norm(point: Point) -> dict[str, int]:
    """The L1 norm of a point."""
    assert isinstance(point, Point)  # the model's JSON arrived as the pydantic model
    return {"norm": abs(point.x) + abs(point.y)}


@tool(name="explode", description="Always fails.")
def failing(reason: str) -> str:
    raise RuntimeError(f"exploded because {reason}")


def tool_events(result: object) -> list[object]:
    return [e for e in result.events if e.kind is EventKind.TOOL]  # type: ignore[attr-defined]


@pytest.mark.warm_agent
def test_sync_async_failing_and_pydantic_tools_are_called_and_their_results_reach_the_model(rig: Rig) -> None:
    rig.fake.script(
        call_tool("add", {"a": 2, "b": 40}),
        call_tool("shout", {"word": "hey"}),
        call_tool("explode", {"reason": "testing"}),
        call_tool("norm", {"point": {"x": 3, "y": -4}}),
        text("All done."),
    )
    result = rig.run("use the tools", tools=[add, shout, failing, norm])

    assert result.text == "All done."
    finished = [e for e in tool_events(result) if e.status != "in_progress"]
    assert [(e.tool_name, e.output, e.is_error) for e in finished] == [
        ("add", "42", False),
        ("shout", "HEY!", False),
        ("explode", "RuntimeError: exploded because testing", True),
        ("norm", '{"norm":7}', False),
    ]
    started = [e for e in tool_events(result) if e.status == "in_progress"]
    assert [e.tool_input for e in started] == [
        {"a": 2, "b": 40},
        {"word": "hey"},
        {"reason": "testing"},
        {"point": {"x": 3, "y": -4}},
    ]
    bodies = rig.model_bodies()
    # each result is in the model's next request, the failure as the exception's message
    assert "42" in bodies[1] and "HEY!" in bodies[2]
    assert "exploded because testing" in bodies[3] and "norm" in bodies[4]


@pytest.mark.warm_agent
def test_the_model_sees_each_tool_directly_with_its_description_and_schema(rig: Rig) -> None:
    rig.fake.script(text("Nothing to do."))
    rig.run("hi", tools=[add])
    first = json.loads(rig.model_bodies()[0])
    declared = json.dumps(first)
    assert "Add two integers." in declared
    # the tool is in the request's own tool list (not behind a tool-search step), with its schema
    names = rig.fake.declared_tools(rig.fake.model_requests()[-1])
    assert any(n == "add" or n.endswith(("_add", "-add")) for n in names)
    assert '"a"' in declared and "integer" in declared.lower()


@pytest.mark.warm_agent
def test_the_users_tools_never_reach_on_permission(rig: Rig) -> None:
    rig.fake.script(call_tool("add", {"a": 1, "b": 1}), text("Two."))
    asked: list[PermissionRequest] = []
    result = rig.run("add", tools=[add], on_permission=lambda r: asked.append(r) or False)
    assert result.text == "Two." and asked == []
    assert [e.output for e in tool_events(result) if e.status == "completed"] == ["2"]


@pytest.mark.warm_agent
def test_tools_and_permissions_in_a_multi_turn_session(rig: Rig) -> None:
    rig.fake.script(
        call_tool("add", {"a": 20, "b": 22}),
        text("It is 42."),
        shell_step(rig.provider, "touch turn2.txt"),
        call_tool("add", {"a": 1, "b": 2}),
        text("Made it; and 3."),
    )
    asked: list[str | None] = []

    def allow(request: PermissionRequest) -> bool:
        asked.append(request.command)
        return True

    with rig.client().session(
        cwd=rig.work,
        model=rig.model,
        timeout=60,
        tools=[add],
        on_permission=allow,
        provider_options=rig.write_options,
    ) as session:
        first = session.run("add them")
        second = session.run("make a file, then add again")

    assert first.text == "It is 42." and second.text == "Made it; and 3."
    assert (rig.work / "turn2.txt").exists() and asked == ["touch turn2.txt"]
    assert [e.output for e in tool_events(second) if e.status == "completed"] == ["3"]
    assert second.session_id == first.session_id


def test_a_tools_run_inside_with_client_does_not_wait_for_the_warm_agents_connection(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The warm agent keeps its connection to the run's tool endpoint open past the run; closing
    # the endpoint waited for it until its bound (10 s a run on gemini and OpenCode). With the
    # bound made long, such a wait would outlast the test's own bound.
    monkeypatch.setattr(_mcp_tools, "_SERVE_WAIT_S", 600.0)
    rig.fake.script(call_tool("add", {"a": 1, "b": 2}), text("Three."))
    with rig.client() as client:
        started = time.monotonic()
        result = client.run("add", cwd=rig.work, model=rig.model, tools=[add], timeout=60)
        took = time.monotonic() - started
    assert result.text == "Three." and took < 60
