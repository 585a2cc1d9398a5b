"""Stream lifecycle: CreateStream, DeleteStream, DescribeStream(Summary), ListStreams,
and the retention period.

A new stream answers nothing and reads CREATING; it becomes ACTIVE in a background task
right after the response (so boto3's ``stream_exists`` waiter sees ACTIVE on its first
poll). DeleteStream leaves the stream DELETING, and a background task then deletes it
with its records. A stream found CREATING or DELETING at start-up (a crash in between)
is settled then.
"""

from __future__ import annotations

import asyncio
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.kinesis import exceptions as exc
from nubes.services.kinesis import wire
from nubes.services.kinesis.core import KinesisCore
from nubes.services.kinesis.models import (
    DEFAULT_RETENTION_HOURS,
    MAX_RETENTION_HOURS,
    ON_DEMAND_SHARDS,
    Stream,
    StreamStatus,
    shard_index,
    valid_stream_name,
)
from nubes.services.kinesis.store import NewStream

MAX_SHARDS = 1000  # a stream's shards; AWS's default quota is 500 (200 in some regions)
_MODES = ("PROVISIONED", "ON_DEMAND")


class StreamOps(KinesisCore):
    def create_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["StreamName"]
        if not valid_stream_name(name):
            raise exc.constraint("streamName", name,
                                 "Member must satisfy regular expression pattern: "
                                 "[a-zA-Z0-9_.-]+")
        stream_mode = (params.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
        new = NewStream(ctx.account_id, ctx.region, name, stream_mode,
                        _shard_count(stream_mode, params.get("ShardCount")), self.clock(),
                        dict(params.get("Tags") or {}))
        stream = self.store.create_stream(new)
        if stream is None:
            raise exc.stream_exists(name, ctx.account_id)
        self.background.spawn(self._settle_soon(stream))
        return {}

    def delete_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stream = self.stream(ctx, params)
        if stream.status != StreamStatus.DELETING:
            self.store.set_status(stream.id, StreamStatus.DELETING)
            self.background.spawn(self._settle_soon(stream))
        return {}

    async def _settle_soon(self, stream: Stream) -> None:
        await asyncio.sleep(0)
        fresh = self.store.stream_by_id(stream.id)
        if fresh is not None:
            self.settle(fresh)

    def settle(self, stream: Stream) -> None:
        """Finish a stream's transition: CREATING becomes ACTIVE, DELETING is deleted."""
        if stream.status == StreamStatus.CREATING:
            self.store.set_status(stream.id, StreamStatus.ACTIVE)
        elif stream.status == StreamStatus.DELETING:
            self.store.delete_stream(stream.id)

    def describe_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stream = self.stream(ctx, params)
        limit = exc.bounded("limit", params.get("Limit"), 1, 10000, 100)
        shards = self.store.shards(stream.id)
        start = params.get("ExclusiveStartShardId")
        if start is not None:
            after = shard_index(start)
            shards = [s for s in shards if after is None or s.index > after]
        return {"StreamDescription": wire.description(stream, shards[:limit],
                                                      len(shards) > limit)}

    def describe_stream_summary(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        stream = self.stream(ctx, params)
        count = len(self.store.shards(stream.id))
        return {"StreamDescriptionSummary": wire.description_summary(stream, count)}

    def list_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = exc.bounded("limit", params.get("Limit"), 1, 10000, 100)
        after = params.get("NextToken") or params.get("ExclusiveStartStreamName")
        streams = self.store.list_streams(ctx.account_id, ctx.region, after, limit + 1)
        page, more = streams[:limit], len(streams) > limit
        out: dict[str, Any] = {"StreamNames": [s.name for s in page], "HasMoreStreams": more,
                               "StreamSummaries": [wire.summary(s) for s in page]}
        if more:
            out["NextToken"] = page[-1].name
        return out

    # -- retention ----------------------------------------------------------------------

    def increase_stream_retention_period(self, ctx: RequestContext, params: dict[str, Any]
                                         ) -> dict[str, Any]:
        stream = self.stream(ctx, params)
        hours = _retention(params["RetentionPeriodHours"])
        if hours < stream.retention_hours:
            raise exc.InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not "
                f"be shorter than existing retention period ({stream.retention_hours} hours)."
                " Use DecreaseRetentionPeriod API.")
        self.store.set_retention(stream.id, hours)
        return {}

    def decrease_stream_retention_period(self, ctx: RequestContext, params: dict[str, Any]
                                         ) -> dict[str, Any]:
        stream = self.stream(ctx, params)
        hours = _retention(params["RetentionPeriodHours"])
        if hours > stream.retention_hours:
            raise exc.InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not "
                f"be longer than existing retention period ({stream.retention_hours} hours)."
                " Use IncreaseRetentionPeriod API.")
        self.store.set_retention(stream.id, hours)
        return {}


def _shard_count(stream_mode: str, count: int | None) -> int:
    if stream_mode not in _MODES:
        raise exc.constraint("streamModeDetails.streamMode", stream_mode,
                             f"Member must satisfy enum value set: [{', '.join(_MODES)}]")
    if stream_mode == "ON_DEMAND":
        return ON_DEMAND_SHARDS
    if count is None:
        raise exc.InvalidArgumentException(
            "ShardCount is required for streams in PROVISIONED mode.")
    exc.bounded("shardCount", count, 1, None, 1)
    if count > MAX_SHARDS:
        raise exc.LimitExceededException(
            f"This request would exceed the shard limit for the account. "
            f"Requested {count} shards; the limit is {MAX_SHARDS}.")
    return count


def _retention(hours: int) -> int:
    if hours < DEFAULT_RETENTION_HOURS:
        raise exc.InvalidArgumentException(
            f"Minimum allowed retention period is {DEFAULT_RETENTION_HOURS} hours. "
            f"Requested retention period ({hours} hours) is too short.")
    if hours > MAX_RETENTION_HOURS:
        raise exc.InvalidArgumentException(
            f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. "
            f"Requested retention period ({hours} hours) is too long.")
    return hours
