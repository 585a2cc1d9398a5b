"""Kinesis streams, their shards and their records in SQLite.

Records are keyed by (stream, shard, sequence counter), so a shard reads in order from
its primary key. A shard's next counter lives on the shard's row and is advanced in the
transaction that appends the records, so numbers stay increasing across restarts and
across processes sharing the database. Deleting a stream deletes its shards and records
(foreign keys, ``ON DELETE CASCADE``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from nubes.services.kinesis.models import Record, Shard, Stream, StreamStatus, hash_ranges
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE kinesis_streams (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        status TEXT NOT NULL, mode TEXT NOT NULL, created REAL NOT NULL,
        retention_hours INTEGER NOT NULL, tags TEXT NOT NULL DEFAULT '{}',
        UNIQUE (account, region, name));
    CREATE TABLE kinesis_shards (
        stream_id INTEGER NOT NULL REFERENCES kinesis_streams (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, start_hash TEXT NOT NULL, end_hash TEXT NOT NULL,
        next_seq INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (stream_id, idx));
    CREATE TABLE kinesis_records (
        stream_id INTEGER NOT NULL REFERENCES kinesis_streams (id) ON DELETE CASCADE,
        shard INTEGER NOT NULL, seq INTEGER NOT NULL, arrival REAL NOT NULL,
        partition_key TEXT NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (stream_id, shard, seq)) WITHOUT ROWID
    """,
]


@dataclass(frozen=True)
class NewStream:
    """What CreateStream asks for."""

    account: str
    region: str
    name: str
    mode: str
    shard_count: int
    created: float
    tags: dict[str, str]


class KinesisStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("kinesis", MIGRATIONS)

    # -- streams ------------------------------------------------------------------------

    def create_stream(self, new: NewStream) -> Stream | None:
        """The new stream (CREATING) with its shards, or None if the name is taken."""
        with self.db.transaction() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO kinesis_streams (account, region, name, status, mode, created,"
                    " retention_hours, tags) VALUES (?, ?, ?, ?, ?, ?, 24, ?)",
                    (new.account, new.region, new.name, StreamStatus.CREATING.value,
                     new.mode, new.created, json.dumps(new.tags)))
            except sqlite3.IntegrityError:
                return None
            stream_id = cursor.lastrowid
            conn.executemany(
                "INSERT INTO kinesis_shards (stream_id, idx, start_hash, end_hash)"
                " VALUES (?, ?, ?, ?)",
                [(stream_id, index, str(low), str(high))
                 for index, (low, high) in enumerate(hash_ranges(new.shard_count))])
        return self.get_stream(new.account, new.region, new.name)

    def get_stream(self, account: str, region: str, name: str) -> Stream | None:
        row = self.db.query_one(
            "SELECT * FROM kinesis_streams WHERE account = ? AND region = ? AND name = ?",
            (account, region, name))
        return _stream(row) if row else None

    def stream_by_id(self, stream_id: int) -> Stream | None:
        row = self.db.query_one("SELECT * FROM kinesis_streams WHERE id = ?", (stream_id,))
        return _stream(row) if row else None

    def list_streams(self, account: str, region: str, after: str | None, limit: int
                     ) -> list[Stream]:
        rows = self.db.query(
            "SELECT * FROM kinesis_streams WHERE account = ? AND region = ? AND name > ?"
            " ORDER BY name LIMIT ?", (account, region, after or "", limit))
        return [_stream(row) for row in rows]

    def unsettled(self) -> list[Stream]:
        """Streams left CREATING or DELETING (e.g. by a crash before they settled)."""
        rows = self.db.query("SELECT * FROM kinesis_streams WHERE status IN (?, ?)",
                             (StreamStatus.CREATING.value, StreamStatus.DELETING.value))
        return [_stream(row) for row in rows]

    def set_status(self, stream_id: int, status: StreamStatus) -> None:
        self.db.execute("UPDATE kinesis_streams SET status = ? WHERE id = ?",
                        (status.value, stream_id))

    def set_retention(self, stream_id: int, hours: int) -> None:
        self.db.execute("UPDATE kinesis_streams SET retention_hours = ? WHERE id = ?",
                        (hours, stream_id))

    def set_tags(self, stream_id: int, tags: dict[str, str]) -> None:
        self.db.execute("UPDATE kinesis_streams SET tags = ? WHERE id = ?",
                        (json.dumps(tags), stream_id))

    def delete_stream(self, stream_id: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM kinesis_records WHERE stream_id = ?", (stream_id,))
            conn.execute("DELETE FROM kinesis_shards WHERE stream_id = ?", (stream_id,))
            conn.execute("DELETE FROM kinesis_streams WHERE id = ?", (stream_id,))

    # -- shards and records -------------------------------------------------------------

    def shards(self, stream_id: int) -> list[Shard]:
        rows = self.db.query(
            "SELECT * FROM kinesis_shards WHERE stream_id = ? ORDER BY idx", (stream_id,))
        return [Shard(row["stream_id"], row["idx"], int(row["start_hash"]),
                      int(row["end_hash"]), row["next_seq"]) for row in rows]

    def append(self, stream_id: int, entries: Sequence[tuple[int, str, bytes]],
               arrival: float) -> list[int]:
        """Append (shard index, partition key, data) records in one transaction; returns
        each record's sequence counter, in order."""
        counters: list[int] = []
        with self.db.transaction() as conn:
            for index, key, data in entries:
                row = conn.execute(
                    "UPDATE kinesis_shards SET next_seq = next_seq + 1"
                    " WHERE stream_id = ? AND idx = ? RETURNING next_seq - 1",
                    (stream_id, index)).fetchone()
                conn.execute(
                    "INSERT INTO kinesis_records (stream_id, shard, seq, arrival,"
                    " partition_key, data) VALUES (?, ?, ?, ?, ?, ?)",
                    (stream_id, index, row[0], arrival, key, data))
                counters.append(row[0])
        return counters

    def read(self, stream_id: int, index: int, after: int, limit: int, not_before: float
             ) -> list[Record]:
        """Up to ``limit`` records of a shard after counter ``after``, oldest first,
        leaving out those that arrived before ``not_before`` (past retention)."""
        rows = self.db.query(
            "SELECT * FROM kinesis_records WHERE stream_id = ? AND shard = ? AND seq > ?"
            " AND arrival >= ? ORDER BY seq LIMIT ?",
            (stream_id, index, after, not_before, limit))
        return [Record(row["shard"], row["seq"], row["arrival"], row["partition_key"],
                       bytes(row["data"])) for row in rows]

    def first_at(self, stream_id: int, index: int, moment: float) -> int | None:
        """The counter of the shard's first record that arrived at ``moment`` or later."""
        row = self.db.query_one(
            "SELECT seq FROM kinesis_records WHERE stream_id = ? AND shard = ?"
            " AND arrival >= ? ORDER BY seq LIMIT 1", (stream_id, index, moment))
        return int(row[0]) if row else None

    def sweep(self, now: float) -> int:
        """Delete the records past their stream's retention period; returns how many."""
        return self.db.execute(
            "DELETE FROM kinesis_records WHERE arrival < ? - 3600 * (SELECT retention_hours"
            " FROM kinesis_streams s WHERE s.id = kinesis_records.stream_id)", (now,))


def _stream(row: sqlite3.Row) -> Stream:
    return Stream(row["id"], row["account"], row["region"], row["name"],
                  StreamStatus(row["status"]), row["mode"], row["created"],
                  row["retention_hours"], json.loads(row["tags"]))
