"""The bounded waits every teardown and request is built on (`oauthpy._teardown.within`)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from oauthpy._teardown import within
from tests.support import failed_by_the_agents_exit


def _unretrieved(when: str) -> list[dict[str, Any]]:
    reported: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: reported.append(context))
        began = asyncio.Event()
        if when == "timeout":
            with pytest.raises(asyncio.TimeoutError):
                await within(failed_by_the_agents_exit(began), 0.01)
        else:
            waiting = asyncio.ensure_future(within(failed_by_the_agents_exit(began), 60))
            await began.wait()
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
        for _ in range(3):  # the abandoned task's end and its callbacks
            await asyncio.sleep(0)
        gc.collect()  # a task whose error nobody read reports it when collected

    asyncio.run(main())
    return reported


@pytest.mark.parametrize("when", ["timeout", "cancel"])
def test_an_abandoned_wait_that_ends_in_an_error_is_not_reported_as_never_retrieved(when: str):
    assert [c.get("message") for c in _unretrieved(when)] == []
