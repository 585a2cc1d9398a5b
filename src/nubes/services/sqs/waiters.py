"""Long polling's wake-ups: an asyncio event per queue, set by sends in this process.

A waiter also wakes on its own every ``recheck_s`` to look at the store again, so
messages sent by another process, and delayed or leased messages becoming visible, are
seen without a wake-up. Nothing here is needed for correctness; it only saves waiting.
"""

from __future__ import annotations

import asyncio

from nubes.waiting import wait_set


class Waiters:
    """Events keyed by queue id; ``notify`` wakes every receive waiting on a queue."""

    def __init__(self, recheck_s: float = 1.0) -> None:
        self.recheck_s = recheck_s
        self._events: dict[int, asyncio.Event] = {}

    def notify(self, queue_id: int) -> None:
        event = self._events.pop(queue_id, None)
        if event is not None:
            event.set()

    async def wait(self, queue_id: int, timeout_s: float) -> None:
        """Return when a message is sent to the queue, or after at most ``timeout_s``."""
        event = self._events.setdefault(queue_id, asyncio.Event())
        await wait_set(event, min(timeout_s, self.recheck_s))
