"""ReturnConsumedCapacity: the capacity units a request used, counted as DynamoDB counts.

Reads are 4 KB units of the items read (a point read rounds its item up, at least one
unit; a Query or Scan rounds the total of its page), halved when eventually consistent.
Writes are 1 KB units of the larger of the item before and after (at least one), plus,
for each secondary index the write touches, its projected rows' units (two writes when
the index key changed). Transactions cost double. TOTAL answers the sum; INDEXES also
splits it between the table and each index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nubes.services.dynamodb.indexes import entry_for
from nubes.services.dynamodb.schema import IndexKind, Table
from nubes.services.dynamodb.types import Item, item_size

READ_UNIT = 4096
WRITE_UNIT = 1024


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_UNIT))
    return float(units) if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / WRITE_UNIT)))


@dataclass
class Consumed:
    """Units one request used on one table, split between the table and its indexes."""

    table: Table
    write: bool
    units: float = 0.0
    indexes: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return self.units + sum(self.indexes.values())

    def report(self, mode: str | None) -> dict[str, Any] | None:
        """The ConsumedCapacity member for ReturnConsumedCapacity ``mode``."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        total = self.total
        out: dict[str, Any] = {
            "TableName": self.table.name, "CapacityUnits": total,
            "WriteCapacityUnits" if self.write else "ReadCapacityUnits": total}
        if mode == "INDEXES":
            out["Table"] = self._units(self.units)
            for name, units in self.indexes.items():
                index = self.table.index(name)
                group = "LocalSecondaryIndexes" if index is not None and \
                    index.kind is IndexKind.LOCAL else "GlobalSecondaryIndexes"
                out.setdefault(group, {})[name] = self._units(units)
        return out

    def _units(self, units: float) -> dict[str, float]:
        kind = "WriteCapacityUnits" if self.write else "ReadCapacityUnits"
        return {kind: units, "CapacityUnits": units}


def item_write(table: Table, old: Item | None, new: Item | None, *,
               transactional: bool = False) -> Consumed:
    """What writing ``new`` over ``old`` costs (deletes: ``new`` None)."""
    factor = 2.0 if transactional else 1.0
    sizes = [item_size(item) for item in (old, new) if item is not None]
    consumed = Consumed(table, True, factor * write_units(max(sizes, default=0)))
    for index in table.indexes:
        before = entry_for(table, index, old, strict=False) if old is not None else None
        after = entry_for(table, index, new, strict=False) if new is not None else None
        if before is None and after is None:
            continue
        if before is not None and after is not None and \
                (before.pk, before.sk) != (after.pk, after.sk):
            units = write_units(before.size) + write_units(after.size)
        else:
            units = write_units(max(entry.size for entry in (before, after) if entry))
        consumed.indexes[index.name] = factor * units
    return consumed


def item_read(table: Table, size: int, consistent: bool, *, index: str | None = None,
              transactional: bool = False) -> Consumed:
    """What a point read, or a Query/Scan page of ``size`` bytes, costs."""
    units = read_units(size, consistent or transactional) * (2 if transactional else 1)
    consumed = Consumed(table, False)
    if index is None:
        consumed.units = units
    else:
        consumed.indexes[index] = units
    return consumed


def merge(parts: list[Consumed]) -> list[Consumed]:
    """Parts of one request summed per table (BatchGetItem, transactions)."""
    by_table: dict[int, Consumed] = {}
    for part in parts:
        found = by_table.get(part.table.id)
        if found is None:
            by_table[part.table.id] = Consumed(part.table, part.write, part.units,
                                               dict(part.indexes))
            continue
        found.units += part.units
        for name, units in part.indexes.items():
            found.indexes[name] = found.indexes.get(name, 0.0) + units
    return list(by_table.values())


def report_all(parts: list[Consumed], mode: str | None) -> list[dict[str, Any]] | None:
    if mode not in ("TOTAL", "INDEXES"):
        return None
    return [report for part in merge(parts) if (report := part.report(mode)) is not None]
