"""The durable queue of asynchronous invocations (InvocationType Event).

An event is claimed by setting a lease in the store, never by holding it in memory: a
worker that dies leaves the lease to expire and the event is run again, by this process
after a restart or by another one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from nubes.events.claims import renew_leases
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE lambda_events (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL, region TEXT NOT NULL, function TEXT NOT NULL,
        qualifier TEXT, payload BLOB NOT NULL, request_id TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, due REAL NOT NULL, lease_until REAL NOT NULL
            DEFAULT 0, created REAL NOT NULL
    );
    CREATE INDEX lambda_events_due ON lambda_events (due)
    """,
]


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    account_id: str
    region: str
    function: str
    qualifier: str | None
    payload: bytes
    request_id: str
    attempts: int  # failed runs so far
    created: float


class EventStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("lambda_events", MIGRATIONS)

    def enqueue(self, account_id: str, region: str, function: str, qualifier: str | None,
                payload: bytes, request_id: str, now: float | None = None) -> None:
        """Queue an event, due at once; its age (MaximumEventAgeInSeconds) counts from
        ``now``, across retries."""
        now = time.time() if now is None else now
        self.db.execute(
            "INSERT INTO lambda_events (account_id, region, function, qualifier, payload,"
            " request_id, due, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (account_id, region, function, qualifier, payload, request_id, now, now))

    def claim(self, lease_s: float, now: float | None = None) -> Event | None:
        """The next due event not leased to anyone, leased for ``lease_s`` seconds."""
        now = time.time() if now is None else now
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE lambda_events SET lease_until = ? WHERE id = (SELECT id FROM"
                " lambda_events WHERE due <= ? AND lease_until <= ? ORDER BY due LIMIT 1)"
                " RETURNING id, account_id, region, function, qualifier, payload, request_id,"
                " attempts, created", (now + lease_s, now, now)).fetchone()
        if row is None:
            return None
        return Event(row[0], row[1], row[2], row[3], row[4], bytes(row[5]), row[6], row[7],
                     row[8])

    def renew(self, events: list[Event], lease_s: float) -> None:
        """Keep holding events still running (see ``ClaimLoop``)."""
        renew_leases(self.db, "lambda_events", [e.id for e in events], lease_s)

    def done(self, event: Event) -> None:
        self.db.execute("DELETE FROM lambda_events WHERE id = ?", (event.id,))

    def retry(self, event: Event, delay_s: float, *, failed: bool) -> None:
        """Run the event again after ``delay_s``; ``failed`` counts the attempt."""
        self.db.execute(
            "UPDATE lambda_events SET due = ?, lease_until = 0, attempts = attempts + ?"
            " WHERE id = ?", (time.time() + delay_s, 1 if failed else 0, event.id))

    def next_due(self) -> float | None:
        row = self.db.query_one("SELECT MIN(MAX(due, lease_until)) FROM lambda_events")
        return float(row[0]) if row and row[0] is not None else None

    def pending(self) -> int:
        row = self.db.query_one("SELECT COUNT(*) FROM lambda_events")
        return int(row[0]) if row else 0
