"""DynamoDB's persistence: tables, items, secondary indexes, streams and TTL in SQLite.

``DynamoStore`` is the one object the provider talks to. Tables are rows of
``dynamodb_tables`` (settings as JSON, counters as columns); items are rows of
``dynamodb_items`` keyed by (table, hash of the encoded partition key, encoded partition
key, encoded sort key), so GetItem is a point read and Query a range read; index rows
live in ``dynamodb_index_items`` and stream records in ``dynamodb_stream_records``,
written in the item's transaction. Item work is done by ``item_writes``, ``item_reads``,
``indexes``, ``streams_store``, ``ttl`` and ``idempotency`` (TransactWriteItems' client
tokens, recorded in the same SQLite transaction as the writes); this module owns the
schema and the tables.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from nubes.errors import ServiceError
from nubes.services.dynamodb import (
    idempotency,
    indexes,
    item_reads,
    item_writes,
    streams_store,
    ttl,
)
from nubes.services.dynamodb.codec import decode_item
from nubes.services.dynamodb.idempotency import ClientToken
from nubes.services.dynamodb.item_reads import Page, QueryRequest, ScanRequest
from nubes.services.dynamodb.item_writes import (
    Apply,
    Check,
    Delete,
    Put,
    StaleTable,
    Update,
    WriteOp,
    WriteResult,
)
from nubes.services.dynamodb.schema import (
    Index,
    StreamViewType,
    Table,
    TableStats,
    index_from_json,
    index_to_json,
    table_from_json,
    table_to_json,
)
from nubes.services.dynamodb.types import Item, check_key
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE dynamodb_tables (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        version INTEGER NOT NULL, created REAL NOT NULL, spec TEXT NOT NULL,
        item_count INTEGER NOT NULL DEFAULT 0, size_bytes INTEGER NOT NULL DEFAULT 0,
        UNIQUE (account, region, name)
    );
    CREATE TABLE dynamodb_indexes (
        id INTEGER PRIMARY KEY,
        table_id INTEGER NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL,
        item_count INTEGER NOT NULL DEFAULT 0, size_bytes INTEGER NOT NULL DEFAULT 0,
        UNIQUE (table_id, name)
    );
    CREATE TABLE dynamodb_items (
        table_id INTEGER NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
        item TEXT NOT NULL, size INTEGER NOT NULL, ttl REAL,
        PRIMARY KEY (table_id, h, pk, sk)
    ) WITHOUT ROWID;
    CREATE INDEX dynamodb_items_ttl ON dynamodb_items (table_id, ttl) WHERE ttl IS NOT NULL;
    CREATE TABLE dynamodb_index_items (
        index_id INTEGER NOT NULL, h INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
        tpk BLOB NOT NULL, tsk BLOB NOT NULL, item TEXT NOT NULL, size INTEGER NOT NULL,
        PRIMARY KEY (index_id, h, pk, sk, tpk, tsk)
    ) WITHOUT ROWID;
    CREATE TABLE dynamodb_streams (
        id INTEGER PRIMARY KEY,
        table_id INTEGER NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL,
        table_name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, label TEXT NOT NULL,
        view_type TEXT NOT NULL, key_schema TEXT NOT NULL, created REAL NOT NULL,
        shard_id TEXT NOT NULL, disabled REAL
    );
    CREATE INDEX dynamodb_streams_table ON dynamodb_streams (account, region, table_name);
    CREATE TABLE dynamodb_stream_records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id INTEGER NOT NULL, event TEXT NOT NULL, created REAL NOT NULL,
        item_keys TEXT NOT NULL, old TEXT, new TEXT, size INTEGER NOT NULL,
        service INTEGER NOT NULL
    );
    CREATE INDEX dynamodb_stream_records_stream ON dynamodb_stream_records (stream_id, seq)
    """,
    idempotency.MIGRATION,
]

_RETRIES = 5
_T = TypeVar("_T")
# Builds TransactWriteItems' response from its operations (as run) and their results.
Respond = Callable[[Sequence[WriteOp], list[WriteResult]], dict[str, Any]]


class TableNotFound(ServiceError):
    code = "ResourceNotFoundException"
    status = 400
    default_message = "Requested resource not found"


class TableExists(ServiceError):
    code = "ResourceInUseException"
    status = 400


