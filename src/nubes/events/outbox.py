"""The outbox: events waiting for delivery, one row each, in the metadata database.

A publisher writes its events in the same SQLite transaction as the state change they
report (``add`` takes the open connection), so an acknowledged change never loses its
event. A worker claims a row by setting its lease in the store (``lease_until``), never
by holding it in memory: a worker that dies leaves the lease to expire, and the event is
delivered again, by this process after a restart or by another one. Delivery is
therefore at least once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

from nubes.events.claims import renew_leases
from nubes.events.event import Event
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE event_outbox (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL, account_id TEXT NOT NULL, region TEXT NOT NULL,
        detail_type TEXT NOT NULL, destination TEXT NOT NULL, source_arn TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, due REAL NOT NULL,
        lease_until REAL NOT NULL DEFAULT 0, created REAL NOT NULL
    );
    CREATE INDEX event_outbox_due ON event_outbox (due)
    """,
    "ALTER TABLE event_outbox ADD COLUMN options TEXT NOT NULL DEFAULT '{}'",
]


@dataclass(frozen=True, slots=True)
class Pending:
    """An event claimed for delivery: its row id and how often delivery failed so far."""

    id: int
    event: Event
    attempts: int
    created: float


def add(conn: sqlite3.Connection, events: Iterable[Event], now: float | None = None) -> int:
    """Write events into the outbox inside the caller's open transaction; how many."""
    now = time.time() if now is None else now
    count = 0
    for event in events:
        conn.execute(
            "INSERT INTO event_outbox (source, account_id, region, detail_type, destination,"
            " source_arn, payload, options, due, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event.source, event.account_id, event.region, event.detail_type,
             event.destination, event.source_arn, event.payload,
             json.dumps(dict(event.options)) if event.options else "{}", now, now))
        count += 1
    return count


class Outbox:
    """The outbox table of one Database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("event_outbox", MIGRATIONS)

    def add(self, events: Iterable[Event]) -> int:
        """Write events in a transaction of their own (when no state change goes with them)."""
        with self.db.transaction() as conn:
            return add(conn, events)

    def claim(self, lease_s: float, limit: int, now: float | None = None) -> list[Pending]:
        """Up to ``limit`` due events nobody holds a lease on, leased for ``lease_s``."""
        now = time.time() if now is None else now
        with self.db.transaction() as conn:
            rows = conn.execute(
                "UPDATE event_outbox SET lease_until = ? WHERE id IN (SELECT id FROM"
                " event_outbox WHERE due <= ? AND lease_until <= ? ORDER BY due, id LIMIT ?)"
                " RETURNING id, source, account_id, region, detail_type, destination,"
                " source_arn, payload, attempts, created, options",
                (now + lease_s, now, now, limit)).fetchall()
        rows.sort(key=lambda row: int(row[0]))
        return [Pending(row[0], Event(row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                                      json.loads(row[10])), row[8], row[9]) for row in rows]

    def renew(self, pendings: list[Pending], lease_s: float) -> None:
        """Keep holding events still being delivered (see ``ClaimLoop``)."""
        renew_leases(self.db, "event_outbox", [p.id for p in pendings], lease_s)

    def done(self, pending: Pending) -> None:
        self.db.execute("DELETE FROM event_outbox WHERE id = ?", (pending.id,))

    def retry(self, pending: Pending, delay_s: float) -> None:
        """Deliver again after ``delay_s``, counting the failed attempt."""
        self.db.execute(
            "UPDATE event_outbox SET due = ?, lease_until = 0, attempts = attempts + 1"
            " WHERE id = ?", (time.time() + delay_s, pending.id))

    def next_due(self) -> float | None:
        row = self.db.query_one("SELECT MIN(MAX(due, lease_until)) FROM event_outbox")
        return float(row[0]) if row and row[0] is not None else None

    def pending(self) -> int:
        row = self.db.query_one("SELECT COUNT(*) FROM event_outbox")
        return int(row[0]) if row else 0
