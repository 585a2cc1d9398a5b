"""The worker running queued invocations: claims events in the store, runs them, and
retries failures with Lambda's backoff (twice by default: after 1 and 2 minutes)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from nubes.services.lambda_.event_store import Event, EventStore

log = logging.getLogger(__name__)

THROTTLE_DELAY = 1.0  # a throttled event waits in the queue, not counted as a failure
IDLE_POLL = 1.0  # the store is looked at this often even without a wake-up


class RunResult(StrEnum):
    DONE = "done"
    FAILED = "failed"  # the function erred, timed out or crashed: retry or give up
    THROTTLED = "throttled"  # no concurrency (or not ready): try again soon
    GONE = "gone"  # the function was deleted: drop the event


class EventWorker:
    def __init__(self, events: EventStore, run: Callable[[Event], Awaitable[RunResult]],
                 delays: tuple[float, ...], max_in_flight: int, lease_s: float) -> None:
        self.events = events
        self.run = run
        self.delays = delays
        self.max_in_flight = max_in_flight
        self.lease_s = lease_s
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[Any]] = set()
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start claiming events (idempotent; needs a running event loop)."""
        if self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(self._loop())

    def wake(self) -> None:
        self.start()
        self._wake.set()

    async def close(self) -> None:
        tasks = [t for t in (self._loop_task, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop_task = None

    async def _loop(self) -> None:
        while True:
            while len(self._running) < self.max_in_flight:
                event = self.events.claim(self.lease_s)
                if event is None:
                    break
                task = asyncio.get_running_loop().create_task(self._one(event))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self._idle_wait())
            except TimeoutError:
                pass

    def _idle_wait(self) -> float:
        due = self.events.next_due()
        if due is None:
            return IDLE_POLL
        return min(IDLE_POLL, max(0.01, due - time.time()))

    async def _one(self, event: Event) -> None:
        try:
            result = await self.run(event)
        except Exception:
            log.exception("lambda: event %s failed to run", event.request_id)
            result = RunResult.FAILED
        if result in (RunResult.DONE, RunResult.GONE):
            self.events.done(event)
        elif result is RunResult.THROTTLED:
            self.events.retry(event, THROTTLE_DELAY, failed=False)
        elif event.attempts < len(self.delays):
            self.events.retry(event, self.delays[event.attempts], failed=True)
        else:
            log.warning("lambda: event %s failed %d times; discarded", event.request_id,
                        event.attempts + 1)
            self.events.done(event)
        self._wake.set()
