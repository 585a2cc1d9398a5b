"""Long polling's wake-ups: a send wakes a waiting receive at once, not at the re-check."""

from __future__ import annotations

import asyncio

from nubes.services.sqs.waiters import Waiters


def test_notify_wakes_a_waiter_long_before_its_recheck() -> None:
    async def scenario() -> bool:
        waiters = Waiters(recheck_s=3600)
        waiting = asyncio.ensure_future(waiters.wait(7, 3600))
        await asyncio.sleep(0)
        waiters.notify(8)  # another queue's send does not wake it
        await asyncio.sleep(0)
        assert not waiting.done()
        waiters.notify(7)
        await asyncio.wait_for(waiting, 10)  # the guard only fails a hung test
        return waiting.done()

    assert asyncio.run(scenario())
