"""The DynamoDB Streams provider: ListStreams, DescribeStream, GetShardIterator, GetRecords.

It reads what the DynamoDB store wrote (``DynamoStore.streams``), shared with the
DynamoDB provider, and runs the 24-hour retention sweep. Reads never return a record
older than 24 hours, swept or not; the sweep keeps records 15 minutes (an iterator's
lifetime) past that, so an iterator whose next record aged out while it waited finds
that record and answers TrimmedDataAccessException, as AWS does, instead of skipping it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from nubes.services.base import Provider, RequestContext
from nubes.services.dynamodb.store import DynamoStore
from nubes.services.dynamodb.streams import exceptions as exc
from nubes.services.dynamodb.streams import wire
from nubes.services.dynamodb.streams.iterators import (
    LIFETIME_SECONDS,
    ShardIterator,
    check_fresh,
    decode,
    encode,
)
from nubes.services.dynamodb.streams_store import RETENTION_SECONDS, StreamInfo, StreamRecord

log = logging.getLogger(__name__)

MAX_RECORDS_BYTES = 1024 * 1024  # GetRecords answers at most 1 MB (or 1,000 records)
_AT, _AFTER = "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"
_ITERATOR_TYPES = ("TRIM_HORIZON", "LATEST", _AT, _AFTER)


class DynamoDBStreamsProvider(Provider):
    service_name: ClassVar[str] = "dynamodbstreams"

    def __init__(self, store: DynamoStore, *, clock: Callable[[], float] = time.time,
                 sweep_interval_s: float = 60.0) -> None:
        super().__init__()
        self.store = store
        self.streams = store.streams
        self.clock = clock
        self.sweep_interval_s = sweep_interval_s
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    # -- streams ------------------------------------------------------------------------

    def list_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = _bounded(params, "Limit", 1, 100, 100)
        name = params.get("TableName")
        streams = self.streams.list_streams(ctx.account_id, ctx.region, name)
        if name and not streams and not self.store.get_table(ctx.account_id, ctx.region,
                                                              name):
            raise exc.table_not_found(name)
        start = params.get("ExclusiveStartStreamArn")
        if start is not None:
            after = self._stream(ctx, start).id
            streams = [info for info in streams if info.id > after]
        page = streams[:limit]
        out: dict[str, Any] = {"Streams": [wire.summary(info) for info in page]}
        if len(streams) > limit:
            out["LastEvaluatedStreamArn"] = page[-1].arn
        return out

    def describe_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        info = self._stream(ctx, params["StreamArn"])
        _bounded(params, "Limit", 1, 100, 100)  # one shard always fits
        shards = [] if _skips_shard(info, params) else [self._shard(info)]
        return {"StreamDescription": wire.description(info, shards)}

    def _shard(self, info: StreamInfo) -> dict[str, Any]:
        first, last = self.streams.sequence_range(info.id)
        # An empty shard starts where the next record will be numbered.
        start = first if first is not None else self.streams.latest_sequence() + 1
        closed = info.disabled is not None and last is not None
        return wire.shard(info, start, last if closed else None)

    def _stream(self, ctx: RequestContext, arn: str) -> StreamInfo:
        info = self.streams.get_stream(arn)
        if info is None or (info.account, info.region) != (ctx.account_id, ctx.region):
            raise exc.stream_not_found(arn)
        return info

    # -- iterators ----------------------------------------------------------------------

    def get_shard_iterator(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        info = self._stream(ctx, params["StreamArn"])
        if params["ShardId"] != info.shard_id:
            raise exc.shard_not_found(params["ShardId"], info.arn)
        now = self.clock()
        kind = params["ShardIteratorType"]
        if kind == "TRIM_HORIZON":
            position, horizon = 0, True
        elif kind == "LATEST":
            position, horizon = self.streams.latest_sequence(), False
        else:
            position, horizon = self._sequence_position(info, kind, params, now), False
        iterator = ShardIterator(info.arn, info.id, position, now, horizon)
        return {"ShardIterator": encode(iterator)}

    def _sequence_position(self, info: StreamInfo, kind: str, params: Mapping[str, Any],
                           now: float) -> int:
        if kind not in _ITERATOR_TYPES:
            raise exc.ValidationException(
                f"1 validation error detected: Value '{kind}' at 'shardIteratorType' failed "
                "to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(_ITERATOR_TYPES)}]")
        number = self._sequence_number(params.get("SequenceNumber"), kind)
        position = number - 1 if kind == _AT else number
        first, _last = self.streams.sequence_range(info.id)
        aged = self.streams.read(info.id, position, 1)
        old_stream = info.created < now - RETENTION_SECONDS
        if (aged and _expired(aged[0], now)) or (
                old_stream and (first is None or number < first)):
            raise exc.trimmed()
        return position

    def _sequence_number(self, text: str | None, kind: str) -> int:
        if text is None:
            raise exc.ValidationException(
                f"SequenceNumber is required when ShardIteratorType is {kind}")
        if not (text.isascii() and text.isdigit() and 21 <= len(text) <= 40):
            raise exc.ValidationException(f"Invalid SequenceNumber: {text}")
        number = int(text)
        if number < 1 or number > self.streams.latest_sequence():
            raise exc.ValidationException(
                f"Invalid SequenceNumber: {text} is beyond the end of the shard")
        return number

    # -- records ------------------------------------------------------------------------

    def get_records(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        iterator = decode(params["ShardIterator"])
        now = self.clock()
        check_fresh(iterator, now)
        info = self._stream(ctx, iterator.arn)
        if info.id != iterator.stream_id:  # a stream id reused after its stream was swept
            raise exc.stream_not_found(iterator.arn)
        limit = _bounded(params, "Limit", 1, 1000, 1000)
        rows = self.streams.read(info.id, iterator.position, limit)
        kept = [row for row in rows if not _expired(row, now)]
        if len(kept) < len(rows) and not iterator.horizon:
            raise exc.trimmed()
        taken = _within_size(kept)
        read_to = taken[-1].sequence if taken else (rows[-1].sequence if rows else None)
        out: dict[str, Any] = {"Records": [wire.record(info, row) for row in taken]}
        at_end = len(rows) < limit and len(taken) == len(kept)
        if not (info.disabled is not None and at_end):  # a closed shard read to its end
            out["NextShardIterator"] = encode(ShardIterator(
                info.arn, info.id, iterator.position if read_to is None else read_to, now,
                iterator.horizon and not taken))
        return out

    # -- retention ----------------------------------------------------------------------

    async def start(self) -> None:
        if self._sweeper is None:
            self._sweeper = threading.Thread(target=self._sweep_loop, daemon=True,
                                             name="dynamodb-streams-retention")
            self._sweeper.start()

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self.sweep_interval_s):
            try:
                self.sweep()
            except Exception:  # a failed sweep must not end retention for good
                log.exception("dynamodbstreams: retention sweep failed")

    def sweep(self) -> int:
        """Delete records past retention (plus an iterator's lifetime); returns how many."""
        return self.streams.sweep(self.clock() - LIFETIME_SECONDS)

    def close(self) -> None:
        self._stop.set()
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None and sweeper is not threading.current_thread():
            sweeper.join(timeout=5)


def _expired(record: StreamRecord, now: float) -> bool:
    return record.created < now - RETENTION_SECONDS


def _within_size(records: list[StreamRecord]) -> list[StreamRecord]:
    """The leading records that fit in one 1 MB answer (always at least one)."""
    total = 0
    for count, row in enumerate(records):
        total += row.size
        if total > MAX_RECORDS_BYTES and count:
            return records[:count]
    return records


def _skips_shard(info: StreamInfo, params: Mapping[str, Any]) -> bool:
    """Whether DescribeStream's paging or filter leaves out the stream's one shard."""
    start = params.get("ExclusiveStartShardId")
    if start is not None and start >= info.shard_id:
        return True
    # A shard filter asks for the children of a shard; ours never split.
    return params.get("ShardFilter") is not None


def _bounded(params: Mapping[str, Any], name: str, low: int, high: int, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not low <= int(value) <= high:
        raise exc.out_of_range(name[0].lower() + name[1:], value, low, high)
    return int(value)
