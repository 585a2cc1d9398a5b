"""CloudWatch Logs in SQLite: groups, streams and events, and the runtime's ``LogSink``.

Events are rows indexed by (stream, timestamp, id) and (group, timestamp, id), so a
stream's events in a time range and a group's events interleaved by time are index range
reads (``event_reads``). Groups carry running totals (stored bytes) and streams their
first/last event and last ingestion times, updated in the transaction that appends.

Retention is a store query, not process state: reads never return events older than
their group's retention, and ``sweep`` deletes them (in bounded chunks, any process may
run it). ``LogStore.write`` is the ``runtime.api.LogSink`` the function runtime calls for
every batch of log lines, creating the group and stream if missing. Writes made on the
event loop are stored a few milliseconds later, many in one transaction (``WriteBuffer``);
every other operation of the store flushes them first, so reads never miss one.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from nubes.runtime.api import LogEvent
from nubes.services.logs import exceptions as exc
from nubes.services.logs.models import LogGroup, LogStream
from nubes.services.logs.write_buffer import PendingWrite, WriteBuffer
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE logs_groups (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        retention_days INTEGER,
        log_class TEXT NOT NULL,
        kms_key_id TEXT,
        stored_bytes INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT '{}',
        UNIQUE (account_id, region, name)
    );
    CREATE INDEX logs_groups_retention ON logs_groups (retention_days)
        WHERE retention_days IS NOT NULL;
    CREATE TABLE logs_streams (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES logs_groups (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        first_event_ms INTEGER,
        last_event_ms INTEGER,
        last_ingestion_ms INTEGER,
        UNIQUE (group_id, name)
    );
    CREATE INDEX logs_streams_last_event ON logs_streams (group_id, last_event_ms, name);
    CREATE TABLE logs_events (
        id INTEGER PRIMARY KEY,
        stream_id INTEGER NOT NULL REFERENCES logs_streams (id) ON DELETE CASCADE,
        group_id INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        ingested_ms INTEGER NOT NULL,
        message TEXT NOT NULL
    );
    CREATE INDEX logs_events_stream ON logs_events (stream_id, ts, id);
    CREATE INDEX logs_events_group ON logs_events (group_id, ts, id)
    """,
]

_GROUP_COLUMNS = ("id, account_id, region, name, created_ms, retention_days, log_class, "
                  "kms_key_id, stored_bytes, tags")
_STREAM_COLUMNS = ("id, group_id, name, created_ms, first_event_ms, last_event_ms, "
                   "last_ingestion_ms")
SWEEP_CHUNK = 5_000
# Sorts after every character a name can hold: the exclusive end of a prefix range.
PREFIX_END = "\U0010ffff"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _to_group(row: sqlite3.Row) -> LogGroup:
    return LogGroup(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                    json.loads(row[9]))


def _to_stream(row: sqlite3.Row) -> LogStream:
    return LogStream(row[0], row[1], row[2], row[3], row[4], row[5], row[6])


