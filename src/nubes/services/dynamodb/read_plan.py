"""What a Query or Scan reads: the table or an index, with which key, and what Select
returns (and whether an index's rows must be completed from the table, as an LSI does
for ALL_ATTRIBUTES)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.schema import IndexKind, KeySchema, ProjectionType, Table
from nubes.services.dynamodb.types import INVALID

SELECTS = ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT")


@dataclass(frozen=True)
class ReadPlan:
    table: Table
    index_name: str | None
    key: KeySchema
    select: str
    fetch_from_table: bool


def plan_read(table: Table, params: Mapping[str, Any], *, query: bool) -> ReadPlan:
    name = params.get("IndexName")
    index = table.index(name) if name is not None else None
    if name is not None and index is None:
        raise exc.ValidationException(f"The table does not have the specified index: {name}")
    projected = "ProjectionExpression" in params or "AttributesToGet" in params
    select = _select(params, projected, index is not None)
    fetch = False
    if index is not None:
        if index.kind is IndexKind.GLOBAL and params.get("ConsistentRead"):
            raise exc.ValidationException(
                "Consistent reads are not supported on global secondary indexes")
        if index.status == "CREATING":
            raise exc.ValidationException(
                f"Cannot read from backfilling global secondary index: {index.name}")
        partial = index.projection.type is not ProjectionType.ALL
        if select == "ALL_ATTRIBUTES" and partial:
            if index.kind is IndexKind.GLOBAL:
                raise exc.ValidationException(
                    f"{INVALID}Select type ALL_ATTRIBUTES is not supported for global "
                    f"secondary index {index.name} because its projection type is not ALL")
            fetch = True
    key = index.key if index is not None else table.key
    return ReadPlan(table, name, key, select, fetch)


def _select(params: Mapping[str, Any], projected: bool, on_index: bool) -> str:
    select = params.get("Select")
    if select is None:
        if projected:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if on_index else "ALL_ATTRIBUTES"
    if select not in SELECTS:
        raise exc.ValidationException(
            f"1 validation error detected: Value '{select}' at 'select' failed to satisfy "
            "constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, "
            "ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")
    if select == "ALL_PROJECTED_ATTRIBUTES" and not on_index:
        raise exc.ValidationException(
            f"{INVALID}ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
            "IndexName")
    if select == "SPECIFIC_ATTRIBUTES" and not projected:
        raise exc.ValidationException(
            f"{INVALID}Must specify the AttributesToGet or ProjectionExpression when choosing "
            "to get SPECIFIC_ATTRIBUTES")
    if select != "SPECIFIC_ATTRIBUTES" and projected:
        which = "ProjectionExpression" if "ProjectionExpression" in params else \
            "AttributesToGet"
        raise exc.ValidationException(
            f"{INVALID}Cannot specify the {which} when choosing to get {select}")
    return str(select)
