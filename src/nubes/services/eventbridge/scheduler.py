"""The scheduler: fires scheduled rules, each tick once, whatever the number of processes.

A tick is claimed in the store: in one write transaction the scheduler moves the rule's
``next_fire`` from the due tick to the following one with a compare-and-set, and writes
the tick's deliveries (one per target) to the outbox. Whoever's update matched the
expected tick fires it; any other process sees the new value and does nothing. A crash
before the commit leaves the tick due, so it is fired after the restart; after the
commit, the outbox delivers it. So each tick fires once, and firing survives restarts.

Ticks missed while no Nubes process ran (AWS never stops, so it has no rule for this):
at most one catch-up. When a rule is found overdue, it fires once for the most recent
missed tick (stamped with that tick's time), and its schedule continues from the next
tick after now; the older missed ticks are skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from nubes.events.bus import EventBus
from nubes.events.claims import ClaimLoop
from nubes.events.event import Event
from nubes.services.eventbridge.models import Rule, Target
from nubes.services.eventbridge.routing import envelope, target_events
from nubes.services.eventbridge.schedule import ScheduleError, parse_schedule
from nubes.services.eventbridge.store import EventsStore

log = logging.getLogger(__name__)

_MAX_CATCH_UP_STEPS = 100_000  # ticks walked to find the latest missed one


class Scheduler:
    def __init__(self, store: EventsStore, bus: EventBus | None, *,
                 clock: Callable[[], float] = time.time, idle_poll_s: float = 1.0) -> None:
        self.store = store
        self.bus = bus
        self.clock = clock
        self.loop: ClaimLoop[int] = ClaimLoop(self._claim, self.store.next_fire,
                                              self._fired, max_in_flight=64,
                                              idle_poll_s=idle_poll_s)

    def start(self) -> None:
        self.loop.start()

    def wake(self) -> None:
        self.loop.wake()

    async def close(self) -> None:
        await self.loop.close()

    def _claim(self, limit: int) -> list[int]:
        try:
            return self.fire_due(limit)
        except Exception:  # a failed pass (a busy store) must not end scheduling
            log.exception("events: firing scheduled rules failed; trying again")
            return []

    def fire_due(self, limit: int, now: float | None = None) -> list[int]:
        """Fire up to ``limit`` due ticks; the ids of the rules fired."""
        now = self.clock() if now is None else now
        fired: list[int] = []
        with self.store.db.transaction() as conn:
            for rule, tick, anchor in self.store.due_rules(conn, now, limit):
                try:
                    schedule = parse_schedule(rule.schedule or "")
                except ScheduleError:
                    self.store.advance(conn, rule.id, tick, None)  # cannot fire: stop
                    continue
                latest = tick
                for _ in range(_MAX_CATCH_UP_STEPS):
                    following = schedule.next_after(latest, anchor)
                    if following is None or following > now:
                        break
                    latest = following
                if not self.store.advance(conn, rule.id, tick,
                                          schedule.next_after(now, anchor)):
                    continue  # claimed by another scheduler
                events = tick_events(rule, latest, self.store.targets(rule.id, conn), now)
                if events and self.bus is not None:
                    self.bus.publish_in(conn, events)
                fired.append(rule.id)
        return fired

    async def _fired(self, rule_id: int) -> None:
        log.debug("events: fired a tick of rule %d", rule_id)


def tick_events(rule: Rule, tick: int, targets: Sequence[Target], now: float) -> list[Event]:
    """The deliveries of one tick of ``rule`` to its targets."""
    event = envelope(source="aws.events", detail_type="Scheduled Event", detail={},
                     account=rule.account, region=rule.region, resources=[rule.arn],
                     moment=tick)
    return target_events(rule, targets, event, now)
