"""What the store keeps about a table: key schema, secondary indexes, stream and TTL
settings, and the settings the provider only describes (billing, throughput, tags, ...).

Plain frozen dataclasses with no SQL; ``to_json``/``from_json`` are the stored form. A
``Table`` carries the ``version`` it was read at: a write made with a stale ``Table``
(an index added meanwhile, the table deleted) is detected by the store and retried.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from nubes.services.dynamodb.types import Item


class ProjectionType(StrEnum):
    ALL = "ALL"
    KEYS_ONLY = "KEYS_ONLY"
    INCLUDE = "INCLUDE"


class IndexKind(StrEnum):
    LOCAL = "LOCAL"
    GLOBAL = "GLOBAL"


class StreamViewType(StrEnum):
    KEYS_ONLY = "KEYS_ONLY"
    NEW_IMAGE = "NEW_IMAGE"
    OLD_IMAGE = "OLD_IMAGE"
    NEW_AND_OLD_IMAGES = "NEW_AND_OLD_IMAGES"


@dataclass(frozen=True)
class KeySchema:
    """A partition key and an optional sort key, each with its type (S, N or B)."""

    partition: str
    partition_type: str
    sort: str | None = None
    sort_type: str | None = None

    def attributes(self) -> list[tuple[str, str]]:
        """((name, type), ...) with the partition key first."""
        pairs = [(self.partition, self.partition_type)]
        if self.sort is not None and self.sort_type is not None:
            pairs.append((self.sort, self.sort_type))
        return pairs

    def names(self) -> list[str]:
        return [self.partition] if self.sort is None else [self.partition, self.sort]

    def key_of(self, item: Item) -> Item:
        """The key attributes of an item that has them."""
        key = {self.partition: item[self.partition]}
        if self.sort is not None:
            key[self.sort] = item[self.sort]
        return key


@dataclass(frozen=True)
class Projection:
    type: ProjectionType = ProjectionType.ALL
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Index:
    """A local or global secondary index. ``id`` is assigned by the store; ``extra``
    keeps what only DescribeTable shows (provisioned throughput, ...)."""

    name: str
    kind: IndexKind
    key: KeySchema
    projection: Projection = Projection()
    status: str = "ACTIVE"
    id: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Stream:
    """A table's current stream (a table keeps a stream's ARN after disabling it)."""

    id: int
    arn: str
    label: str
    view_type: StreamViewType
    enabled: bool = True


@dataclass(frozen=True)
class Table:
    """A table as stored. ``extra`` holds the settings the store does not interpret
    (BillingModeSummary, ProvisionedThroughput, SSE, TableClass, tags, ...)."""

    account: str
    region: str
    name: str
    key: KeySchema
    attribute_definitions: dict[str, str] = field(default_factory=dict)
    indexes: tuple[Index, ...] = ()
    status: str = "ACTIVE"
    created: float = 0.0
    stream: Stream | None = None
    ttl_attribute: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    id: int = 0
    version: int = 0

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    def index(self, name: str) -> Index | None:
        return next((index for index in self.indexes if index.name == name), None)

    def stream_enabled(self) -> bool:
        return self.stream is not None and self.stream.enabled

    def settled(self) -> bool:
        """ACTIVE, and so is every index (nothing is being created)."""
        return self.status == "ACTIVE" and all(i.status == "ACTIVE" for i in self.indexes)


@dataclass(frozen=True)
class TableStats:
    """Bookkeeping DescribeTable reports: ItemCount and TableSizeBytes (per index too)."""

    item_count: int
    size_bytes: int
    indexes: dict[str, tuple[int, int]] = field(default_factory=dict)


def table_to_json(table: Table) -> str:
    """The stored form of the settings of a table (not its id, name or counters)."""
    data = asdict(table)
    for name in ("account", "region", "name", "id", "version", "created", "indexes"):
        data.pop(name)  # identity columns, and indexes: rows of their own
    return json.dumps(data, separators=(",", ":"))


def _index_json(index: Index) -> dict[str, Any]:
    data = asdict(index)
    data.pop("id")
    return data


def table_from_json(text: str, **identity: Any) -> Table:
    """A Table from its stored settings and its identity columns (id, name, ...)."""
    data = json.loads(text)
    stream = data["stream"]
    return Table(
        key=KeySchema(**data["key"]),
        attribute_definitions=data["attribute_definitions"],
        indexes=(),
        status=data["status"],
        stream=Stream(**{**stream, "view_type": StreamViewType(stream["view_type"])})
        if stream else None,
        ttl_attribute=data["ttl_attribute"],
        extra=data["extra"],
        **identity,
    )


def index_from_json(text: str, index_id: int) -> Index:
    data = json.loads(text)
    projection = data["projection"]
    return Index(
        name=data["name"],
        kind=IndexKind(data["kind"]),
        key=KeySchema(**data["key"]),
        projection=Projection(
            ProjectionType(projection["type"]), tuple(projection["non_key_attributes"])
        ),
        status=data["status"],
        id=index_id,
        extra=data["extra"],
    )


def index_to_json(index: Index) -> str:
    return json.dumps(_index_json(index), separators=(",", ":"))

