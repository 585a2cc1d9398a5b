"""The outbox and its delivery worker at store level: leases, retries, restarts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from nubes.events.bus import EventBus
from nubes.events.delivery import DeliveryOptions
from nubes.events.event import Access, DeliveryResult, Event
from nubes.events.outbox import Outbox
from nubes.storage.sqlite import Database


def event(n: int = 0) -> Event:
    return Event("s3", "000000000000", "us-east-1", "ObjectCreated:Put",
                 "arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:s3:::b", f'{{"n":{n}}}')


async def until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Wait (bounded) for ``condition``; the test's own asserts say what went wrong."""
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


class Recorder:
    """A target that fails ``failures`` times, then records what it is given."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.got: list[Event] = []

    def check(self, destination: str, principal: str, source_arn: str,
              source_account: str) -> Access:
        return Access.ALLOWED

    async def deliver(self, ev: Event) -> DeliveryResult:
        if self.failures:
            self.failures -= 1
            return DeliveryResult.RETRY
        self.got.append(ev)
        return DeliveryResult.DONE


def test_a_lease_keeps_an_event_from_other_workers_until_it_expires(tmp_path: Path) -> None:
    outbox = Outbox(Database(tmp_path / "nubes.db"))
    outbox.add([event()])
    [first] = outbox.claim(lease_s=30, limit=10, now=1e12)
    assert first.event == event()
    assert outbox.claim(lease_s=30, limit=10, now=1e12 + 29) == []  # leased
    [again] = outbox.claim(lease_s=30, limit=10, now=1e12 + 31)  # its worker died
    assert again.id == first.id
    outbox.done(again)
    assert outbox.pending() == 0


def test_an_event_published_before_a_crash_is_delivered_after_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "nubes.db")
    bus = EventBus(db)  # never started: nothing delivers in this process
    with db.transaction() as conn:  # the publisher's own write transaction
        bus.publish_in(conn, [event(1)])
    db.close()  # the process is gone before anything delivered it

    async def restarted() -> list[Event]:
        bus = EventBus(Database(tmp_path / "nubes.db"))
        target = Recorder()
        bus.register("sqs", target)
        bus.start()
        await until(lambda: bool(target.got) and bus.outbox.pending() == 0)
        await bus.close()
        assert bus.outbox.pending() == 0
        return target.got

    assert asyncio.run(restarted()) == [event(1)]


def test_a_rolled_back_write_publishes_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "nubes.db")
    bus = EventBus(db)
    try:
        with db.transaction() as conn:
            bus.publish_in(conn, [event()])
            raise RuntimeError("the write failed")
    except RuntimeError:
        pass
    assert bus.outbox.pending() == 0


def test_failures_are_retried_with_backoff(tmp_path: Path) -> None:
    options = DeliveryOptions(first_delay_s=0.01, max_delay_s=0.02)
    assert [options.delay(n) for n in (1, 2, 3)] == [0.01, 0.02, 0.02]

    async def run() -> Recorder:
        bus = EventBus(Database(tmp_path / "nubes.db"), options)
        target = Recorder(failures=3)
        bus.register("sqs", target)
        bus.start()
        bus.publish(event(7))
        await until(lambda: bool(target.got))
        await bus.close()
        return target

    target = asyncio.run(run())
    assert target.got == [event(7)] and target.failures == 0


def test_an_event_failing_every_time_is_dropped_after_max_attempts(tmp_path: Path) -> None:
    options = DeliveryOptions(first_delay_s=0.001, max_delay_s=0.001, max_attempts=3)

    async def run() -> EventBus:
        bus = EventBus(Database(tmp_path / "nubes.db"), options)
        target = Recorder(failures=100)
        bus.register("sqs", target)
        bus.start()
        bus.publish(event())
        await until(lambda: target.failures == 97 and bus.outbox.pending() == 0)
        await bus.close()
        return bus

    assert asyncio.run(run()).outbox.pending() == 0


def test_leases_of_work_in_flight_are_renewed(tmp_path: Path) -> None:
    """A delivery outlasting its lease keeps it (renewed), so no other worker takes the
    event meanwhile; the lease can be short because it is renewed."""
    options = DeliveryOptions(lease_s=0.3)
    started = asyncio.Event()
    release = asyncio.Event()

    class Slow(Recorder):
        async def deliver(self, ev: Event) -> DeliveryResult:
            started.set()
            await release.wait()
            return await super().deliver(ev)

    async def run() -> tuple[Recorder, list[object]]:
        db = Database(tmp_path / "nubes.db")
        bus = EventBus(db, options)
        target = Slow()
        bus.register("sqs", target)
        bus.start()
        bus.publish(event(3))
        await asyncio.wait_for(started.wait(), 30)
        await asyncio.sleep(1.0)  # three leases long
        taken = list(Outbox(db).claim(lease_s=0.3, limit=10))  # another worker looks
        release.set()
        await until(lambda: bool(target.got))
        await bus.close()
        return target, taken

    target, taken = asyncio.run(run())
    assert taken == []
    assert target.got == [event(3)]
