"""An ACP turn let go while its ``session/prompt`` is still waiting (`PromptTurn.close`): the
request is cancelled, and an error it still ends with is not logged as never retrieved (seen in
CI: a cancel storm against OpenCode, whose exit failed the request as the cancel landed)."""

from __future__ import annotations

import asyncio
import gc
from types import SimpleNamespace
from typing import Any

import pytest

from oauthpy._transports.acp.prompt_turn import PromptTurn
from oauthpy._transports.live_turn import TurnEnd
from tests.support import failed_by_the_agents_exit

pytestmark = pytest.mark.fast


def test_closing_a_turn_whose_prompt_fails_as_it_is_cancelled_logs_nothing():
    reported: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: reported.append(context))
        sub = SimpleNamespace(close=lambda: None)
        agent: Any = SimpleNamespace(conn=SimpleNamespace(subscribe=lambda sid: sub))
        turn = PromptTurn(agent, "sid", None, TurnEnd(), None, None)  # type: ignore[arg-type]
        began = asyncio.Event()
        prompt = asyncio.ensure_future(failed_by_the_agents_exit(began))
        turn._prompt = prompt
        await began.wait()
        turn.close()
        await asyncio.wait((prompt,))
        ended_in_error = not prompt.cancelled()  # asked without marking its error seen
        del prompt, turn
        for _ in range(3):  # the done callbacks
            await asyncio.sleep(0)
        gc.collect()

        assert ended_in_error  # the case under test: the agent's error won over the cancel

    asyncio.run(main())
    assert [c.get("message") for c in reported] == []
