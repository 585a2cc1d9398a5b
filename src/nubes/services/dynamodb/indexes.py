"""Secondary index rows: which items an index holds (sparse: only items with its key
attributes), what it projects (KEYS_ONLY, INCLUDE, ALL), and keeping its rows in step
with the table's, inside the item's transaction.

An index row is (index id, hash of the index partition key, encoded index partition and
sort keys, encoded table keys as the tiebreak, projected item, its size).
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass

from nubes.errors import ValidationError
from nubes.services.dynamodb.codec import encode_item
from nubes.services.dynamodb.schema import Index, ProjectionType, Table
from nubes.services.dynamodb.types import INVALID, NOT_VALID, Item, encode_key, item_size


@dataclass(frozen=True)
class IndexEntry:
    index_id: int
    hash: int
    pk: bytes
    sk: bytes
    item: Item
    size: int


def entry_for(table: Table, index: Index, item: Item, *, strict: bool = True
              ) -> IndexEntry | None:
    """The row ``item`` has in ``index``, or None when it lacks an index key attribute.

    ``strict`` raises AWS's error for a key attribute of the wrong type or empty (a write);
    a backfill (``strict=False``) leaves such items out, as DynamoDB does.
    """
    encoded: list[bytes] = []
    for name, expected in index.key.attributes():
        value = item.get(name)
        if value is None:
            return None
        error = _key_error(index, name, expected, value)
        if error is not None:
            if strict:
                raise ValidationError(error)
            return None
        encoded.append(encode_key(value))
    projected = project(table, index, item)
    pk = encoded[0]
    sk = encoded[1] if len(encoded) > 1 else b""
    return IndexEntry(index.id, zlib.crc32(pk), pk, sk, projected, item_size(projected))


def _key_error(index: Index, name: str, expected: str, value: dict[str, object]) -> str | None:
    ((actual, data),) = value.items()
    if actual != expected:
        return (f"{INVALID}Type mismatch for Index Key {name} Expected: {expected} "
                f"Actual: {actual} IndexName: {index.name}")
    if actual != "N" and not data:
        what = "string" if actual == "S" else "binary"
        return (f"{NOT_VALID}A value specified for a secondary index key is not supported. "
                f"The AttributeValue for a key attribute cannot contain an empty {what} "
                f"value. IndexName: {index.name}, IndexKey: {name}")
    return None


def project(table: Table, index: Index, item: Item) -> Item:
    """The attributes of ``item`` that ``index`` keeps."""
    projection = index.projection
    if projection.type is ProjectionType.ALL:
        return item
    names = [*table.key.names(), *index.key.names()]
    if projection.type is ProjectionType.INCLUDE:
        names.extend(projection.non_key_attributes)
    return {name: item[name] for name in names if name in item}


def index_key_of(table: Table, index: Index, item: Item) -> Item:
    """LastEvaluatedKey of an index read: the table's and the index's key attributes."""
    names = [*table.key.names(), *index.key.names()]
    return {name: item[name] for name in names if name in item}


def plan_entries(table: Table, item: Item | None) -> list[IndexEntry | None]:
    """The rows ``item`` (None: a deleted item) has in each of the table's indexes."""
    if item is None:
        return [None] * len(table.indexes)
    return [entry_for(table, index, item) for index in table.indexes]


def apply_entries(conn: sqlite3.Connection, table: Table, tpk: bytes, tsk: bytes,
                  old: list[IndexEntry | None], new: list[IndexEntry | None]) -> None:
    """Replace an item's old index rows by its new ones, and count them."""
    for index, before, after in zip(table.indexes, old, new, strict=True):
        if before is not None:
            conn.execute(
                "DELETE FROM dynamodb_index_items WHERE index_id = ? AND h = ? AND pk = ? "
                "AND sk = ? AND tpk = ? AND tsk = ?",
                (index.id, before.hash, before.pk, before.sk, tpk, tsk),
            )
        if after is not None:
            insert_entry(conn, after, tpk, tsk)
        count = (after is not None) - (before is not None)
        size = (after.size if after else 0) - (before.size if before else 0)
        if count or size:
            conn.execute(
                "UPDATE dynamodb_indexes SET item_count = item_count + ?, "
                "size_bytes = size_bytes + ? WHERE id = ?", (count, size, index.id)
            )


def insert_entry(conn: sqlite3.Connection, entry: IndexEntry, tpk: bytes, tsk: bytes) -> None:
    conn.execute(
        "INSERT INTO dynamodb_index_items (index_id, h, pk, sk, tpk, tsk, item, size) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (entry.index_id, entry.hash, entry.pk, entry.sk, tpk, tsk, encode_item(entry.item),
         entry.size),
    )
