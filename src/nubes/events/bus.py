"""The event bus: services publish events, the bus delivers them to targets.

Publishing writes to the outbox (``outbox.py``), inside the publisher's own transaction
when it has one (``publish_in``), so an event exists exactly when the change it reports
was committed. The ``DeliveryWorker`` (``delivery.py``) claims outbox rows with leases in
the store and hands each event to the ``Target`` registered for its destination's
service (an ARN's service: ``sqs``, ``lambda``). Nothing correct depends on this process:
another process sharing the store delivers what this one leaves.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable

from nubes.events import outbox
from nubes.events.delivery import DeliveryOptions, DeliveryWorker
from nubes.events.event import Access, DeliveryResult, Event, Target, arn_service
from nubes.storage.sqlite import Database

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self, db: Database, options: DeliveryOptions | None = None) -> None:
        self.outbox = outbox.Outbox(db)
        self._targets: dict[str, Target] = {}
        self.worker = DeliveryWorker(self.outbox, self.deliver, options or DeliveryOptions())

    def register(self, service: str, target: Target) -> None:
        """Deliver events whose destination is an ARN of ``service`` through ``target``."""
        self._targets[service] = target

    # -- publishing ---------------------------------------------------------------------

    def publish(self, *events: Event) -> None:
        """Publish events in a transaction of their own."""
        if events and self.outbox.add(events):
            self.worker.wake()

    def publish_in(self, conn: sqlite3.Connection, events: Iterable[Event]) -> None:
        """Publish events inside the caller's open write transaction on the store."""
        if outbox.add(conn, events):
            self.worker.wake()  # the worker runs later on the loop, after the commit

    # -- destinations -------------------------------------------------------------------

    def check(self, destination: str, principal: str, source_arn: str, source_account: str
              ) -> Access:
        """Whether events from ``source_arn`` can be delivered to ``destination``."""
        target = self._targets.get(arn_service(destination))
        if target is None:
            return Access.MISSING
        return target.check(destination, principal, source_arn, source_account)

    async def deliver(self, event: Event) -> DeliveryResult:
        target = self._targets.get(arn_service(event.destination))
        if target is None:
            log.warning("events: no target for %s; event dropped", event.destination)
            return DeliveryResult.GONE
        return await target.deliver(event)

    # -- lifetime -----------------------------------------------------------------------

    def start(self) -> None:
        """Start delivering (needs the running event loop)."""
        self.worker.start()

    async def close(self) -> None:
        await self.worker.close()
