"""What Lambda's event source mappings read, over the services that hold it: SQS queues
(through the SQS provider's internal receive and delete), Kinesis shards and DynamoDB
streams (through their stores). Built by ``services.registry``; Lambda sees only the
protocols of ``lambda_.mappings.sources``."""

from __future__ import annotations

import time

from nubes.services.dynamodb.streams import wire
from nubes.services.dynamodb.streams_store import StreamStore, sequence_number
from nubes.services.kinesis.models import (
    Stream,
    StreamStatus,
    parse_stream_arn,
    shard_index,
)
from nubes.services.kinesis.store import KinesisStore
from nubes.services.lambda_.mappings.sources import QueueFacts, QueueMessage, StreamItem
from nubes.services.sqs.provider import SqsProvider


class QueueAdapter:
    def __init__(self, sqs: SqsProvider) -> None:
        self.sqs = sqs

    def queue(self, arn: str) -> QueueFacts | None:
        queue = self.sqs.queue_facts(arn)
        if queue is None:
            return None
        return QueueFacts(queue.fifo, queue.int_attr("VisibilityTimeout"))

    async def receive(self, arn: str, count: int, wait_s: float) -> list[QueueMessage]:
        return [QueueMessage(m.message_id, m.receipt_handle, m.body, m.md5_of_body,
                             m.attributes, m.message_attributes)
                for m in await self.sqs.receive_internal(arn, count, wait_s)]

    def delete(self, arn: str, receipt_handles: list[str]) -> None:
        self.sqs.delete_internal(arn, receipt_handles)

    def release(self, arn: str, receipt_handles: list[str]) -> None:
        self.sqs.release_internal(arn, receipt_handles)


class KinesisAdapter:
    """Positions are a shard's record counters."""

    def __init__(self, store: KinesisStore) -> None:
        self.store = store

    def _stream(self, arn: str) -> Stream | None:
        parsed = parse_stream_arn(arn)
        if parsed is None:
            return None
        region, account, name = parsed
        stream = self.store.get_stream(account, region, name)
        return stream if stream is not None and stream.status is not StreamStatus.DELETING \
            else None

    def shards(self, arn: str) -> list[str] | None:
        stream = self._stream(arn)
        if stream is None:
            return None
        return [shard.shard_id for shard in self.store.shards(stream.id)]

    def start(self, arn: str, shard: str, position: str, timestamp: float | None) -> int:
        stream, index = self._stream(arn), shard_index(shard)
        if stream is None or index is None or position == "TRIM_HORIZON":
            return 0
        latest = next((s.next_sequence - 1 for s in self.store.shards(stream.id)
                       if s.index == index), 0)
        if position == "AT_TIMESTAMP" and timestamp is not None:
            first = self.store.first_at(stream.id, index, timestamp)
            return first - 1 if first is not None else latest
        return latest

    def read(self, arn: str, shard: str, after: int, limit: int) -> list[StreamItem]:
        stream, index = self._stream(arn), shard_index(shard)
        if stream is None or index is None:
            return []
        not_before = time.time() - stream.retention_hours * 3600
        return [StreamItem(r.sequence, r.sequence_number, r.arrival, r.partition_key, r.data)
                for r in self.store.read(stream.id, index, after, limit, not_before)]


class DynamoDBStreamAdapter:
    """A DynamoDB stream has one shard; positions are its records' sequence counters."""

    def __init__(self, streams: StreamStore) -> None:
        self.streams = streams

    def shards(self, arn: str) -> list[str] | None:
        info = self.streams.get_stream(arn)
        return [info.shard_id] if info is not None else None

    def start(self, arn: str, shard: str, position: str, timestamp: float | None) -> int:
        return 0 if position == "TRIM_HORIZON" else self.streams.latest_sequence()

    def read(self, arn: str, shard: str, after: int, limit: int) -> list[StreamItem]:
        info = self.streams.get_stream(arn)
        if info is None or info.shard_id != shard:
            return []
        return [StreamItem(change.sequence, sequence_number(change.sequence), change.created,
                           change=wire.record(info, change))
                for change in self.streams.read(info.id, after, limit)]
