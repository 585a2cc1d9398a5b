"""A worker loop over work claimed from the store with leases: the shape both the event
bus's delivery and Lambda's queued invocations share.

It claims as much work as it has room for, runs each claim as a task (at most
``max_in_flight`` at once), then sleeps until woken or until the store says the next
claim is due. Claims live in the store, so any number of processes may run this loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ClaimLoop(Generic[T]):
    def __init__(
        self,
        claim: Callable[[int], list[T]],  # claim up to n items (leases taken in the store)
        next_due: Callable[[], float | None],  # epoch seconds of the next claimable item
        handle: Callable[[T], Coroutine[Any, Any, None]],
        *,
        max_in_flight: int,
        idle_poll_s: float,
    ) -> None:
        self._claim = claim
        self._next_due = next_due
        self._handle = handle
        self.max_in_flight = max_in_flight
        self.idle_poll_s = idle_poll_s
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start claiming (idempotent; needs a running event loop)."""
        if self._loop_task is None:
            self._loop = asyncio.get_running_loop()
            self._loop_task = self._loop.create_task(self._run())

    def wake(self) -> None:
        """Look at the store soon (safe from any thread; a no-op before ``start``)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def poke(self) -> None:
        """Look at the store soon; from the loop's own thread."""
        self._wake.set()

    async def close(self) -> None:
        tasks = [t for t in (self._loop_task, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            room = self.max_in_flight - len(self._running)
            if room > 0:
                for item in self._claim(room):
                    task = loop.create_task(self._handle(item))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self._idle_wait())
            except TimeoutError:
                pass

    def _idle_wait(self) -> float:
        due = self._next_due()
        if due is None:
            return self.idle_poll_s
        return min(self.idle_poll_s, max(0.01, due - time.time()))
