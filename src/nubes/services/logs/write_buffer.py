"""``WriteBuffer``: the runtime's log writes, gathered for a few milliseconds and then
stored in one transaction.

Every invocation writes its START/END/REPORT lines (and what the function printed); one
SQLite transaction each was the largest cost of a warm invoke. Writes made on an event
loop are kept here and flushed ``interval_s`` later by that loop, together; writes made
with no loop running (tools, tests, other threads) are flushed at once. The store
flushes before every other operation, so anything read through this process sees every
write made before the read. What another process sees lags by at most ``interval_s``, and
a crash can lose at most that interval's log lines, never an acknowledged API write.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nubes.runtime.api import LogEvent

log = logging.getLogger(__name__)

MAX_PENDING = 512  # writes held at most: past this, the write flushes them itself


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """One ``LogSink.write``, with the time it was received (its ingestion time)."""

    account_id: str
    region: str
    group: str
    stream: str
    events: Sequence[LogEvent]
    received_ms: int


class WriteBuffer:
    """Pending writes and when they are stored. ``store`` writes a batch in one
    transaction; ``flush`` may be called from any thread, batches are stored in order."""

    def __init__(self, store: Callable[[list[PendingWrite]], None],
                 interval_s: float = 0.005) -> None:
        self._store = store
        self.interval_s = interval_s
        self._pending: list[PendingWrite] = []
        self._lock = threading.Lock()  # guards _pending and _scheduled
        self._flushing = threading.Lock()  # one batch stored at a time, in order
        self._scheduled = False

    def add(self, write: PendingWrite) -> None:
        """Keep a write; it is stored by the next flush (at once with no event loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            self._pending.append(write)
            now = loop is None or len(self._pending) >= MAX_PENDING
            schedule = not now and not self._scheduled
            self._scheduled = self._scheduled or schedule
        if now:
            self.flush()
        elif loop is not None and schedule:
            loop.call_later(self.interval_s, self._flush_later)

    def flush(self) -> None:
        """Store every pending write now."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, []
                self._scheduled = False
            if batch:
                self._store(batch)

    def _flush_later(self) -> None:
        try:
            self.flush()
        except Exception:  # nobody awaits this: say so, and keep buffering
            log.exception("logs: storing buffered log events failed")
