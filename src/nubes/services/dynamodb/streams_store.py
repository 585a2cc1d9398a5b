"""DynamoDB Streams in SQLite: a table's streams (one shard each) and their records.

A record is appended in the transaction of the item write it describes, so the stream
holds exactly the committed changes, in commit order (``seq`` grows across all streams;
per item, order is commit order). Records are kept 24 hours (``sweep``); a disabled
stream stays readable until its last record ages out.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nubes.services.dynamodb.codec import decode_item, encode_item
from nubes.services.dynamodb.schema import Stream, StreamViewType, Table
from nubes.services.dynamodb.types import Item, item_size
from nubes.storage.sqlite import Database

RETENTION_SECONDS = 24 * 3600
SERVICE_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


@dataclass(frozen=True)
class StreamInfo:
    """What ListStreams / DescribeStream report about a stream."""

    id: int
    arn: str
    label: str
    account: str
    region: str
    table_name: str
    view_type: StreamViewType
    key_schema: list[tuple[str, str]]  # (attribute, HASH | RANGE)
    created: float
    shard_id: str
    disabled: float | None

    @property
    def status(self) -> str:
        return "ENABLED" if self.disabled is None else "DISABLED"


@dataclass(frozen=True)
class StreamRecord:
    sequence: int
    event_name: str  # INSERT | MODIFY | REMOVE
    created: float
    keys: Item
    old_image: Item | None
    new_image: Item | None
    size: int
    service: bool  # deleted by TTL: the record names DynamoDB as its user

    @property
    def user_identity(self) -> dict[str, str] | None:
        return dict(SERVICE_IDENTITY) if self.service else None


def sequence_number(seq: int) -> str:
    """A record's SequenceNumber as the API shows it (decimal, fixed width)."""
    return f"{seq:021d}"


def create_stream(conn: sqlite3.Connection, table: Table, view_type: StreamViewType,
                  now: float) -> Stream:
    label = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    arn = f"{table.arn}/stream/{label}"
    shard = f"shardId-{int(now * 1000):020d}-{uuid.uuid4().hex[:8]}"
    keys = [(table.key.partition, "HASH")]
    if table.key.sort is not None:
        keys.append((table.key.sort, "RANGE"))
    stream_id = conn.execute(
        "INSERT INTO dynamodb_streams (table_id, account, region, table_name, arn, label, "
        "view_type, key_schema, created, shard_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        (table.id, table.account, table.region, table.name, arn, label, view_type.value,
         json.dumps(keys), now, shard),
    ).fetchone()[0]
    return Stream(stream_id, arn, label, view_type)


def disable_stream(conn: sqlite3.Connection, stream_id: int, now: float) -> None:
    conn.execute("UPDATE dynamodb_streams SET disabled = ? WHERE id = ? AND disabled IS NULL",
                 (now, stream_id))


def append(conn: sqlite3.Connection, table: Table, keys: Item, old: Item | None,
           new: Item | None, now: float, *, service: bool = False) -> None:
    """Record one item change on the table's enabled stream (no-op writes record nothing)."""
    stream = table.stream
    if stream is None or not stream.enabled or old == new:
        return
    event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    view = stream.view_type
    both = StreamViewType.NEW_AND_OLD_IMAGES
    keep_old = old if view in (StreamViewType.OLD_IMAGE, both) else None
    keep_new = new if view in (StreamViewType.NEW_IMAGE, both) else None
    size = item_size(keys) + sum(item_size(image) for image in (keep_old, keep_new) if image)
    conn.execute(
        "INSERT INTO dynamodb_stream_records (stream_id, event, created, item_keys, old, new, "
        "size, service) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (stream.id, event, now, encode_item(keys), _encode(keep_old), _encode(keep_new),
         size, int(service)),
    )


def _encode(image: Item | None) -> str | None:
    return encode_item(image) if image is not None else None


_STREAM_COLUMNS = ("id, arn, label, account, region, table_name, view_type, key_schema, "
                   "created, shard_id, disabled")


def _to_info(row: Any) -> StreamInfo:
    return StreamInfo(
        id=row[0], arn=row[1], label=row[2], account=row[3], region=row[4],
        table_name=row[5], view_type=StreamViewType(row[6]),
        key_schema=[(pair[0], pair[1]) for pair in json.loads(row[7])],
        created=row[8], shard_id=row[9], disabled=row[10],
    )


class StreamStore:
    """Reads of streams and records, and the 24-hour retention sweep."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def list_streams(self, account: str, region: str, table_name: str | None = None
                     ) -> list[StreamInfo]:
        """Streams of an account and region (of one table), oldest first."""
        sql = f"SELECT {_STREAM_COLUMNS} FROM dynamodb_streams WHERE account = ? AND region = ?"
        args: tuple[Any, ...] = (account, region)
        if table_name is not None:
            sql += " AND table_name = ?"
            args += (table_name,)
        return [_to_info(row) for row in self.db.query(sql + " ORDER BY id", args)]

    def get_stream(self, arn: str) -> StreamInfo | None:
        row = self.db.query_one(
            f"SELECT {_STREAM_COLUMNS} FROM dynamodb_streams WHERE arn = ?", (arn,))
        return _to_info(row) if row else None

    def sequence_range(self, stream_id: int) -> tuple[int | None, int | None]:
        """(first, last) sequence numbers still kept in a stream's shard."""
        row = self.db.query_one(
            "SELECT min(seq), max(seq) FROM dynamodb_stream_records WHERE stream_id = ?",
            (stream_id,))
        return (row[0], row[1]) if row else (None, None)

    def read(self, stream_id: int, after: int, limit: int) -> list[StreamRecord]:
        """Up to ``limit`` records of a stream with a sequence number above ``after``
        (``after = n - 1`` reads AT_SEQUENCE_NUMBER n; 0 reads TRIM_HORIZON)."""
        rows = self.db.query(
            "SELECT seq, event, created, item_keys, old, new, size, service "
            "FROM dynamodb_stream_records WHERE stream_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (stream_id, after, limit),
        )
        return [
            StreamRecord(row[0], row[1], row[2], decode_item(row[3]),
                         decode_item(row[4]) if row[4] is not None else None,
                         decode_item(row[5]) if row[5] is not None else None,
                         row[6], bool(row[7]))
            for row in rows
        ]

    def latest_sequence(self) -> int:
        """The highest sequence number ever given (LATEST iterators start after it)."""
        row = self.db.query_one(
            "SELECT seq FROM sqlite_sequence WHERE name = 'dynamodb_stream_records'")
        return int(row[0]) if row else 0

    def sweep(self, now: float) -> int:
        """Delete records older than 24 hours, and streams disabled before that with no
        records left; returns the number of records deleted."""
        cutoff = now - RETENTION_SECONDS
        with self.db.transaction() as conn:
            # seq grows with time: delete up to the first record young enough to keep.
            row = conn.execute(
                "SELECT seq FROM dynamodb_stream_records WHERE created >= ? ORDER BY seq "
                "LIMIT 1", (cutoff,)).fetchone()
            if row is None:
                deleted = conn.execute("DELETE FROM dynamodb_stream_records").rowcount
            else:
                deleted = conn.execute(
                    "DELETE FROM dynamodb_stream_records WHERE seq < ?", (row[0],)).rowcount
            conn.execute(
                "DELETE FROM dynamodb_streams WHERE disabled < ? AND NOT EXISTS (SELECT 1 "
                "FROM dynamodb_stream_records r WHERE r.stream_id = dynamodb_streams.id)",
                (cutoff,))
            return deleted