class LogStore:
    """Log groups, streams and events of every account; also the runtime's ``LogSink``.

    ``LogStore(db)`` migrates its tables in ``db``; ``clock`` (milliseconds since the
    epoch) is there for tests of retention and ingestion times.
    """

    def __init__(self, db: Database, clock: Callable[[], int] = now_ms) -> None:
        self.db = db
        self.clock = clock
        self.pending = WriteBuffer(self._store)
        db.migrate("logs", MIGRATIONS)

    def flush(self) -> None:
        """Store the log writes still buffered (every operation below does this first)."""
        self.pending.flush()

    # Groups ------------------------------------------------------------------------------

    def create_group(self, account_id: str, region: str, name: str, *,
                     log_class: str = "STANDARD", kms_key_id: str | None = None,
                     tags: dict[str, str] | None = None) -> None:
        self.flush()
        try:
            self.db.execute(
                "INSERT INTO logs_groups (account_id, region, name, created_ms, log_class,"
                " kms_key_id, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (account_id, region, name, self.clock(), log_class, kms_key_id,
                 json.dumps(tags or {})))
        except sqlite3.IntegrityError:
            raise exc.ResourceAlreadyExistsException(
                "The specified log group already exists") from None

    def get_group(self, account_id: str, region: str, name: str) -> LogGroup:
        self.flush()
        row = self.db.query_one(
            f"SELECT {_GROUP_COLUMNS} FROM logs_groups"
            " WHERE account_id = ? AND region = ? AND name = ?", (account_id, region, name))
        if row is None:
            raise exc.group_not_found()
        return _to_group(row)

    def list_groups(self, account_id: str, region: str, *, prefix: str | None = None,
                    contains: str | None = None, log_class: str | None = None,
                    names: Sequence[str] | None = None, after: str | None = None,
                    limit: int = 50) -> list[LogGroup]:
        """Groups in name order, after the name ``after``; ``contains`` ignores case."""
        self.flush()
        sql = [f"SELECT {_GROUP_COLUMNS} FROM logs_groups WHERE account_id = ? AND region = ?"]
        args: list[Any] = [account_id, region]
        if names is not None:
            sql.append(f"AND name IN ({', '.join('?' * len(names))})")
            args += list(names)
        if prefix:
            sql.append("AND name >= ? AND name < ?")
            args += [prefix, prefix + PREFIX_END]
        if contains:
            sql.append("AND instr(lower(name), lower(?)) > 0")
            args.append(contains)
        if log_class:
            sql.append("AND log_class = ?")
            args.append(log_class)
        if after is not None:
            sql.append("AND name > ?")
            args.append(after)
        sql.append("ORDER BY name LIMIT ?")
        args.append(limit)
        return [_to_group(row) for row in self.db.query(" ".join(sql), args)]

    def delete_group(self, account_id: str, region: str, name: str) -> None:
        self.flush()
        changed = self.db.execute(
            "DELETE FROM logs_groups WHERE account_id = ? AND region = ? AND name = ?",
            (account_id, region, name))
        if not changed:
            raise exc.group_not_found()

    def set_retention(self, group: LogGroup, days: int | None) -> None:
        self.flush()
        self.db.execute("UPDATE logs_groups SET retention_days = ? WHERE id = ?",
                        (days, group.id))

    def update_tags(self, group: LogGroup, add: dict[str, str], remove: Sequence[str],
                    check: Callable[[dict[str, str], dict[str, str]], None]) -> None:
        """Add and remove tags atomically; ``check(add, current)`` may refuse."""
        self.flush()
        with self.db.transaction() as conn:
            row = conn.execute("SELECT tags FROM logs_groups WHERE id = ?",
                               (group.id,)).fetchone()
            if row is None:
                raise exc.group_not_found()
            current: dict[str, str] = json.loads(row[0])
            check(add, current)
            tags = {k: v for k, v in {**current, **add}.items() if k not in remove}
            conn.execute("UPDATE logs_groups SET tags = ? WHERE id = ?",
                         (json.dumps(tags), group.id))

    # Streams -----------------------------------------------------------------------------

    def create_stream(self, group: LogGroup, name: str) -> None:
        self.flush()
        try:
            self.db.execute(
                "INSERT INTO logs_streams (group_id, name, created_ms) VALUES (?, ?, ?)",
                (group.id, name, self.clock()))
        except sqlite3.IntegrityError:
            raise exc.ResourceAlreadyExistsException(
                "The specified log stream already exists") from None

    def get_stream(self, group: LogGroup, name: str) -> LogStream:
        self.flush()
        row = self.db.query_one(
            f"SELECT {_STREAM_COLUMNS} FROM logs_streams WHERE group_id = ? AND name = ?",
            (group.id, name))
        if row is None:
            raise exc.stream_not_found()
        return _to_stream(row)

    def list_streams(self, group: LogGroup, *, prefix: str | None = None,
                     by_last_event: bool = False, descending: bool = False,
                     after: tuple[int, str] | None = None, limit: int = 50) -> list[LogStream]:
        """Streams ordered by name, or by last event time then name (no events first)."""
        self.flush()
        keys = ["coalesce(last_event_ms, -1)", "name"] if by_last_event else ["name"]
        sql = [f"SELECT {_STREAM_COLUMNS} FROM logs_streams WHERE group_id = ?"]
        args: list[Any] = [group.id]
        if prefix:
            sql.append("AND name >= ? AND name < ?")
            args += [prefix, prefix + PREFIX_END]
        if after is not None:
            marks = ", ".join("?" * len(keys))
            sql.append(f"AND ({', '.join(keys)}) {'<' if descending else '>'} ({marks})")
            args += list(after)[-len(keys):]
        order = " DESC" if descending else ""
        sql.append(f"ORDER BY {', '.join(key + order for key in keys)} LIMIT ?")
        args.append(limit)
        return [_to_stream(row) for row in self.db.query(" ".join(sql), args)]

    def stream_ids(self, group: LogGroup, names: Sequence[str]) -> list[int]:
        """The ids of the group's streams among ``names`` (unknown names are skipped)."""
        self.flush()
        marks = ", ".join("?" * len(names))
        rows = self.db.query(
            f"SELECT id FROM logs_streams WHERE group_id = ? AND name IN ({marks})",
            [group.id, *names])
        return [int(row[0]) for row in rows]

    def delete_stream(self, group: LogGroup, name: str) -> None:
        self.flush()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id FROM logs_streams WHERE group_id = ? AND name = ?",
                (group.id, name)).fetchone()
            if row is None:
                raise exc.stream_not_found()
            size = conn.execute(
                "SELECT coalesce(sum(length(CAST(message AS BLOB))), 0) FROM logs_events"
                " WHERE stream_id = ?", (row[0],)).fetchone()[0]
            conn.execute("DELETE FROM logs_streams WHERE id = ?", (row[0],))
            conn.execute("UPDATE logs_groups SET stored_bytes = max(0, stored_bytes - ?)"
                         " WHERE id = ?", (size, group.id))

    # Events ------------------------------------------------------------------------------

    def append(self, stream: LogStream, events: Sequence[tuple[int, str]]) -> None:
        """Store events (timestamp ms, message) of one stream, in one transaction."""
        self.flush()
        with self.db.transaction() as conn:
            self._append(conn, stream.group_id, stream.id, events, self.clock())

    def write(self, account_id: str, region: str, group: str, stream: str,
              events: Sequence[LogEvent]) -> None:
        """``LogSink``: append, creating the group and stream first if they are missing
        (on the event loop, a few milliseconds later: see ``WriteBuffer``)."""
        if events:
            self.pending.add(PendingWrite(account_id, region, group, stream, events,
                                          self.clock()))

    def _store(self, batch: list[PendingWrite]) -> None:
        """Buffered writes in one transaction: the events in the order they were written,
        then each stream's and group's totals once (as many writes one by one would)."""
        ids: dict[tuple[str, str, str, str], tuple[int, int]] = {}
        rows: list[tuple[int, int, int, int, str]] = []
        streams: dict[int, tuple[int, int, int]] = {}  # first, last event; last ingestion
        sizes: dict[int, int] = {}
        with self.db.transaction() as conn:
            for write in batch:
                key = (write.account_id, write.region, write.group, write.stream)
                if key not in ids:
                    ids[key] = self._ensure_stream(conn, write)
                group_id, stream_id = ids[key]
                stamps = [event.timestamp_ms for event in write.events]
                first, last, _ = streams.get(stream_id, (min(stamps), max(stamps), 0))
                streams[stream_id] = (min(first, *stamps), max(last, *stamps),
                                      write.received_ms)
                sizes[group_id] = sizes.get(group_id, 0) + sum(
                    len(event.message.encode("utf-8")) for event in write.events)
                rows += [(stream_id, group_id, event.timestamp_ms, write.received_ms,
                          event.message) for event in write.events]
            conn.executemany(
                "INSERT INTO logs_events (stream_id, group_id, ts, ingested_ms, message)"
                " VALUES (?, ?, ?, ?, ?)", rows)
            conn.executemany(
                "UPDATE logs_streams SET first_event_ms = min(coalesce(first_event_ms, ?1),"
                " ?1), last_event_ms = max(coalesce(last_event_ms, ?2), ?2),"
                " last_ingestion_ms = ?3 WHERE id = ?4",
                [(*totals, stream_id) for stream_id, totals in streams.items()])
            conn.executemany(
                "UPDATE logs_groups SET stored_bytes = stored_bytes + ? WHERE id = ?",
                [(size, group_id) for group_id, size in sizes.items()])

    def _ensure_stream(self, conn: sqlite3.Connection, write: PendingWrite) -> tuple[int, int]:
        """(group id, stream id) of a write's stream, creating both if missing."""
        group_id = self._ensure(
            conn, "SELECT id FROM logs_groups WHERE account_id = ? AND region = ?"
            " AND name = ?", (write.account_id, write.region, write.group),
            "INSERT INTO logs_groups (account_id, region, name, created_ms,"
            " log_class) VALUES (?, ?, ?, ?, 'STANDARD')",
            (write.account_id, write.region, write.group, write.received_ms))
        stream_id = self._ensure(
            conn, "SELECT id FROM logs_streams WHERE group_id = ? AND name = ?",
            (group_id, write.stream),
            "INSERT INTO logs_streams (group_id, name, created_ms) VALUES (?, ?, ?)",
            (group_id, write.stream, write.received_ms))
        return group_id, stream_id

    @staticmethod
    def _ensure(conn: sqlite3.Connection, select: str, key: tuple[Any, ...], insert: str,
                values: tuple[Any, ...]) -> int:
        row = conn.execute(select, key).fetchone()
        if row is not None:
            return int(row[0])
        return int(conn.execute(insert, values).lastrowid or 0)

    @staticmethod
    def _append(conn: sqlite3.Connection, group_id: int, stream_id: int,
                events: Sequence[tuple[int, str]], now: int) -> None:
        if not events:
            return
        conn.executemany(
            "INSERT INTO logs_events (stream_id, group_id, ts, ingested_ms, message)"
            " VALUES (?, ?, ?, ?, ?)",
            [(stream_id, group_id, stamp, now, message) for stamp, message in events])
        stamps = [stamp for stamp, _ in events]
        conn.execute(
            "UPDATE logs_streams SET first_event_ms = min(coalesce(first_event_ms, ?), ?),"
            " last_event_ms = max(coalesce(last_event_ms, ?), ?), last_ingestion_ms = ?"
            " WHERE id = ?", (min(stamps), min(stamps), max(stamps), max(stamps), now,
                              stream_id))
        size = sum(len(message.encode("utf-8")) for _, message in events)
        conn.execute("UPDATE logs_groups SET stored_bytes = stored_bytes + ? WHERE id = ?",
                     (size, group_id))

    # Retention ---------------------------------------------------------------------------

    def sweep(self) -> int:
        """Delete the events older than their group's retention; returns how many."""
        self.flush()
        now = self.clock()
        groups = self.db.query(
            "SELECT id, retention_days FROM logs_groups WHERE retention_days IS NOT NULL")
        return sum(self._sweep_group(row[0], now - row[1] * 86_400_000) for row in groups)

    def _sweep_group(self, group_id: int, cutoff_ms: int) -> int:
        deleted = 0
        while True:
            with self.db.transaction() as conn:
                rows = conn.execute(
                    "SELECT id, length(CAST(message AS BLOB)) FROM logs_events"
                    " WHERE group_id = ? AND ts < ? ORDER BY ts LIMIT ?",
                    (group_id, cutoff_ms, SWEEP_CHUNK)).fetchall()
                conn.executemany("DELETE FROM logs_events WHERE id = ?",
                                 [(row[0],) for row in rows])
                conn.execute(
                    "UPDATE logs_groups SET stored_bytes = max(0, stored_bytes - ?)"
                    " WHERE id = ?", (sum(row[1] for row in rows), group_id))
            deleted += len(rows)
            if len(rows) < SWEEP_CHUNK:
                return deleted
