"""``sys.exit()``, Ctrl-C or a forgotten ``await`` in the user's code inside a run, with the real CLIs.

asyncio re-raises ``SystemExit`` and ``KeyboardInterrupt`` out of a task into its loop: raised
by ``on_permission`` or a tool inside oauthpy's private loop, they used to kill that loop, and
the sync ``run()`` never returned, whatever its ``timeout``. Now the run ends at once, its
processes stopped, and the caller gets the user's own exception back, as it is, from the sync
and the async methods alike.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from oauthpy import EventKind, PermissionRequest, TimeoutExceededError
from oauthpy.testing import call_tool, text
from tests.support import Rig, assert_no_leftovers, open_rig, shell_step

#: from the user's code raising to the caller getting it back, well below the run's timeout: a
#: hang would take the whole timeout (or forever). Measured from the raise, not from the call:
#: the agent's start before it takes 20 s and more on a loaded 2-core machine
PROMPT_S = 20.0


def since(raised_at: list[float]) -> float:
    """Seconds since the user's code raised (it appended the time), which it must have."""
    assert raised_at, "the user's code never ran"
    return time.monotonic() - raised_at[0]


@pytest.fixture(params=["codex", "claude"])
def rig2(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    with open_rig(request.param, tmp_path) as r:
        yield r
        assert_no_leftovers(r.env, within_s=5.0)


@pytest.fixture(params=["codex", "claude", pytest.param("gemini", marks=pytest.mark.xdist_group("gemini"))])
def rig3(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    """Each provider that serves tools (gemini on ACP, which a run with tools gets)."""
    with open_rig(request.param, tmp_path) as r:
        yield r
        assert_no_leftovers(r.env, within_s=5.0)


def users_exit(exc: BaseException) -> BaseException:
    """The user's own exception, which the caller must get as it is (not wrapped)."""
    assert isinstance(exc, (SystemExit, KeyboardInterrupt)), f"wrapped: {exc!r}"
    return exc


@pytest.mark.parametrize("raised", [SystemExit(3), KeyboardInterrupt()], ids=["sys.exit", "ctrl-c"])
def test_an_exit_in_on_permission_ends_the_run_at_once_with_the_users_exception(
    rig2: Rig, raised: BaseException
) -> None:
    rig2.fake.script(shell_step(rig2.provider, "touch never.txt"), text("not reached"))

    raised_at: list[float] = []

    def leave(request: PermissionRequest) -> bool:
        raised_at.append(time.monotonic())
        raise raised

    with pytest.raises(BaseException) as caught:
        rig2.run("make the file", on_permission=leave, timeout=120)
    assert since(raised_at) < PROMPT_S
    assert users_exit(caught.value) is raised
    assert not (rig2.work / "never.txt").exists()
    # oauthpy's loop survived: the next run works
    rig2.fake.script(text("Still here."))
    assert rig2.run("hi").text == "Still here."


def test_an_async_on_permission_that_exits_ends_the_run_too(rig2: Rig) -> None:
    rig2.fake.script(shell_step(rig2.provider, "touch never.txt"), text("not reached"))

    raised_at: list[float] = []

    async def leave(request: PermissionRequest) -> bool:
        raised_at.append(time.monotonic())
        sys.exit(4)

    with pytest.raises(BaseException) as caught:
        rig2.run("make the file", on_permission=leave, timeout=120)
    assert since(raised_at) < PROMPT_S
    assert isinstance(users_exit(caught.value), SystemExit) and users_exit(caught.value).code == 4  # type: ignore[attr-defined]
    assert not (rig2.work / "never.txt").exists()


def test_an_exit_in_on_permission_reaches_an_async_caller_as_it_is(rig2: Rig) -> None:
    rig2.fake.script(shell_step(rig2.provider, "touch never.txt"), text("not reached"))
    raised = SystemExit(5)

    def leave(request: PermissionRequest) -> bool:
        raise raised

    async def main() -> None:
        await rig2.client().arun(
            "make the file", cwd=rig2.work, model=rig2.model, on_permission=leave, timeout=120
        )

    with pytest.raises(SystemExit) as caught:
        asyncio.run(main())
    assert caught.value is raised
    assert not (rig2.work / "never.txt").exists()


def quitter(raised: BaseException, raised_at: list[float] | None = None) -> Callable[[str], str]:
    """A tool that raises ``raised`` (as ``sys.exit()`` would), so the test can check identity;
    it appends the time it raised to ``raised_at``."""

    def quit_now(reason: str) -> str:
        """Stop everything."""
        if raised_at is not None:
            raised_at.append(time.monotonic())
        raise raised

    return quit_now


def test_a_tool_that_exits_ends_the_run_at_once_with_the_users_exception(rig3: Rig) -> None:
    rig3.fake.script(call_tool("quit_now", {"reason": "done"}), text("not reached"))
    raised, raised_at = SystemExit("quit: done"), list[float]()
    with pytest.raises(BaseException) as caught:
        rig3.run("quit", tools=[quitter(raised, raised_at)], timeout=120)
    assert since(raised_at) < PROMPT_S
    assert users_exit(caught.value) is raised
    # the run's agent was stopped with it (the tool's endpoint too, for gemini)
    assert_no_leftovers(rig3.env, within_s=5.0)
    rig3.fake.script(text("Still here."))
    assert rig3.run("hi").text == "Still here."


def test_a_tool_that_exits_inside_with_client_leaves_the_client_working(rig3: Rig) -> None:
    """The agent the tool's run was on is not given back to the warm pool half-way through a
    turn: the client's next run gets a working one."""
    raised, raised_at = SystemExit(7), list[float]()
    with rig3.client() as client:
        rig3.fake.script(call_tool("quit_now", {"reason": "done"}), text("not reached"))
        with pytest.raises(BaseException) as caught:
            client.run(
                "quit", cwd=rig3.work, model=rig3.model, tools=[quitter(raised, raised_at)], timeout=120
            )
        assert since(raised_at) < PROMPT_S
        assert users_exit(caught.value) is raised
        rig3.fake.script(call_tool("add", {"a": 2, "b": 40}), text("Still here."))
        result = client.run("hi", cwd=rig3.work, model=rig3.model, tools=[add], timeout=60)
        assert result.text == "Still here."
        assert [e.output for e in result.events if e.kind is EventKind.TOOL and e.status == "completed"] == [
            "42"
        ]


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def test_a_sync_callback_that_returns_a_coroutine_is_awaited_within_the_timeout(rig2: Rig) -> None:
    rig2.fake.script(shell_step(rig2.provider, "touch never.txt"), text("not reached"))

    async def never() -> bool:
        await asyncio.Event().wait()
        return True

    started = time.monotonic()
    with pytest.raises(TimeoutExceededError, match="total timeout"):
        rig2.run("make the file", on_permission=lambda r: never(), timeout=15)
    assert time.monotonic() - started < 15 + PROMPT_S / 2
    assert not (rig2.work / "never.txt").exists()


def test_a_sync_callback_that_returns_a_coroutine_gets_its_answer(rig2: Rig) -> None:
    rig2.fake.script(shell_step(rig2.provider, "touch notes.txt"), text("Done."))

    async def later(request: PermissionRequest) -> bool:
        await asyncio.sleep(0)
        return True

    result = rig2.run("make the file", on_permission=lambda r: later(r), provider_options=rig2.write_options)
    assert result.text == "Done." and (rig2.work / "notes.txt").exists()


def test_a_tool_that_exits_in_a_session_ends_the_turn_and_the_session_goes_on(rig3: Rig) -> None:
    raised, raised_at = KeyboardInterrupt(), list[float]()
    rig3.fake.script(call_tool("quit_now", {"reason": "done"}), text("not reached"))
    with rig3.client().session(
        cwd=rig3.work, model=rig3.model, timeout=120, tools=[quitter(raised, raised_at), add]
    ) as session:
        with pytest.raises(BaseException) as caught:
            session.run("quit")
        assert since(raised_at) < PROMPT_S
        assert users_exit(caught.value) is raised
        rig3.fake.script(call_tool("add", {"a": 1, "b": 2}), text("It is 3."))
        assert session.run("add").text == "It is 3."
