"""Item writes: put, update, delete and condition checks, alone or as an all-or-nothing
group, each inside one SQLite transaction with its index rows, stream records and the
table's counters.

A write runs in two phases. First every operation reads its item's current version and
runs its callable (``check`` may raise to refuse; ``apply`` returns the new item), and
the new item is validated (size, index key types): nothing is written yet, and the
failures of all operations are collected. Then, only if none failed, every write is
made. The callables are pure: on a stale ``Table`` the whole group is retried.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nubes.errors import NubesError, ValidationError
from nubes.services.dynamodb import indexes, streams_store
from nubes.services.dynamodb.codec import decode_item, encode_item
from nubes.services.dynamodb.schema import Table
from nubes.services.dynamodb.types import (
    INVALID,
    Item,
    check_item_key,
    check_item_size,
    check_key,
)

# Sees the item as it is (None: absent) and raises to refuse the write.
Check = Callable[[Item | None], None]
# Sees the item as it is and returns it as it must become (UpdateItem).
Apply = Callable[[Item | None], Item]


@dataclass(frozen=True)
class Put:
    table: Table
    item: Item
    check: Check | None = None


@dataclass(frozen=True)
class Update:
    table: Table
    key: Item
    apply: Apply


@dataclass(frozen=True)
class Delete:
    table: Table
    key: Item
    check: Check | None = None


@dataclass(frozen=True)
class ConditionCheck:
    table: Table
    key: Item
    check: Check


WriteOp = Put | Update | Delete | ConditionCheck


@dataclass(frozen=True)
class WriteResult:
    """The item before and after one operation (None: absent)."""

    old: Item | None
    new: Item | None


class TransactionAborted(NubesError):
    """A group refused: ``failures[i]`` is what operation i raised, or None."""

    def __init__(self, failures: list[Exception | None]) -> None:
        super().__init__("Transaction cancelled")
        self.failures = failures


class StaleTable(NubesError):
    """A Table changed (or went away) since it was read; reload and retry."""

    def __init__(self, table_id: int) -> None:
        super().__init__(f"table {table_id} changed")
        self.table_id = table_id


@dataclass
class _Plan:
    table: Table
    hash: int
    pk: bytes
    sk: bytes
    old: Item | None
    old_size: int
    new: Item | None = None
    new_size: int = 0
    writes: bool = True
    entries: list[indexes.IndexEntry | None] | None = None  # the new item's index rows


def item_hash(pk: bytes) -> int:
    """The hash of an encoded partition key: rows are stored (and scanned) in its order."""
    return zlib.crc32(pk)


def op_key(op: WriteOp) -> tuple[bytes, bytes]:
    """The encoded (partition, sort) key an operation addresses, validated."""
    table = op.table
    if isinstance(op, Put):
        pk = check_item_key(op.item, table.key.partition, table.key.partition_type,
                            sort_key=False)
        sk = b""
        if table.key.sort is not None and table.key.sort_type is not None:
            sk = check_item_key(op.item, table.key.sort, table.key.sort_type, sort_key=True)
        return pk, sk
    encoded = check_key(op.key, table.key.attributes())
    return encoded[0], encoded[1] if len(encoded) > 1 else b""


def run(conn: sqlite3.Connection, ops: Sequence[WriteOp], now: float, *, group: bool
        ) -> list[WriteResult]:
    """Run ``ops`` in the caller's transaction. With ``group``, failures are reported
    together as TransactionAborted; otherwise the first failure is raised as is."""
    keys = [op_key(op) for op in ops]  # malformed keys fail the request, not one op
    if group and len({(op.table.id, *key) for op, key in zip(ops, keys, strict=True)}) < len(ops):
        raise ValidationError(
            "Transaction request cannot include multiple operations on one item")
    plans: list[_Plan | None] = []
    failures: list[Exception | None] = []
    for op, (pk, sk) in zip(ops, keys, strict=True):
        try:
            plans.append(_prepare(conn, op, pk, sk))
            failures.append(None)
        except (NubesError, ValueError) as error:
            if not group:
                raise
            plans.append(None)
            failures.append(error)
    if any(failures):
        raise TransactionAborted(failures)
    ready = [plan for plan in plans if plan is not None]
    deltas: dict[int, tuple[Table, int, int]] = {}
    for plan in ready:
        _execute(conn, plan, now)
        table, count, size = deltas.get(plan.table.id, (plan.table, 0, 0))
        deltas[plan.table.id] = (table, count + _count_delta(plan),
                                 size + plan.new_size - plan.old_size)
    for table, count, size in deltas.values():
        bump_counters(conn, table, count, size)
    return [WriteResult(plan.old, plan.new) for plan in ready]


def bump_counters(conn: sqlite3.Connection, table: Table, count: int, size: int) -> None:
    """Count items and bytes, and prove the Table used is still current."""
    changed = conn.execute(
        "UPDATE dynamodb_tables SET item_count = item_count + ?, size_bytes = size_bytes + ? "
        "WHERE id = ? AND version = ?", (count, size, table.id, table.version),
    ).rowcount
    if not changed:
        raise StaleTable(table.id)


def _count_delta(plan: _Plan) -> int:
    return (plan.new is not None) - (plan.old is not None) if plan.writes else 0


def read_row(conn: sqlite3.Connection, table: Table, h: int, pk: bytes, sk: bytes
             ) -> tuple[Item | None, int]:
    row = conn.execute(
        "SELECT item, size FROM dynamodb_items WHERE table_id = ? AND h = ? AND pk = ? "
        "AND sk = ?", (table.id, h, pk, sk),
    ).fetchone()
    return (decode_item(row[0]), row[1]) if row else (None, 0)


def _prepare(conn: sqlite3.Connection, op: WriteOp, pk: bytes, sk: bytes) -> _Plan:
    h = item_hash(pk)
    old, old_size = read_row(conn, op.table, h, pk, sk)
    plan = _Plan(op.table, h, pk, sk, old, old_size)
    if isinstance(op, ConditionCheck):
        op.check(old)
        plan.new, plan.new_size, plan.writes = old, old_size, False
        return plan
    if isinstance(op, Delete):
        if op.check is not None:
            op.check(old)
        plan.writes = old is not None
        return plan
    if isinstance(op, Put):
        if op.check is not None:
            op.check(old)
        new = op.item
    else:
        new = op.apply(old)
        _same_key(op.table, op.key, new)
    plan.new, plan.new_size = new, check_item_size(new)
    # Index keys are validated here, before anything is written.
    plan.entries = indexes.plan_entries(op.table, new)
    return plan


def _same_key(table: Table, key: Item, new: Item) -> None:
    for name in table.key.names():
        if new.get(name) != key[name]:
            raise ValidationError(
                f"{INVALID}Cannot update attribute {name}. This attribute is part of the key")


def _execute(conn: sqlite3.Connection, plan: _Plan, now: float, *, service: bool = False
             ) -> None:
    if not plan.writes:
        return
    table = plan.table
    key_args = (table.id, plan.hash, plan.pk, plan.sk)
    if plan.new is None:
        conn.execute("DELETE FROM dynamodb_items WHERE table_id = ? AND h = ? AND pk = ? "
                     "AND sk = ?", key_args)
    elif plan.old is None:
        conn.execute("INSERT INTO dynamodb_items (table_id, h, pk, sk, item, size, ttl) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (*key_args, encode_item(plan.new), plan.new_size, ttl_of(table, plan.new)))
    else:
        conn.execute("UPDATE dynamodb_items SET item = ?, size = ?, ttl = ? WHERE table_id = ? "
                     "AND h = ? AND pk = ? AND sk = ?",
                     (encode_item(plan.new), plan.new_size, ttl_of(table, plan.new), *key_args))
    if table.indexes:
        old_entries = [indexes.entry_for(table, index, plan.old, strict=False)
                       if plan.old is not None else None for index in table.indexes]
        new_entries = plan.entries
        if new_entries is None:
            new_entries = indexes.plan_entries(table, plan.new)
        indexes.apply_entries(conn, table, plan.pk, plan.sk, old_entries, new_entries)
    if table.stream_enabled():
        source = plan.new if plan.new is not None else plan.old
        assert source is not None
        streams_store.append(conn, table, table.key.key_of(source), plan.old, plan.new, now,
                             service=service)


def delete_expired(conn: sqlite3.Connection, table: Table, h: int, pk: bytes, sk: bytes,
                   now: float) -> bool:
    """Delete one item as the TTL service does (its stream record names DynamoDB)."""
    old, old_size = read_row(conn, table, h, pk, sk)
    if old is None:
        return False
    _execute(conn, _Plan(table, h, pk, sk, old, old_size), now, service=True)
    bump_counters(conn, table, -1, -old_size)
    return True


def ttl_of(table: Table, item: Item) -> float | None:
    """The expiry time of an item, when its table has TTL on and it has a number there."""
    if table.ttl_attribute is None:
        return None
    value = item.get(table.ttl_attribute)
    if value is None or "N" not in value:
        return None
    try:
        return float(value["N"])
    except OverflowError:
        return None
