"""Item reads: point reads, Query and Scan pages over tables and secondary indexes.

Items (and index rows) are stored by (hash of the encoded partition key, partition key,
sort key), so a Query is one index range read on the sort key in either direction, and a
Scan walks the hash order, which splits the key space into parallel segments
deterministically: segment s of n holds the hashes in [s * 2^32 / n, (s+1) * 2^32 / n).

A page stops after ``limit`` items or once 1 MB of items (by DynamoDB's item size) was
read, and then carries the key of its last item (``last_key``), without looking ahead,
as DynamoDB does. Filters are the caller's: Limit counts items read, not items kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nubes.errors import ValidationError
from nubes.services.dynamodb.codec import decode_item
from nubes.services.dynamodb.indexes import index_key_of
from nubes.services.dynamodb.item_writes import item_hash
from nubes.services.dynamodb.schema import Index, KeySchema, Table
from nubes.services.dynamodb.types import AttributeValue, Item, encode_key
from nubes.storage.sqlite import Database

PAGE_BYTES = 1024 * 1024
_FIRST_BATCH = 128
_MAX_BATCH = 2048
_HASH_SPACE = 1 << 32
BAD_START_KEY = (
    "The provided starting key is invalid: The provided key element does not match the schema"
)


@dataclass(frozen=True)
class SortCondition:
    """A key condition on the sort key: EQ, LT, LE, GT, GE, BETWEEN or BEGINS_WITH."""

    op: str
    values: tuple[AttributeValue, ...]


@dataclass(frozen=True)
class QueryRequest:
    partition: AttributeValue
    sort: SortCondition | None = None
    index: str | None = None
    forward: bool = True
    limit: int | None = None
    start_key: Item | None = None


@dataclass(frozen=True)
class ScanRequest:
    index: str | None = None
    limit: int | None = None
    start_key: Item | None = None
    segment: int = 0
    total_segments: int = 1


@dataclass(frozen=True)
class Page:
    items: list[Item]
    last_key: Item | None  # LastEvaluatedKey, when the read stopped early
    read_bytes: int  # sum of the sizes of the items read (for consumed capacity)


@dataclass
class _Bounds:
    """SQL conditions on the sort columns, and the continuation point."""

    lower: tuple[bytes, bool] | None = None  # (value, inclusive)
    upper: tuple[bytes, bool] | None = None
    after: tuple[Any, ...] | None = None  # continue strictly past this sort position

    def tighten_lower(self, value: bytes, inclusive: bool) -> None:
        if self.lower is None or value > self.lower[0] or (
                value == self.lower[0] and not inclusive):
            self.lower = (value, inclusive)

    def tighten_upper(self, value: bytes, inclusive: bool) -> None:
        if self.upper is None or value < self.upper[0] or (
                value == self.upper[0] and not inclusive):
            self.upper = (value, inclusive)


def sort_bounds(condition: SortCondition | None) -> _Bounds:
    """The byte range of encoded sort keys that satisfies a key condition."""
    bounds = _Bounds()
    if condition is None:
        return bounds
    first = encode_key(condition.values[0])
    op = condition.op
    if op in ("EQ", "GE", "GT", "BETWEEN", "BEGINS_WITH"):
        bounds.tighten_lower(first, op != "GT")
    if op in ("EQ", "LE", "LT"):
        bounds.tighten_upper(first, op != "LT")
    if op == "BETWEEN":
        bounds.tighten_upper(encode_key(condition.values[1]), True)
    if op == "BEGINS_WITH":
        successor = prefix_successor(first)
        if successor is not None:
            bounds.tighten_upper(successor, False)
    return bounds


def prefix_successor(prefix: bytes) -> bytes | None:
    """The smallest byte string above every string that starts with ``prefix``."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes((trimmed[-1] + 1,))


