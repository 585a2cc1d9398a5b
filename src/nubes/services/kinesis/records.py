"""Records: PutRecord, PutRecords and GetRecords.

A record goes to the shard whose hash key range holds its hash key: the MD5 of its
partition key, or its ``ExplicitHashKey``. All the records of one PutRecords call are
appended in one transaction, so the call succeeds or fails as a whole (FailedRecordCount
is always 0; there is no throttling). Reads never return a record past the stream's
retention period, whether or not the sweep has deleted it yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.kinesis import exceptions as exc
from nubes.services.kinesis import wire
from nubes.services.kinesis.core import KinesisCore
from nubes.services.kinesis.iterators import ShardIterator, check_fresh, decode, encode
from nubes.services.kinesis.models import (
    MAX_HASH_KEY,
    Record,
    Shard,
    Stream,
    StreamStatus,
    hash_key,
    sequence_number,
    shard_id,
)

MAX_DATA_BYTES = 1024 * 1024
MAX_BATCH_BYTES = 5 * 1024 * 1024
MAX_BATCH_RECORDS = 500
MAX_READ_BYTES = 10 * 1024 * 1024


class RecordOps(KinesisCore):
    def put_record(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stream = self.stream(ctx, params, active=True)
        index = _route(self.store.shards(stream.id), params, "")
        counter = self.store.append(
            stream.id, [(index, params["PartitionKey"], params["Data"])], self.clock())[0]
        return {"ShardId": shard_id(index), "SequenceNumber": sequence_number(index, counter)}

    def put_records(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        entries = params["Records"]
        if not 1 <= len(entries) <= MAX_BATCH_RECORDS:
            raise exc.constraint("records", f"[{len(entries)} records]",
                                 f"Member must have length less than or equal to "
                                 f"{MAX_BATCH_RECORDS}" if entries else
                                 "Member must have length greater than or equal to 1")
        stream = self.stream(ctx, params, active=True)
        shards = self.store.shards(stream.id)
        routed = [(_route(shards, entry, f"records.{n}.member."), entry["PartitionKey"],
                   entry["Data"]) for n, entry in enumerate(entries, start=1)]
        total = sum(len(data) + len(key.encode()) for _, key, data in routed)
        if total > MAX_BATCH_BYTES:
            raise exc.InvalidArgumentException(
                f"Records size exceeds {MAX_BATCH_BYTES // (1024 * 1024)} MB limit")
        counters = self.store.append(stream.id, routed, self.clock())
        return {"FailedRecordCount": 0, "Records": [
            {"ShardId": shard_id(index), "SequenceNumber": sequence_number(index, counter)}
            for (index, _, _), counter in zip(routed, counters, strict=True)]}

    def get_records(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = exc.bounded("limit", params.get("Limit"), 1, 10000, 10000)
        iterator = decode(params["ShardIterator"])
        now = self.clock()
        check_fresh(iterator, now)
        stream = self._iterator_stream(ctx, iterator)
        not_before = now - stream.retention_hours * 3600
        rows = _within_size(self.store.read(stream.id, iterator.shard, iterator.position,
                                            limit, not_before))
        position = rows[-1].sequence if rows else iterator.position
        upcoming = self.store.read(stream.id, iterator.shard, position, 1, not_before)
        behind = round((now - upcoming[0].arrival) * 1000) if upcoming else 0
        next_iterator = ShardIterator(stream.id, iterator.shard, position, now)
        return {"Records": [wire.record(row) for row in rows],
                "NextShardIterator": encode(next_iterator),
                "MillisBehindLatest": max(behind, 0)}

    def _iterator_stream(self, ctx: RequestContext, iterator: ShardIterator) -> Stream:
        stream = self.store.stream_by_id(iterator.stream_id)
        if stream is None or (stream.account, stream.region) != (ctx.account_id, ctx.region) \
                or stream.status != StreamStatus.ACTIVE:
            raise exc.ResourceNotFoundException(
                f"Shard {shard_id(iterator.shard)} in stream under account {ctx.account_id} "
                "does not exist")
        return stream


def _route(shards: Sequence[Shard], entry: Mapping[str, Any], where: str) -> int:
    """The index of the shard a record goes to, its input checked."""
    key, data = entry["PartitionKey"], entry["Data"]
    if not 1 <= len(key) <= 256:
        raise exc.constraint(f"{where}partitionKey", key,
                             "Member must have length less than or equal to 256"
                             if key else "Member must have length greater than or equal to 1")
    if len(data) > MAX_DATA_BYTES:
        raise exc.constraint(f"{where}data", f"java.nio.HeapByteBuffer[pos=0 lim={len(data)} "
                             f"cap={len(data)}]",
                             f"Member must have length less than or equal to {MAX_DATA_BYTES}")
    hashed = _explicit(entry.get("ExplicitHashKey"))
    if hashed is None:
        hashed = hash_key(key)
    for shard in shards:
        if shard.holds(hashed):
            return shard.index
    raise exc.InvalidArgumentException(f"No shard holds hash key {hashed}")


def _explicit(text: str | None) -> int | None:
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and int(text) <= MAX_HASH_KEY):
        raise exc.InvalidArgumentException(
            f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {text}")
    return int(text)


def _within_size(records: list[Record]) -> list[Record]:
    """The leading records that fit in one 10 MB answer (always at least one)."""
    total = 0
    for count, row in enumerate(records):
        total += len(row.data) + len(row.partition_key)
        if total > MAX_READ_BYTES and count:
            return records[:count]
    return records
