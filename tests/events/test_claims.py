"""The claim loop stops when closed, even when woken at the same moment."""

from __future__ import annotations

import asyncio

from nubes.events.claims import ClaimLoop


async def _nothing(item: int) -> None:
    return None


def test_close_right_after_a_wake_stops_the_loop() -> None:
    """A wake-up and a cancellation in one turn of the event loop: ``asyncio.wait_for``
    on Python 3.11 lost the cancellation there, and ``close`` waited forever."""

    async def run() -> int:
        stopped = 0
        for _ in range(10):
            loop: ClaimLoop[int] = ClaimLoop(lambda room: [], lambda: None, _nothing,
                                             max_in_flight=1, idle_poll_s=1.0)
            loop.start()
            for _ in range(3):
                await asyncio.sleep(0)  # the loop is waiting for work
            loop.poke()
            try:
                await asyncio.wait_for(loop.close(), 5.0)
                stopped += 1
            except TimeoutError:
                pass
        return stopped

    assert asyncio.run(run()) == 10
