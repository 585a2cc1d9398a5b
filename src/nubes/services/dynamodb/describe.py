"""TableDescription (and its index and stream parts) as DescribeTable answers it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nubes.services.dynamodb.schema import Index, IndexKind, KeySchema, Table, TableStats
from nubes.services.dynamodb.table_spec import PAY_PER_REQUEST

NO_THROUGHPUT = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}


def key_schema(key: KeySchema) -> list[dict[str, str]]:
    out = [{"AttributeName": key.partition, "KeyType": "HASH"}]
    if key.sort is not None:
        out.append({"AttributeName": key.sort, "KeyType": "RANGE"})
    return out


def _throughput(spec: dict[str, int] | None) -> dict[str, Any]:
    return {"NumberOfDecreasesToday": 0, **(spec or NO_THROUGHPUT)}


def _projection(index: Index) -> dict[str, Any]:
    out: dict[str, Any] = {"ProjectionType": index.projection.type.value}
    if index.projection.non_key_attributes:
        out["NonKeyAttributes"] = list(index.projection.non_key_attributes)
    return out


def describe_index(table: Table, index: Index, stats: TableStats | None) -> dict[str, Any]:
    count, size = stats.indexes.get(index.name, (0, 0)) if stats else (0, 0)
    out: dict[str, Any] = {
        "IndexName": index.name,
        "KeySchema": key_schema(index.key),
        "Projection": _projection(index),
        "IndexSizeBytes": size,
        "ItemCount": count,
        "IndexArn": f"{table.arn}/index/{index.name}",
    }
    if index.kind is IndexKind.GLOBAL:
        status = "CREATING" if table.status == "CREATING" else index.status
        out["IndexStatus"] = status
        if status == "CREATING":
            out["Backfilling"] = table.status != "CREATING"
        out["ProvisionedThroughput"] = _throughput(index.extra.get("ProvisionedThroughput"))
        if table.extra.get("BillingMode") == PAY_PER_REQUEST:
            out["WarmThroughput"] = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000,
                                     "Status": "ACTIVE"}
    return out


def describe_table(table: Table, stats: TableStats | None,
                   status: str | None = None) -> dict[str, Any]:
    """The TableDescription of ``table`` (counters from ``stats`` when given)."""
    extra = table.extra
    out: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": kind}
                                 for name, kind in table.attribute_definitions.items()],
        "TableName": table.name,
        "KeySchema": key_schema(table.key),
        "TableStatus": status or table.status,
        "CreationDateTime": datetime.fromtimestamp(table.created, UTC),
        "ProvisionedThroughput": _throughput(extra.get("ProvisionedThroughput")),
        "TableSizeBytes": stats.size_bytes if stats else 0,
        "ItemCount": stats.item_count if stats else 0,
        "TableArn": table.arn,
        "TableId": extra.get("TableId", ""),
        "DeletionProtectionEnabled": bool(extra.get("DeletionProtectionEnabled")),
    }
    if extra.get("BillingMode") == PAY_PER_REQUEST:
        out["BillingModeSummary"] = {
            "BillingMode": PAY_PER_REQUEST,
            "LastUpdateToPayPerRequestDateTime": datetime.fromtimestamp(
                extra.get("PayPerRequestSince", table.created), UTC)}
    elif extra.get("BillingModeChanged"):
        out["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
    _add_indexes(out, table, stats)
    _add_stream(out, table)
    if extra.get("TableClass") and extra["TableClass"] != "STANDARD":
        out["TableClassSummary"] = {"TableClass": extra["TableClass"]}
    sse = extra.get("SSE")
    if sse and sse.get("Enabled"):
        out["SSEDescription"] = {
            "Status": "ENABLED", "SSEType": "KMS",
            "KMSMasterKeyArn": f"arn:aws:kms:{table.region}:{table.account}:key/"
                               f"{extra.get('TableId', '')}"}
    return out


def _add_indexes(out: dict[str, Any], table: Table, stats: TableStats | None) -> None:
    local = [describe_index(table, index, stats) for index in table.indexes
             if index.kind is IndexKind.LOCAL]
    global_ = [describe_index(table, index, stats) for index in table.indexes
               if index.kind is IndexKind.GLOBAL]
    if local:
        out["LocalSecondaryIndexes"] = local
    if global_:
        out["GlobalSecondaryIndexes"] = global_


def _add_stream(out: dict[str, Any], table: Table) -> None:
    stream = table.stream
    if stream is None:
        return
    if stream.enabled:
        out["StreamSpecification"] = {"StreamEnabled": True,
                                      "StreamViewType": stream.view_type.value}
    out["LatestStreamLabel"] = stream.label
    out["LatestStreamArn"] = stream.arn
