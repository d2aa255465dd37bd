"""Stand-in agents for the pool's tests: the pool's rules without a process."""

from __future__ import annotations

import asyncio


class StandIn:
    """An `Agent` that only records whether it was closed."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False
        self.dead = False

    @property
    def usable(self) -> bool:
        return not self.closed and not self.dead

    async def aclose(self) -> None:
        self.closed = True

    def kill_now(self) -> None:
        self.closed = True


class Starts:
    """``start()`` for the pool: a new stand-in each call, after a turn of the loop (a real
    start awaits its process), so that workers asking at once overlap it."""

    def __init__(self) -> None:
        self.made: list[StandIn] = []
        self.fail_next = False

    async def __call__(self) -> StandIn:
        await asyncio.sleep(0)
        if self.fail_next:
            self.fail_next = False
            raise OSError("the agent did not start")
        self.made.append(StandIn(len(self.made)))
        return self.made[-1]
