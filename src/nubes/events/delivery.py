"""The delivery worker: claims outbox rows with leases in the store, hands each event to
its target, deletes it once delivered, and retries failures with exponential backoff."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nubes.events.event import DeliveryResult, Event
from nubes.events.outbox import Outbox, Pending

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryOptions:
    lease_s: float = 60.0  # a worker that died holding an event frees it after this
    first_delay_s: float = 1.0  # after the first failure; doubled after each next one
    max_delay_s: float = 300.0
    max_attempts: int = 20  # then the event is dropped, with a warning
    max_in_flight: int = 64
    idle_poll_s: float = 1.0  # the store is looked at this often without a wake-up

    def delay(self, attempts: int) -> float:
        """The wait before the next attempt, after ``attempts`` failed ones (>= 1)."""
        return float(min(self.max_delay_s, self.first_delay_s * 2 ** (attempts - 1)))


class DeliveryWorker:
    def __init__(self, outbox: Outbox, deliver: Callable[[Event], Awaitable[DeliveryResult]],
                 options: DeliveryOptions) -> None:
        self.outbox = outbox
        self.deliver = deliver
        self.options = options
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._loop_task: asyncio.Task[None] | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop_task is None:
            self._loop = loop
            self._loop_task = loop.create_task(self._run())

    def wake(self) -> None:
        """Look at the outbox soon (safe from any thread; a no-op before ``start``)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def close(self) -> None:
        tasks = [t for t in (self._loop_task, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None

    async def _run(self) -> None:
        while True:
            room = self.options.max_in_flight - len(self._running)
            if room > 0:
                for pending in self.outbox.claim(self.options.lease_s, room):
                    task = asyncio.get_running_loop().create_task(self._one(pending))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self._idle_wait())
            except TimeoutError:
                pass

    def _idle_wait(self) -> float:
        due = self.outbox.next_due()
        if due is None:
            return self.options.idle_poll_s
        return min(self.options.idle_poll_s, max(0.01, due - time.time()))

    async def _one(self, pending: Pending) -> None:
        event = pending.event
        try:
            result = await self.deliver(event)
        except Exception:
            log.exception("events: delivering %s to %s failed", event.detail_type,
                          event.destination)
            result = DeliveryResult.RETRY
        if result is DeliveryResult.RETRY:
            attempts = pending.attempts + 1
            if attempts < self.options.max_attempts:
                self.outbox.retry(pending, self.options.delay(attempts))
                self._wake.set()
                return
            log.warning("events: %s to %s failed %d times; dropped", event.detail_type,
                        event.destination, attempts)
        elif result is DeliveryResult.GONE:
            log.warning("events: %s no longer takes events from %s; dropped",
                        event.destination, event.source_arn)
        self.outbox.done(pending)
        self._wake.set()