class _Source:
    """The rows a read walks: a table's items or an index's rows."""

    sort_cols: tuple[str, ...]

    def __init__(self, table: Table, index: Index | None) -> None:
        self.table = table
        self.index = index
        if index is None:
            self.sql_table, self.owner = "dynamodb_items", "table_id = ?"
            self.owner_id, self.sort_cols = table.id, ("sk",)
        else:
            self.sql_table, self.owner = "dynamodb_index_items", "index_id = ?"
            self.owner_id, self.sort_cols = index.id, ("sk", "tpk", "tsk")

    def key_of(self, item: Item) -> Item:
        if self.index is None:
            return self.table.key.key_of(item)
        return index_key_of(self.table, self.index, item)

    def position(self, key: Item, *, with_hash: bool) -> tuple[Any, ...]:
        """The stored sort position of an ExclusiveStartKey."""
        schemas: list[KeySchema] = [self.table.key]
        if self.index is not None:
            schemas.insert(0, self.index.key)
        encoded: list[Any] = []
        for schema in schemas:
            for name, _kind in schema.attributes():
                if name not in key:
                    raise ValidationError(BAD_START_KEY)
                encoded.append(encode_key(key[name]))
            if schema.sort is None:
                encoded.append(b"")
        if with_hash:
            encoded.insert(0, item_hash(encoded[0]))
        return tuple(encoded)


def _find_index(table: Table, name: str | None) -> Index | None:
    if name is None:
        return None
    index = table.index(name)
    if index is None:
        raise ValidationError(
            f"The table does not have the specified index: {name}")
    return index


def query(db: Database, table: Table, request: QueryRequest) -> Page:
    source = _Source(table, _find_index(table, request.index))
    pk = encode_key(request.partition)
    bounds = sort_bounds(request.sort)
    if request.start_key is not None:
        # Skip the partition key: the position within the partition is the rest.
        bounds.after = source.position(request.start_key, with_hash=False)[1:]
    where = [source.owner, "h = ?", "pk = ?"]
    args: list[Any] = [source.owner_id, item_hash(pk), pk]
    for clause, value in _bound_clauses(bounds):
        where.append(clause)
        args.append(value)
    cols = source.sort_cols
    return _page(db, source, where, args, cols, request.forward, request.limit,
                 bounds.after)


def _bound_clauses(bounds: _Bounds) -> Iterator[tuple[str, bytes]]:
    if bounds.lower is not None:
        yield ("sk >= ?" if bounds.lower[1] else "sk > ?"), bounds.lower[0]
    if bounds.upper is not None:
        yield ("sk <= ?" if bounds.upper[1] else "sk < ?"), bounds.upper[0]


def scan(db: Database, table: Table, request: ScanRequest) -> Page:
    source = _Source(table, _find_index(table, request.index))
    low = request.segment * _HASH_SPACE // request.total_segments
    high = (request.segment + 1) * _HASH_SPACE // request.total_segments
    where = [source.owner, "h >= ?", "h < ?"]
    args: list[Any] = [source.owner_id, low, high]
    after = None
    if request.start_key is not None:
        after = source.position(request.start_key, with_hash=True)
    cols = ("h", "pk", *source.sort_cols)
    return _page(db, source, where, args, cols, True, request.limit, after)


def _page(db: Database, source: _Source, where: list[str], args: list[Any],
          cols: tuple[str, ...], forward: bool, limit: int | None,
          after: tuple[Any, ...] | None) -> Page:
    items: list[Item] = []
    read = 0
    batch = _FIRST_BATCH
    direction = "" if forward else " DESC"
    order = ", ".join(col + direction for col in cols)
    row_value = f"({', '.join(cols)}) {'>' if forward else '<'} ({', '.join('?' * len(cols))})"
    while True:
        want = batch if limit is None else min(batch, limit - len(items))
        clauses = where if after is None else [*where, row_value]
        sql = (f"SELECT item, size, {', '.join(cols)} FROM {source.sql_table} "
               f"WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT ?")
        rows = db.query(sql, [*args, *(after or ()), want])
        for row in rows:
            items.append(decode_item(row[0]))
            read += row[1]
            if read >= PAGE_BYTES or len(items) == limit:
                return Page(items, source.key_of(items[-1]), read)
        if len(rows) < want:
            return Page(items, None, read)
        after = tuple(rows[-1][2:])
        batch = min(batch * 2, _MAX_BATCH)


def get(db: Database, table: Table, pk: bytes, sk: bytes) -> Item | None:
    row = db.query_one(
        "SELECT item FROM dynamodb_items WHERE table_id = ? AND h = ? AND pk = ? AND sk = ?",
        (table.id, item_hash(pk), pk, sk),
    )
    return decode_item(row[0]) if row else None
