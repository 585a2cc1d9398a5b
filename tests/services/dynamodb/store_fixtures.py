"""Helpers shared by the store tests: a DynamoStore on a real SQLite file, and tables."""

from __future__ import annotations

from pathlib import Path

from nubes.services.dynamodb.schema import (
    Index,
    IndexKind,
    KeySchema,
    Projection,
    ProjectionType,
    Table,
)
from nubes.services.dynamodb.store import DynamoStore
from nubes.storage.sqlite import Database

ACCOUNT, REGION = "123456789012", "us-east-1"


def open_store(path: Path) -> DynamoStore:
    return DynamoStore(Database(path / "nubes.db"))


def table_spec(name: str = "t", sort_type: str | None = "N",
               indexes: tuple[Index, ...] = ()) -> Table:
    key = KeySchema("pk", "S", "sk" if sort_type else None, sort_type)
    return Table(ACCOUNT, REGION, name, key, indexes=indexes)


def gsi(name: str = "by_g", projection: Projection | None = None,
        sort: str | None = "gs") -> Index:
    return Index(name, IndexKind.GLOBAL, KeySchema("g", "S", sort, "N" if sort else None),
                 projection or Projection())


def lsi(name: str = "by_l", keys_only: bool = False) -> Index:
    projection = Projection(ProjectionType.KEYS_ONLY if keys_only else ProjectionType.ALL)
    return Index(name, IndexKind.LOCAL, KeySchema("pk", "S", "l", "S"), projection)


def item(pk: str, sk: float | str | None = None, **attrs: str) -> dict[str, dict[str, str]]:
    made = {"pk": {"S": pk}}
    if sk is not None:
        made["sk"] = {"N": str(sk)}
    for name, value in attrs.items():
        made[name] = {"N": value[1:]} if value.startswith("#") else {"S": value}
    return made
