"""CreateTable's (and UpdateTable's) input checked as DynamoDB checks it, into a ``Table``.

Key schemas, attribute definitions (which must name exactly the key attributes of the
table and its indexes), billing mode and throughput, local and global secondary indexes
(their number, keys and projections) and stream settings, each refused with AWS's words.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.core import check_table_name, required
from nubes.services.dynamodb.schema import (
    Index,
    IndexKind,
    KeySchema,
    Projection,
    ProjectionType,
    StreamViewType,
    Table,
)
from nubes.services.dynamodb.types import INVALID

MAX_LSIS = 5
MAX_GSIS = 20
MAX_PROJECTED = 100
PROVISIONED = "PROVISIONED"
PAY_PER_REQUEST = "PAY_PER_REQUEST"


def invalid(detail: str) -> exc.ValidationException:
    return exc.ValidationException(INVALID + detail)


def key_schema(elements: Sequence[Mapping[str, Any]], definitions: Mapping[str, str],
               where: str = "keySchema") -> KeySchema:
    """A KeySchema (HASH, then optional RANGE) with its attribute types."""
    if not elements:
        required({}, "KeySchema", where)
    if len(elements) > 2:
        raise exc.ValidationException(
            f"1 validation error detected: Value '{list(elements)}' at '{where}' failed to "
            "satisfy constraint: Member must have length less than or equal to 2")
    if elements[0].get("KeyType") != "HASH":
        raise exc.ValidationException(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(elements) == 2:
        if elements[1].get("KeyType") != "RANGE":
            raise exc.ValidationException(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
        if elements[0]["AttributeName"] == elements[1]["AttributeName"]:
            raise exc.ValidationException(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name")
    names = [element["AttributeName"] for element in elements]
    missing = [name for name in names if name not in definitions]
    if missing:
        raise invalid(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: "
            f"[{', '.join(names)}], AttributeDefinitions: [{', '.join(definitions)}]")
    sort = names[1] if len(names) > 1 else None
    return KeySchema(names[0], definitions[names[0]], sort,
                     definitions[sort] if sort is not None else None)


def attribute_definitions(params: Mapping[str, Any]) -> dict[str, str]:
    definitions: dict[str, str] = {}
    for position, item in enumerate(required(params, "AttributeDefinitions"), start=1):
        kind = item.get("AttributeType")
        if kind not in ("S", "N", "B"):
            raise exc.ValidationException(
                f"1 validation error detected: Value '{kind}' at 'attributeDefinitions."
                f"{position}.member.attributeType' failed to satisfy constraint: Member must "
                "satisfy enum value set: [B, N, S]")
        if item["AttributeName"] in definitions:
            raise invalid("Duplicate AttributeName: " + item["AttributeName"])
        definitions[item["AttributeName"]] = kind
    return definitions


def projection(spec: Mapping[str, Any] | None, index: str) -> Projection:
    if not spec or "ProjectionType" not in spec:
        raise invalid("Unknown ProjectionType: null")
    kind = ProjectionType(spec["ProjectionType"])
    attributes = tuple(spec.get("NonKeyAttributes") or ())
    if kind is ProjectionType.INCLUDE and not attributes:
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    if kind is not ProjectionType.INCLUDE and attributes:
        raise invalid(f"ProjectionType is {kind.value}, but NonKeyAttributes is specified")
    return Projection(kind, attributes)


def throughput(spec: Mapping[str, Any] | None, billing: str,
               index: str | None = None) -> dict[str, int] | None:
    """The ProvisionedThroughput to keep, checked against the billing mode."""
    if billing == PAY_PER_REQUEST:
        if spec:
            if index is not None:
                raise invalid(f"ProvisionedThroughput should not be specified for index: "
                              f"{index} when BillingMode is PAY_PER_REQUEST")
            raise invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                          "when BillingMode is PAY_PER_REQUEST")
        return None
    if not spec or spec.get("ReadCapacityUnits") is None or \
            spec.get("WriteCapacityUnits") is None:
        if index is not None:
            raise invalid(f"ProvisionedThroughput must be specified for index: {index}")
        raise invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                      "BillingMode is PROVISIONED")
    for name in ("ReadCapacityUnits", "WriteCapacityUnits"):
        if int(spec[name]) < 1:
            raise exc.ValidationException(
                f"1 validation error detected: Value '{spec[name]}' at 'provisionedThroughput."
                f"{name[0].lower()}{name[1:]}' failed to satisfy constraint: Member must have "
                "value greater than or equal to 1")
    return {"ReadCapacityUnits": int(spec["ReadCapacityUnits"]),
            "WriteCapacityUnits": int(spec["WriteCapacityUnits"])}


def index_spec(spec: Mapping[str, Any], kind: IndexKind, definitions: Mapping[str, str],
               billing: str) -> Index:
    """One LocalSecondaryIndexes / GlobalSecondaryIndexes (Create) element."""
    name = required(spec, "IndexName")
    check_table_name(name, "indexName")
    key = key_schema(spec.get("KeySchema") or (), definitions)
    extra: dict[str, Any] = {"IndexArnName": name}
    if kind is IndexKind.GLOBAL:
        provisioned = throughput(spec.get("ProvisionedThroughput"), billing, name)
        if provisioned is not None:
            extra["ProvisionedThroughput"] = provisioned
    return Index(name, kind, key, projection(spec.get("Projection"), name), extra=extra)


def secondary_indexes(params: Mapping[str, Any], table_key: KeySchema,
                      definitions: Mapping[str, str], billing: str) -> tuple[Index, ...]:
    local = [index_spec(spec, IndexKind.LOCAL, definitions, billing)
             for spec in params.get("LocalSecondaryIndexes") or ()]
    global_ = [index_spec(spec, IndexKind.GLOBAL, definitions, billing)
               for spec in params.get("GlobalSecondaryIndexes") or ()]
    if local and table_key.sort is None:
        raise invalid("Table KeySchema does not have a range key, which is required when "
                      "specifying a LocalSecondaryIndex")
    for index in local:
        if index.key.partition != table_key.partition:
            raise invalid(
                "Index KeySchema does not have the same leading hash key as table KeySchema "
                f"for index: {index.name}. index hash key: {index.key.partition}, table hash "
                f"key: {table_key.partition}")
        if index.key.sort is None:
            raise invalid(f"Index KeySchema must have a range key for index: {index.name}")
    if len(local) > MAX_LSIS:
        raise invalid(f"Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSIS}")
    if len(global_) > MAX_GSIS:
        raise invalid(f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}")
    seen: set[str] = set()
    for index in (*local, *global_):
        if index.name in seen:
            raise invalid(f"Duplicate index name: {index.name}")
        seen.add(index.name)
    check_projected(local + global_)
    return (*local, *global_)


def check_projected(indexes: Sequence[Index]) -> None:
    total = sum(len(index.projection.non_key_attributes) for index in indexes)
    if total > MAX_PROJECTED:
        raise invalid("The sum of NonKeyAttributes across all secondary indexes exceeds "
                      f"the limit of {MAX_PROJECTED}")


def check_definitions_used(definitions: Mapping[str, str], table_key: KeySchema,
                           indexes: Sequence[Index]) -> None:
    used = set(table_key.names())
    for index in indexes:
        used.update(index.key.names())
    if set(definitions) != used:
        raise invalid("Number of attributes in KeySchema does not exactly match number of "
                      "attributes defined in AttributeDefinitions")


def stream_view(spec: Mapping[str, Any] | None) -> StreamViewType | None:
    """The view type of a StreamSpecification that enables a stream, else None."""
    if not spec:
        return None
    enabled = spec.get("StreamEnabled")
    view = spec.get("StreamViewType")
    if enabled and view is None:
        raise invalid("You must specify a StreamViewType when enabling a DynamoDB Stream")
    if not enabled and view is not None:
        raise invalid("You cannot specify a StreamViewType when disabling a DynamoDB Stream")
    return StreamViewType(str(view)) if enabled else None


def create_table_spec(account: str, region: str, params: Mapping[str, Any]) -> Table:
    """The Table a CreateTable request describes (status CREATING), all checked."""
    name = required(params, "TableName")
    check_table_name(name)
    definitions = attribute_definitions(params)
    key = key_schema(required(params, "KeySchema"), definitions)
    billing = params.get("BillingMode") or PROVISIONED
    provisioned = throughput(params.get("ProvisionedThroughput"), billing)
    indexes = secondary_indexes(params, key, definitions, billing)
    check_definitions_used(definitions, key, indexes)
    extra: dict[str, Any] = {
        "TableId": str(uuid.uuid4()),
        "BillingMode": billing,
        "ProvisionedThroughput": provisioned,
        "Tags": list(params.get("Tags") or ()),
        "TableClass": params.get("TableClass") or "STANDARD",
        "DeletionProtectionEnabled": bool(params.get("DeletionProtectionEnabled")),
        "SSE": params.get("SSESpecification"),
    }
    return Table(account, region, name, key, dict(definitions), indexes, status="CREATING",
                 extra=extra)