class DynamoStore:
    """Tables, items, indexes, streams and TTL of every account, in one Database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("dynamodb", MIGRATIONS)
        self.streams = streams_store.StreamStore(db)
        # Parsed tables by (account, region, name), valid while their version is current.
        self._tables: dict[tuple[str, str, str], Table] = {}

    # -- tables -------------------------------------------------------------------------

    def create_table(self, table: Table, stream: StreamViewType | None = None,
                     now: float | None = None) -> Table:
        """Insert a table and its indexes (ids, version and created are set here)."""
        now = time.time() if now is None else now
        with self.db.transaction() as conn:
            try:
                table_id = conn.execute(
                    "INSERT INTO dynamodb_tables (account, region, name, version, created, "
                    "spec) VALUES (?, ?, ?, 1, ?, ?) RETURNING id",
                    (table.account, table.region, table.name, now, table_to_json(table)),
                ).fetchone()[0]
            except sqlite3.IntegrityError:
                raise TableExists(f"Table already exists: {table.name}") from None
            created = dataclasses.replace(table, id=table_id, version=1, created=now,
                                          indexes=(), stream=None)
            for index in table.indexes:
                created = _insert_index(conn, created, index)
            if stream is not None:
                created = dataclasses.replace(
                    created, stream=streams_store.create_stream(conn, created, stream, now))
            return _save(conn, created)

    def get_table(self, account: str, region: str, name: str) -> Table | None:
        row = self.db.query_one(
            "SELECT id, version FROM dynamodb_tables WHERE account = ? AND region = ? "
            "AND name = ?", (account, region, name))
        if row is None:
            return None
        cached = self._tables.get((account, region, name))
        if cached is not None and (cached.id, cached.version) == (row[0], row[1]):
            return cached
        table = self._load(row[0])
        if table is not None:
            self._tables[(account, region, name)] = table
        return table

    def _load(self, table_id: int) -> Table | None:
        with self.db.transaction() as conn:
            return load_table(conn, table_id)

    def list_tables(self, account: str, region: str, after: str | None = None,
                    limit: int = 100) -> list[str]:
        """Table names in order, starting after ``after`` (ExclusiveStartTableName)."""
        rows = self.db.query(
            "SELECT name FROM dynamodb_tables WHERE account = ? AND region = ? AND name > ? "
            "ORDER BY name LIMIT ?", (account, region, after or "", limit))
        return [row[0] for row in rows]

    def unsettled_tables(self) -> list[Table]:
        """Tables left with a status other than ACTIVE (or such an index), e.g. by a crash
        between CreateTable and the end of its creation."""
        rows = self.db.query(
            "SELECT id FROM dynamodb_tables WHERE json_extract(spec, '$.status') != 'ACTIVE' "
            "UNION SELECT table_id FROM dynamodb_indexes "
            "WHERE json_extract(spec, '$.status') != 'ACTIVE'")
        return [table for row in rows if (table := self._load(row[0])) is not None]

    def save_table(self, table: Table) -> Table:
        """Store changed settings (status, extra, index statuses); bumps the version."""
        with self.db.transaction() as conn:
            for index in table.indexes:
                conn.execute("UPDATE dynamodb_indexes SET spec = ? WHERE id = ?",
                             (index_to_json(index), index.id))
            return _save(conn, table)

    def delete_table(self, table: Table, now: float | None = None) -> None:
        """Drop a table, its items and indexes; its stream stays readable for 24 hours."""
        now = time.time() if now is None else now
        with self.db.transaction() as conn:
            for index in table.indexes:
                conn.execute("DELETE FROM dynamodb_index_items WHERE index_id = ?", (index.id,))
            conn.execute("DELETE FROM dynamodb_indexes WHERE table_id = ?", (table.id,))
            conn.execute("DELETE FROM dynamodb_items WHERE table_id = ?", (table.id,))
            if table.stream is not None:
                streams_store.disable_stream(conn, table.stream.id, now)
            if not conn.execute("DELETE FROM dynamodb_tables WHERE id = ?",
                                (table.id,)).rowcount:
                raise TableNotFound()

    def stats(self, table: Table) -> TableStats:
        row = self.db.query_one(
            "SELECT item_count, size_bytes FROM dynamodb_tables WHERE id = ?", (table.id,))
        if row is None:
            raise TableNotFound()
        rows = self.db.query(
            "SELECT name, item_count, size_bytes FROM dynamodb_indexes WHERE table_id = ?",
            (table.id,))
        return TableStats(row[0], row[1], {r[0]: (r[1], r[2]) for r in rows})

    def add_index(self, table: Table, index: Index) -> Table:
        """Add a secondary index and fill it from the table's items (one transaction)."""
        return self._change(table, lambda conn, fresh: _backfill(conn, _insert_index(
            conn, fresh, index), index.name))

    def delete_index(self, table: Table, name: str) -> Table:
        def drop(conn: sqlite3.Connection, fresh: Table) -> Table:
            index = fresh.index(name)
            if index is None:
                return fresh
            conn.execute("DELETE FROM dynamodb_index_items WHERE index_id = ?", (index.id,))
            conn.execute("DELETE FROM dynamodb_indexes WHERE id = ?", (index.id,))
            kept = tuple(other for other in fresh.indexes if other.id != index.id)
            return dataclasses.replace(fresh, indexes=kept)

        return self._change(table, drop)

    def set_stream(self, table: Table, view_type: StreamViewType | None,
                   now: float | None = None) -> Table:
        """Enable a new stream (a new ARN and label) or disable the current one."""
        moment = time.time() if now is None else now

        def change(conn: sqlite3.Connection, fresh: Table) -> Table:
            if fresh.stream is not None and fresh.stream.enabled:
                streams_store.disable_stream(conn, fresh.stream.id, moment)
                fresh = dataclasses.replace(
                    fresh, stream=dataclasses.replace(fresh.stream, enabled=False))
            if view_type is None:
                return fresh
            stream = streams_store.create_stream(conn, fresh, view_type, moment)
            return dataclasses.replace(fresh, stream=stream)

        return self._change(table, change)

    def set_ttl(self, table: Table, attribute: str | None) -> Table:
        """Turn TTL on (on ``attribute``) or off, indexing every item's expiry."""

        def change(conn: sqlite3.Connection, fresh: Table) -> Table:
            fresh = dataclasses.replace(fresh, ttl_attribute=attribute)
            ttl.backfill(conn, fresh)
            return fresh

        return self._change(table, change)

    def _change(self, table: Table, change: Callable[[sqlite3.Connection, Table], Table]
                ) -> Table:
        with self.db.transaction() as conn:
            fresh = load_table(conn, table.id)
            if fresh is None:
                raise TableNotFound()
            return _save(conn, change(conn, fresh))

    # -- items --------------------------------------------------------------------------

    def get_item(self, table: Table, key: Item) -> Item | None:
        """GetItem: the item with this (validated) key, or None."""
        encoded = check_key(key, table.key.attributes())
        return item_reads.get(self.db, table, encoded[0], encoded[1] if len(encoded) > 1
                              else b"")

    def put_item(self, table: Table, item: Item, check: Check | None = None,
                 now: float | None = None) -> WriteResult:
        return self.write([Put(table, item, check)], now=now)[0]

    def update_item(self, table: Table, key: Item, apply: Apply,
                    now: float | None = None) -> WriteResult:
        return self.write([Update(table, key, apply)], now=now)[0]

    def delete_item(self, table: Table, key: Item, check: Check | None = None,
                    now: float | None = None) -> WriteResult:
        return self.write([Delete(table, key, check)], now=now)[0]

    def write(self, ops: Sequence[WriteOp], *, group: bool = False,
              now: float | None = None) -> list[WriteResult]:
        """Run write operations in one transaction, all or nothing.

        ``group=True`` (TransactWriteItems) refuses two operations on one item and raises
        TransactionAborted with every operation's failure; otherwise (a single write,
        BatchWriteItem) the first failure is raised as it is.
        """
        moment = time.time() if now is None else now
        return self._retrying(ops, lambda conn, fresh: item_writes.run(
            conn, fresh, moment, group=group))

    def transact_write(self, ops: Sequence[WriteOp], token: ClientToken | None,
                       respond: Respond, now: float | None = None) -> dict[str, Any]:
        """TransactWriteItems: the group's writes and its token's record, in one
        transaction. A token already recorded answers its response and writes nothing."""
        moment = time.time() if now is None else now

        def work(conn: sqlite3.Connection, fresh: Sequence[WriteOp]) -> dict[str, Any]:
            if token is not None:
                earlier = idempotency.replay(conn, token, moment)
                if earlier is not None:
                    return earlier
            response = respond(fresh, item_writes.run(conn, fresh, moment, group=True))
            if token is not None:
                idempotency.record(conn, token, response, moment)
            return response

        return self._retrying(ops, work)

    def replayed(self, token: ClientToken, now: float | None = None) -> dict[str, Any] | None:
        """The response recorded for a ClientRequestToken (None if unseen); raises
        IdempotentParameterMismatchException if it was used with another request."""
        moment = time.time() if now is None else now
        row = self.db.query_one(idempotency.LOOKUP, idempotency.lookup_args(token, moment))
        return idempotency.answer(row, token)

    def sweep_client_tokens(self, now: float | None = None) -> int:
        """Forget the ClientRequestTokens older than ten minutes; returns how many."""
        with self.db.transaction() as conn:
            return idempotency.sweep(conn, time.time() if now is None else now)

    def transact_get(self, reads: Sequence[tuple[Table, Item]]) -> list[Item | None]:
        """The items at these keys, read at one instant (TransactGetItems)."""
        keys = [check_key(key, table.key.attributes()) for table, key in reads]
        with self.db.transaction() as conn:
            return [
                item_writes.read_row(conn, table, item_writes.item_hash(encoded[0]),
                                     encoded[0], encoded[1] if len(encoded) > 1 else b"")[0]
                for (table, _key), encoded in zip(reads, keys, strict=True)
            ]

    def query(self, table: Table, request: QueryRequest) -> Page:
        return item_reads.query(self.db, table, request)

    def scan(self, table: Table, request: ScanRequest) -> Page:
        return item_reads.scan(self.db, table, request)

    def _retrying(self, ops: Sequence[WriteOp],
                  work: Callable[[sqlite3.Connection, Sequence[WriteOp]], _T]) -> _T:
        for _attempt in range(_RETRIES):
            try:
                with self.db.transaction() as conn:
                    return work(conn, ops)
            except StaleTable as stale:
                ops = self._refresh(ops, stale.table_id)
        raise TableNotFound("Table changed too often during the write")

    def _refresh(self, ops: Sequence[WriteOp], table_id: int) -> list[WriteOp]:
        fresh = self._load(table_id)
        if fresh is None:
            raise TableNotFound()
        return [dataclasses.replace(op, table=fresh) if op.table.id == table_id else op
                for op in ops]

    # -- TTL ----------------------------------------------------------------------------

    def sweep_expired(self, now: float | None = None, limit: int = 1000) -> int:
        """Delete up to ``limit`` expired items across all tables with TTL on (each in
        its own short transaction); returns how many were deleted."""
        moment = time.time() if now is None else now
        deleted = 0
        for table_id in self._ttl_tables():
            table = self._load(table_id)
            if table is None or table.ttl_attribute is None:
                continue
            with self.db.transaction() as conn:
                due = ttl.due(conn, table, moment, limit - deleted)
            for h, pk, sk in due:
                with self.db.transaction() as conn:
                    deleted += ttl.delete_if_expired(conn, table, h, pk, sk, moment)
            if deleted >= limit:
                break
        return deleted

    def _ttl_tables(self) -> list[int]:
        rows = self.db.query(
            "SELECT id FROM dynamodb_tables WHERE json_extract(spec, '$.ttl_attribute') "
            "IS NOT NULL ORDER BY id")
        return [row[0] for row in rows]


