"""The EventBridge provider: the operation groups assembled into one class, and the
scheduler that fires its scheduled rules (started with the server)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from nubes.events.bus import EventBus
from nubes.services.base import Provider
from nubes.services.eventbridge.buses import BusOps
from nubes.services.eventbridge.core import EventsCore
from nubes.services.eventbridge.permissions import PermissionOps
from nubes.services.eventbridge.putevents import PutEventsOps
from nubes.services.eventbridge.rules import RuleOps
from nubes.services.eventbridge.scheduler import Scheduler
from nubes.services.eventbridge.store import EventsStore
from nubes.services.eventbridge.targets import TargetOps


class EventBridgeProvider(BusOps, PermissionOps, RuleOps, TargetOps, PutEventsOps,
                          Provider):
    service_name: ClassVar[str] = "events"

    def __init__(self, store: EventsStore, bus: EventBus | None = None, *,
                 clock: Callable[[], float] = time.time, idle_poll_s: float = 1.0) -> None:
        Provider.__init__(self)
        EventsCore.__init__(self, store, bus, clock)
        self.scheduler = Scheduler(store, bus, clock=clock, idle_poll_s=idle_poll_s)

    def schedule_changed(self) -> None:
        self.scheduler.wake()

    async def start(self) -> None:
        self.scheduler.start()

    async def aclose(self) -> None:
        await self.scheduler.close()
