"""Time-bound rules with a clock of the test's own: iterators expire after 5 minutes, and
records past their stream's retention are never returned and are swept."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nubes.services.base import RequestContext
from nubes.services.kinesis import exceptions as exc
from nubes.services.kinesis.iterators import ShardIterator, check_fresh, decode, encode
from nubes.services.kinesis.provider import KinesisProvider
from nubes.services.kinesis.store import KinesisStore
from nubes.storage.sqlite import Database


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_iterator_round_trips_and_expires_after_five_minutes() -> None:
    iterator = ShardIterator(3, 1, 42, 1000.0)
    assert decode(encode(iterator)) == iterator
    check_fresh(iterator, 1000.0 + 300)
    with pytest.raises(exc.ExpiredIteratorException, match="300000 milliseconds"):
        check_fresh(iterator, 1000.0 + 301)
    with pytest.raises(exc.InvalidArgumentException):
        decode(encode(iterator)[:-4] + "AAAA")


def test_records_past_retention_are_not_returned_and_are_swept(tmp_path: Path) -> None:
    clock = Clock()
    db = Database(tmp_path / "nubes.db")
    provider = KinesisProvider(KinesisStore(db), clock=clock)
    ctx = RequestContext(request=None, request_id="r", service="kinesis")  # type: ignore[arg-type]

    async def scenario() -> None:
        provider.create_stream(ctx, {"StreamName": "s", "ShardCount": 1})
        await asyncio.sleep(0.01)  # the stream settles ACTIVE
        provider.put_record(ctx, {"StreamName": "s", "Data": b"old", "PartitionKey": "k"})
        clock.now += 23 * 3600
        provider.put_record(ctx, {"StreamName": "s", "Data": b"new", "PartitionKey": "k"})
        clock.now += 2 * 3600  # "old" is 25 hours old now
        iterator = provider.get_shard_iterator(ctx, {
            "StreamName": "s", "ShardId": "shardId-000000000000",
            "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        records = provider.get_records(ctx, {"ShardIterator": iterator})["Records"]
        assert [r["Data"] for r in records] == [b"new"]
        assert provider.sweep() == 1
        await provider.aclose()

    asyncio.run(scenario())
    db.close()


def test_the_iterator_of_a_get_records_call_starts_a_new_lifetime(tmp_path: Path) -> None:
    clock = Clock()
    db = Database(tmp_path / "nubes.db")
    provider = KinesisProvider(KinesisStore(db), clock=clock)
    ctx = RequestContext(request=None, request_id="r", service="kinesis")  # type: ignore[arg-type]

    async def scenario() -> None:
        provider.create_stream(ctx, {"StreamName": "s", "ShardCount": 1})
        await asyncio.sleep(0.01)
        iterator = provider.get_shard_iterator(ctx, {
            "StreamName": "s", "ShardId": "shardId-000000000000",
            "ShardIteratorType": "LATEST"})["ShardIterator"]
        clock.now += 200
        iterator = provider.get_records(ctx, {"ShardIterator": iterator})["NextShardIterator"]
        clock.now += 200
        provider.get_records(ctx, {"ShardIterator": iterator})
        clock.now += 301
        with pytest.raises(exc.ExpiredIteratorException):
            provider.get_records(ctx, {"ShardIterator": iterator})
        await provider.aclose()

    asyncio.run(scenario())
    db.close()
