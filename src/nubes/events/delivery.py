"""The delivery worker: claims outbox rows with leases in the store, hands each event to
its target, deletes it once delivered, and retries failures with exponential backoff."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nubes.events.claims import ClaimLoop
from nubes.events.event import DeliveryResult, Event
from nubes.events.outbox import Outbox, Pending

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryOptions:
    lease_s: float = 15.0  # renewed while delivering: a dead worker's events free after this
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
        self.claims = ClaimLoop(
            lambda room: outbox.claim(options.lease_s, room), outbox.next_due, self._one,
            max_in_flight=options.max_in_flight, idle_poll_s=options.idle_poll_s,
            renew=lambda held: outbox.renew(held, options.lease_s),
            renew_every_s=options.lease_s / 3)

    def start(self) -> None:
        self.claims.start()

    def wake(self) -> None:
        """Look at the outbox soon (safe from any thread; a no-op before ``start``)."""
        self.claims.wake()

    async def close(self) -> None:
        await self.claims.close()

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
                self.claims.poke()
                return
            log.warning("events: %s to %s failed %d times; dropped", event.detail_type,
                        event.destination, attempts)
        elif result is DeliveryResult.GONE:
            log.warning("events: %s no longer takes events from %s; dropped",
                        event.destination, event.source_arn)
        self.outbox.done(pending)
        self.claims.poke()