def load_table(conn: sqlite3.Connection, table_id: int) -> Table | None:
    row = conn.execute(
        "SELECT id, account, region, name, version, created, spec FROM dynamodb_tables "
        "WHERE id = ?", (table_id,)).fetchone()
    if row is None:
        return None
    table = table_from_json(row[6], id=row[0], account=row[1], region=row[2], name=row[3],
                            version=row[4], created=row[5])
    index_rows = conn.execute(
        "SELECT id, spec FROM dynamodb_indexes WHERE table_id = ? ORDER BY id", (table_id,))
    return dataclasses.replace(
        table, indexes=tuple(index_from_json(r[1], r[0]) for r in index_rows))


def _save(conn: sqlite3.Connection, table: Table) -> Table:
    version: Any = conn.execute(
        "UPDATE dynamodb_tables SET spec = ?, version = version + 1 WHERE id = ? "
        "RETURNING version", (table_to_json(table), table.id)).fetchone()
    if version is None:
        raise TableNotFound()
    return dataclasses.replace(table, version=version[0])


def _insert_index(conn: sqlite3.Connection, table: Table, index: Index) -> Table:
    index_id = conn.execute(
        "INSERT INTO dynamodb_indexes (table_id, name, spec) VALUES (?, ?, ?) RETURNING id",
        (table.id, index.name, index_to_json(index))).fetchone()[0]
    added = dataclasses.replace(index, id=index_id)
    return dataclasses.replace(table, indexes=(*table.indexes, added))


def _backfill(conn: sqlite3.Connection, table: Table, name: str) -> Table:
    index = table.index(name)
    assert index is not None
    count = size = 0
    for pk, sk, text in conn.execute(
            "SELECT pk, sk, item FROM dynamodb_items WHERE table_id = ?", (table.id,)
    ).fetchall():
        entry = indexes.entry_for(table, index, decode_item(text), strict=False)
        if entry is not None:
            indexes.insert_entry(conn, entry, pk, sk)
            count, size = count + 1, size + entry.size
    conn.execute("UPDATE dynamodb_indexes SET item_count = ?, size_bytes = ? WHERE id = ?",
                 (count, size, index.id))
    return table
