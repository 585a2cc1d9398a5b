"""Shards: ListShards and GetShardIterator.

Shards never split or merge here, so every shard is open and a ``ShardFilter`` other than
``AFTER_SHARD_ID`` lists them all. ListShards' NextToken is opaque: the stream's name and
the last shard listed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.kinesis import exceptions as exc
from nubes.services.kinesis import wire
from nubes.services.kinesis.core import KinesisCore
from nubes.services.kinesis.iterators import ShardIterator, encode
from nubes.services.kinesis.models import (
    Shard,
    Stream,
    parse_sequence_number,
    shard_id,
    shard_index,
)

_AT, _AFTER = "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"
ITERATOR_TYPES = (_AT, _AFTER, "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
_FILTER_TYPES = ("AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST",
                 "AT_TIMESTAMP", "FROM_TIMESTAMP")


class ShardOps(KinesisCore):
    def list_shards(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = exc.bounded("maxResults", params.get("MaxResults"), 1, 10000, 1000)
        token = params.get("NextToken")
        if token is not None:
            if params.get("StreamName") or params.get("StreamARN"):
                raise exc.InvalidArgumentException(
                    "NextToken and StreamName cannot be provided together.")
            name, after = _decode_token(token)
            stream = self.stream(ctx, {"StreamName": name})
        else:
            stream = self.stream(ctx, params)
            after = _after(params)
        shards = [s for s in self.store.shards(stream.id) if s.index > after]
        page = shards[:limit]
        out: dict[str, Any] = {"Shards": [wire.shard(s) for s in page]}
        if len(shards) > limit:
            out["NextToken"] = _encode_token(stream.name, page[-1].index)
        return out

    def get_shard_iterator(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        stream = self.stream(ctx, params, active=True)
        shard = self._shard(ctx, stream, params["ShardId"])
        kind = params["ShardIteratorType"]
        now = self.clock()
        if kind == "TRIM_HORIZON":
            position = 0
        elif kind == "LATEST":
            position = shard.next_sequence - 1
        elif kind == "AT_TIMESTAMP":
            position = self._timestamp_position(shard, params.get("Timestamp"))
        elif kind in (_AT, _AFTER):
            position = _sequence_position(shard, kind, params.get("StartingSequenceNumber"))
        else:
            raise exc.constraint("shardIteratorType", kind,
                                 f"Member must satisfy enum value set: "
                                 f"[{', '.join(ITERATOR_TYPES)}]")
        iterator = ShardIterator(stream.id, shard.index, position, now)
        return {"ShardIterator": encode(iterator)}

    def _shard(self, ctx: RequestContext, stream: Stream, wanted: str) -> Shard:
        index = shard_index(wanted)
        for shard in self.store.shards(stream.id):
            if shard.index == index:
                return shard
        raise exc.shard_not_found(wanted, stream.name, ctx.account_id)

    def _timestamp_position(self, shard: Shard, moment: datetime | float | None) -> int:
        if moment is None:
            raise exc.InvalidArgumentException(
                "Must specify timestamp for shard iterator type AT_TIMESTAMP")
        seconds = moment.timestamp() if isinstance(moment, datetime) else float(moment)
        first = self.store.first_at(shard.stream_id, shard.index, seconds)
        return shard.next_sequence - 1 if first is None else first - 1


def _sequence_position(shard: Shard, kind: str, text: str | None) -> int:
    if text is None:
        raise exc.InvalidArgumentException(
            f"Must specify StartingSequenceNumber for shard iterator type {kind}")
    parsed = parse_sequence_number(text)
    if parsed is None:
        raise exc.InvalidArgumentException(
            f"StartingSequenceNumber {text} used in GetShardIterator on shard "
            f"{shard.shard_id} is not a valid sequence number.")
    index, counter = parsed
    if index != shard.index:
        raise exc.InvalidArgumentException(
            f"Invalid StartingSequenceNumber. It encodes {shard_id(index)}, while it was "
            f"used in a call to a shard with {shard.shard_id}")
    return counter - 1 if kind == _AT else counter


def _after(params: Mapping[str, Any]) -> int:
    """The index after which ListShards lists, from ExclusiveStartShardId or ShardFilter."""
    start = params.get("ExclusiveStartShardId")
    shard_filter = params.get("ShardFilter") or {}
    kind = shard_filter.get("Type")
    if kind is not None and kind not in _FILTER_TYPES:
        raise exc.constraint("shardFilter.type", kind,
                             f"Member must satisfy enum value set: [{', '.join(_FILTER_TYPES)}]")
    if kind == "AFTER_SHARD_ID":
        start = shard_filter.get("ShardId")
        if start is None:
            raise exc.InvalidArgumentException(
                "Must specify ShardId for shard filter type AFTER_SHARD_ID")
    if start is None:
        return -1
    index = shard_index(start)
    return -1 if index is None else index


def _encode_token(name: str, index: int) -> str:
    return base64.urlsafe_b64encode(f"{name}|{index}".encode()).decode("ascii")


def _decode_token(token: str) -> tuple[str, int]:
    try:
        name, _, index = base64.urlsafe_b64decode(token.encode("ascii")).decode().partition("|")
        return name, int(index)
    except (ValueError, UnicodeError, binascii.Error):
        raise exc.InvalidArgumentException(f"NextToken {token} is invalid.") from None
