"""Time to Live: each item's expiry kept in a column, and the sweep that deletes expired
items as DynamoDB's TTL service does (removed from indexes, recorded in the stream with
the service as the user).

An item expires when its TTL attribute is a number of epoch seconds in the past, but
not more than five years in the past (DynamoDB leaves those alone). The sweep claims
nothing in memory: any process may run it, each deletion is its own small transaction
that re-reads the item, so a concurrent update that moved the expiry wins.
"""

from __future__ import annotations

import sqlite3

from nubes.services.dynamodb.codec import decode_item
from nubes.services.dynamodb.item_writes import delete_expired, ttl_of
from nubes.services.dynamodb.schema import Table

FIVE_YEARS = 5 * 365 * 24 * 3600


def expired(table: Table, expiry: float | None, now: float) -> bool:
    return expiry is not None and now - FIVE_YEARS <= expiry < now


def due(conn: sqlite3.Connection, table: Table, now: float, limit: int
        ) -> list[tuple[int, bytes, bytes]]:
    """(hash, pk, sk) of up to ``limit`` expired items of a table, soonest expired first."""
    rows = conn.execute(
        "SELECT h, pk, sk FROM dynamodb_items WHERE table_id = ? AND ttl >= ? AND ttl < ? "
        "ORDER BY ttl LIMIT ?", (table.id, now - FIVE_YEARS, now, limit),
    ).fetchall()
    return [(row[0], row[1], row[2]) for row in rows]


def delete_if_expired(conn: sqlite3.Connection, table: Table, h: int, pk: bytes, sk: bytes,
                      now: float) -> bool:
    row = conn.execute(
        "SELECT ttl FROM dynamodb_items WHERE table_id = ? AND h = ? AND pk = ? AND sk = ?",
        (table.id, h, pk, sk),
    ).fetchone()
    if row is None or not expired(table, row[0], now):
        return False
    return delete_expired(conn, table, h, pk, sk, now)


def backfill(conn: sqlite3.Connection, table: Table) -> None:
    """Set (or clear, when TTL is off) the expiry column of every item of a table."""
    if table.ttl_attribute is None:
        conn.execute("UPDATE dynamodb_items SET ttl = NULL WHERE table_id = ? "
                     "AND ttl IS NOT NULL", (table.id,))
        return
    if '"' not in table.ttl_attribute:
        # Done by SQLite's JSON functions: an item's stored form is its wire JSON, after
        # a \x01 marker when it holds binary values.
        path = f'$."{table.ttl_attribute}".N'
        conn.execute(
            "UPDATE dynamodb_items SET ttl = CAST(json_extract(CASE WHEN substr(item, 1, 1) "
            "= char(1) THEN substr(item, 2) ELSE item END, ?) AS REAL) WHERE table_id = ?",
            (path, table.id))
        return
    _backfill_slowly(conn, table)


def _backfill_slowly(conn: sqlite3.Connection, table: Table) -> None:
    rows = conn.execute("SELECT h, pk, sk, item FROM dynamodb_items WHERE table_id = ?",
                        (table.id,)).fetchall()
    conn.executemany(
        "UPDATE dynamodb_items SET ttl = ? WHERE table_id = ? AND h = ? AND pk = ? AND sk = ?",
        [(ttl_of(table, decode_item(row[3])), table.id, row[0], row[1], row[2])
         for row in rows])
