"""Streams, shards and records in the shapes the Kinesis API returns."""

from __future__ import annotations

from typing import Any

from nubes.services.kinesis.models import Record, Shard, Stream, sequence_number


def mode(stream: Stream) -> dict[str, str]:
    return {"StreamMode": stream.mode}


def summary(stream: Stream) -> dict[str, Any]:
    """A stream as ListStreams' StreamSummaries lists it."""
    return {"StreamName": stream.name, "StreamARN": stream.arn,
            "StreamStatus": stream.status.value, "StreamModeDetails": mode(stream),
            "StreamCreationTimestamp": stream.created}


def _common(stream: Stream) -> dict[str, Any]:
    return {**summary(stream), "RetentionPeriodHours": stream.retention_hours,
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}], "EncryptionType": "NONE"}


def description(stream: Stream, shards: list[Shard], more: bool) -> dict[str, Any]:
    """DescribeStream's StreamDescription, with one page of shards."""
    return {**_common(stream), "Shards": [shard(s) for s in shards], "HasMoreShards": more}


def description_summary(stream: Stream, open_shards: int) -> dict[str, Any]:
    """DescribeStreamSummary's StreamDescriptionSummary."""
    return {**_common(stream), "OpenShardCount": open_shards, "ConsumerCount": 0}


def shard(found: Shard) -> dict[str, Any]:
    return {
        "ShardId": found.shard_id,
        "HashKeyRange": {"StartingHashKey": str(found.start_hash),
                         "EndingHashKey": str(found.end_hash)},
        "SequenceNumberRange": {"StartingSequenceNumber": sequence_number(found.index, 0)},
    }


def record(found: Record) -> dict[str, Any]:
    """One record as GetRecords returns it."""
    return {"SequenceNumber": found.sequence_number,
            "ApproximateArrivalTimestamp": found.arrival,
            "Data": found.data, "PartitionKey": found.partition_key}
