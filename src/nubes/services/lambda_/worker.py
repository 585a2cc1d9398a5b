"""The worker running queued invocations: claims events in the store, runs them, and
retries failures with Lambda's backoff (after 1 and 2 minutes by default). Whether a
failure is retried is the runner's to say (the function's MaximumRetryAttempts and
MaximumEventAgeInSeconds); the worker only spaces the retries and caps them at AWS's
maximum of two."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

from nubes.events.claims import ClaimLoop
from nubes.services.lambda_.event_store import Event, EventStore

log = logging.getLogger(__name__)

THROTTLE_DELAY = 1.0  # a throttled event waits in the queue, not counted as a failure
IDLE_POLL = 1.0  # the store is looked at this often even without a wake-up
MAX_RETRIES = 2  # AWS's largest MaximumRetryAttempts


class RunResult(StrEnum):
    DONE = "done"  # finished: succeeded, or failed for good (its records sent)
    FAILED = "failed"  # the function erred, timed out or crashed: retry it
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
        self.claims = ClaimLoop(self._claim, events.next_due, self._one,
                                max_in_flight=max_in_flight, idle_poll_s=IDLE_POLL,
                                renew=lambda held: events.renew(held, lease_s),
                                renew_every_s=lease_s / 3)

    def start(self) -> None:
        """Start claiming events (idempotent; needs a running event loop)."""
        self.claims.start()

    def wake(self) -> None:
        self.claims.start()
        self.claims.poke()

    async def close(self) -> None:
        await self.claims.close()

    def delay(self, attempts: int) -> float:
        """The wait before the retry that follows ``attempts`` failed runs (>= 0)."""
        if not self.delays:
            return 0.0
        return self.delays[min(attempts, len(self.delays) - 1)]

    def _claim(self, room: int) -> list[Event]:
        claimed: list[Event] = []
        while len(claimed) < room:
            event = self.events.claim(self.lease_s)
            if event is None:
                break
            claimed.append(event)
        return claimed

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
        elif event.attempts < MAX_RETRIES:
            self.events.retry(event, self.delay(event.attempts), failed=True)
        else:
            log.warning("lambda: event %s failed %d times; discarded", event.request_id,
                        event.attempts + 1)
            self.events.done(event)
        self.claims.poke()
