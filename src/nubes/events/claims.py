"""A worker loop over work claimed from the store with leases: the shape both the event
bus's delivery and Lambda's queued invocations share.

It claims as much work as it has room for, runs each claim as a task (at most
``max_in_flight`` at once), then sleeps until woken or until the store says the next
claim is due. Claims live in the store, so any number of processes may run this loop.
Given ``renew``, it extends the leases of the work in flight every ``renew_every_s``, so
leases can be short: work a killed process held is taken up again within one lease,
however long the work itself may run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar

from nubes.storage.sqlite import Database
from nubes.waiting import wait_set

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
        renew: Callable[[list[T]], None] | None = None,  # extend the leases of these items
        renew_every_s: float = 5.0,
    ) -> None:
        self._claim = claim
        self._renew = renew
        self.renew_every_s = renew_every_s
        self._renewed = time.monotonic()
        self._items: dict[asyncio.Task[Any], T] = {}
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
                    self._items[task] = item
                    task.add_done_callback(self._finished)
            self._renew_leases()
            self._wake.clear()
            await wait_set(self._wake, self._idle_wait())

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        self._items.pop(task, None)

    def _renew_leases(self) -> None:
        if self._renew is None or time.monotonic() - self._renewed < self.renew_every_s:
            return
        self._renewed = time.monotonic()
        items = [item for task, item in self._items.items() if not task.done()]
        if items:
            self._renew(items)

    def _idle_wait(self) -> float:
        due = self._next_due()
        wait = self.idle_poll_s if due is None else max(0.01, due - time.time())
        if self._renew is not None:
            wait = min(wait, self.renew_every_s)
        return min(self.idle_poll_s, wait)


def renew_leases(db: Database, table: str, ids: Sequence[int], lease_s: float) -> None:
    """Extend to ``lease_s`` from now the leases of rows ``ids`` of ``table`` (one of the
    stores' own tables, with ``id`` and ``lease_until``) that are still leased; a row
    retried or finished meanwhile keeps its state."""
    if not ids:
        return
    now = time.time()
    marks = ", ".join("?" * len(ids))
    db.execute(f"UPDATE {table} SET lease_until = ? WHERE lease_until > ? AND id IN ({marks})",
               (now + lease_s, now, *ids))
