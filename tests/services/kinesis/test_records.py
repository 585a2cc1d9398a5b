"""Records through boto3: routing by partition key, ordering, every iterator type."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.services.kinesis.conftest import error_code


def shard_ranges(kinesis: Any, name: str) -> dict[str, tuple[int, int]]:
    return {s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]),
                           int(s["HashKeyRange"]["EndingHashKey"]))
            for s in kinesis.list_shards(StreamName=name)["Shards"]}


def read_all(kinesis: Any, name: str, shard: str, kind: str = "TRIM_HORIZON",
             **extra: Any) -> list[dict[str, Any]]:
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                          ShardIteratorType=kind, **extra)["ShardIterator"]
    records: list[dict[str, Any]] = kinesis.get_records(ShardIterator=iterator)["Records"]
    return records


def test_partition_keys_go_to_the_shard_whose_range_holds_their_md5(
        kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(4)
    ranges = shard_ranges(kinesis, name)
    for n in range(40):
        key = f"key-{n}"
        shard = kinesis.put_record(StreamName=name, Data=b"d", PartitionKey=key)["ShardId"]
        hashed = int(hashlib.md5(key.encode()).hexdigest(), 16)
        low, high = ranges[shard]
        assert low <= hashed <= high
    explicit = kinesis.put_record(StreamName=name, Data=b"d", PartitionKey="any",
                                  ExplicitHashKey=str(2**128 - 1))
    assert explicit["ShardId"] == "shardId-000000000003"


def test_records_read_back_in_order_per_shard(kinesis: Any, stream: str) -> None:
    sent = [kinesis.put_record(StreamName=stream, Data=f"r{n}".encode(), PartitionKey="same",
                               SequenceNumberForOrdering=None or "0")
            for n in range(5)]
    assert len({r["ShardId"] for r in sent}) == 1
    numbers = [int(r["SequenceNumber"]) for r in sent]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    assert all(len(r["SequenceNumber"]) == 56 for r in sent)
    records = read_all(kinesis, stream, sent[0]["ShardId"])
    assert [r["Data"] for r in records] == [f"r{n}".encode() for n in range(5)]
    assert [r["SequenceNumber"] for r in records] == [r["SequenceNumber"] for r in sent]
    first = records[0]
    assert first["PartitionKey"] == "same"
    assert isinstance(first["ApproximateArrivalTimestamp"], datetime)
    assert first.get("EncryptionType", "NONE") == "NONE"


def test_put_records_answers_each_record(kinesis: Any, stream: str) -> None:
    entries = [{"Data": bytes([n]) * 10, "PartitionKey": f"p{n}"} for n in range(100)]
    answer = kinesis.put_records(StreamName=stream, Records=entries)
    assert answer["FailedRecordCount"] == 0
    assert len(answer["Records"]) == 100
    by_shard: dict[str, list[str]] = {}
    for result in answer["Records"]:
        by_shard.setdefault(result["ShardId"], []).append(result["SequenceNumber"])
    for shard, numbers in by_shard.items():
        assert [r["SequenceNumber"] for r in read_all(kinesis, stream, shard)] == numbers


def test_put_errors(kinesis: Any, stream: str) -> None:
    code, _ = error_code(lambda: kinesis.put_record(StreamName="nope", Data=b"x",
                                                    PartitionKey="k"))
    assert code == "ResourceNotFoundException"
    code, _ = error_code(lambda: kinesis.put_record(StreamName=stream, Data=b"x" * (2**20 + 1),
                                                    PartitionKey="k"))
    assert code == "ValidationException"
    code, _ = error_code(lambda: kinesis.put_record(StreamName=stream, Data=b"x",
                                                    PartitionKey="k" * 257))
    assert code == "ValidationException"
    code, _ = error_code(lambda: kinesis.put_record(StreamName=stream, Data=b"x",
                                                    PartitionKey="k",
                                                    ExplicitHashKey=str(2**128)))
    assert code == "InvalidArgumentException"
    many = [{"Data": b"x", "PartitionKey": "k"}] * 501
    code, _ = error_code(lambda: kinesis.put_records(StreamName=stream, Records=many))
    assert code == "ValidationException"
    big = [{"Data": b"x" * 2**20, "PartitionKey": "k"}] * 5 + [{"Data": b"x",
                                                                 "PartitionKey": "k"}]
    code, _ = error_code(lambda: kinesis.put_records(StreamName=stream, Records=big))
    assert code == "InvalidArgumentException"


def test_every_iterator_type(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(1)
    shard = "shardId-000000000000"
    first = [kinesis.put_record(StreamName=name, Data=f"a{n}".encode(), PartitionKey="k")
             for n in range(3)]
    latest = kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    # boto3 sends timestamps in whole seconds: start the second records in a new second.
    time.sleep(1.02 - time.time() % 1)
    middle = datetime.now(UTC)
    later = [kinesis.put_record(StreamName=name, Data=f"b{n}".encode(), PartitionKey="k")
             for n in range(2)]

    def data(records: list[dict[str, Any]]) -> list[bytes]:
        return [r["Data"] for r in records]

    assert data(read_all(kinesis, name, shard)) == [b"a0", b"a1", b"a2", b"b0", b"b1"]
    assert data(kinesis.get_records(ShardIterator=latest)["Records"]) == [b"b0", b"b1"]
    at = read_all(kinesis, name, shard, "AT_SEQUENCE_NUMBER",
                  StartingSequenceNumber=first[2]["SequenceNumber"])
    assert data(at) == [b"a2", b"b0", b"b1"]
    after = read_all(kinesis, name, shard, "AFTER_SEQUENCE_NUMBER",
                     StartingSequenceNumber=first[2]["SequenceNumber"])
    assert data(after) == [b"b0", b"b1"]
    assert data(read_all(kinesis, name, shard, "AT_TIMESTAMP", Timestamp=middle)) == [
        b"b0", b"b1"]
    assert read_all(kinesis, name, shard, "LATEST") == []
    assert later[1]["SequenceNumber"] > later[0]["SequenceNumber"]


def test_get_records_pages_with_limit_and_reports_lag(kinesis: Any,
                                                      make_stream: Callable[..., str]) -> None:
    name = make_stream(1)
    kinesis.put_records(StreamName=name, Records=[
        {"Data": f"{n}".encode(), "PartitionKey": "k"} for n in range(7)])
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seen: list[bytes] = []
    for _ in range(5):
        page = kinesis.get_records(ShardIterator=iterator, Limit=3)
        seen += [r["Data"] for r in page["Records"]]
        iterator = page["NextShardIterator"]
        if len(seen) < 7:
            assert page["MillisBehindLatest"] >= 0
    assert seen == [f"{n}".encode() for n in range(7)]
    assert page["Records"] == [] and page["MillisBehindLatest"] == 0
    kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="k")
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == [
        b"new"]


def test_iterator_errors(kinesis: Any, stream: str) -> None:
    shard = "shardId-000000000000"
    code, _ = error_code(lambda: kinesis.get_shard_iterator(
        StreamName=stream, ShardId="shardId-000000000009", ShardIteratorType="LATEST"))
    assert code == "ResourceNotFoundException"
    code, _ = error_code(lambda: kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER"))
    assert code == "InvalidArgumentException"
    code, _ = error_code(lambda: kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber="12345"))
    assert code == "InvalidArgumentException"
    other = kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey="k",
                               ExplicitHashKey=str(2**128 - 1))
    code, message = error_code(lambda: kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
        StartingSequenceNumber=other["SequenceNumber"]))
    assert code == "InvalidArgumentException" and "shardId-000000000001" in message
    code, _ = error_code(lambda: kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="AT_TIMESTAMP"))
    assert code == "InvalidArgumentException"
    code, _ = error_code(lambda: kinesis.get_records(ShardIterator="bm90IG91cnM="))
    assert code == "InvalidArgumentException"
    code, _ = error_code(lambda: kinesis.get_records(ShardIterator="x", Limit=10001))
    assert code == "ValidationException"


def test_an_iterator_of_a_deleted_stream_finds_nothing(kinesis: Any,
                                                       make_stream: Callable[..., str]) -> None:
    name = make_stream(1)
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=name,
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    code, _ = error_code(lambda: kinesis.get_records(ShardIterator=iterator))
    assert code == "ResourceNotFoundException"
