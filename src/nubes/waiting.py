"""Waiting on an ``asyncio.Event`` with a timeout, without losing a cancellation.

``asyncio.wait_for(event.wait(), t)`` on Python 3.11 can swallow a cancellation that
arrives as the event is set (CPython gh-86296): a loop awaiting it in ``while True`` then
never stops, and whoever cancelled it waits forever. ``asyncio.timeout`` tells its own
expiry from an outside cancellation, so the loops of Nubes wait through this instead.
"""

from __future__ import annotations

import asyncio


async def wait_set(event: asyncio.Event, timeout_s: float) -> bool:
    """Wait until ``event`` is set or ``timeout_s`` passes; whether it was set."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return event.is_set()
    return True
