"""Streams, shards and stream records in the shapes the DynamoDB Streams API returns."""

from __future__ import annotations

import hashlib
from typing import Any

from nubes.services.dynamodb.streams_store import StreamInfo, StreamRecord, sequence_number

EVENT_VERSION = "1.1"
EVENT_SOURCE = "aws:dynamodb"


def summary(info: StreamInfo) -> dict[str, Any]:
    """A stream as ListStreams lists it."""
    return {"StreamArn": info.arn, "TableName": info.table_name, "StreamLabel": info.label}


def description(info: StreamInfo, shards: list[dict[str, Any]]) -> dict[str, Any]:
    """DescribeStream's StreamDescription."""
    return {
        **summary(info),
        "StreamStatus": info.status,
        "StreamViewType": info.view_type.value,
        "CreationRequestDateTime": info.created,
        "KeySchema": [{"AttributeName": name, "KeyType": kind}
                      for name, kind in info.key_schema],
        "Shards": shards,
    }


def shard(info: StreamInfo, start: int, end: int | None) -> dict[str, Any]:
    """The stream's one shard; ``end`` is given once the shard is closed (stream disabled)."""
    numbers = {"StartingSequenceNumber": sequence_number(start)}
    if end is not None:
        numbers["EndingSequenceNumber"] = sequence_number(end)
    return {"ShardId": info.shard_id, "SequenceNumberRange": numbers}


def record(info: StreamInfo, change: StreamRecord) -> dict[str, Any]:
    """One record as GetRecords returns it (and as Lambda's stream events carry it)."""
    body: dict[str, Any] = {
        # AWS rounds the creation time down to the second.
        "ApproximateCreationDateTime": float(int(change.created)),
        "Keys": change.keys,
    }
    if change.new_image is not None:
        body["NewImage"] = change.new_image
    if change.old_image is not None:
        body["OldImage"] = change.old_image
    body.update(SequenceNumber=sequence_number(change.sequence), SizeBytes=change.size,
                StreamViewType=info.view_type.value)
    out = {
        "eventID": _event_id(info.arn, change.sequence),
        "eventName": change.event_name,
        "eventVersion": EVENT_VERSION,
        "eventSource": EVENT_SOURCE,
        "awsRegion": info.region,
        "dynamodb": body,
    }
    identity = change.user_identity
    if identity is not None:
        out["userIdentity"] = {"PrincipalId": identity["principalId"],
                               "Type": identity["type"]}
    return out


def _event_id(arn: str, sequence: int) -> str:
    # Stable: reading a record twice gives the same eventID (consumers deduplicate on it).
    return hashlib.blake2b(f"{arn}/{sequence}".encode(), digest_size=16).hexdigest()
