"""Stream lifecycle through boto3: create, describe, list, delete, retention, tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.services.kinesis.conftest import error_code

TWO_128 = 2**128


def test_create_answers_creating_then_the_waiter_sees_active(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="waited-for", ShardCount=3)
    kinesis.get_waiter("stream_exists").wait(StreamName="waited-for",
                                              WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    summary = kinesis.describe_stream_summary(StreamName="waited-for")[
        "StreamDescriptionSummary"]
    assert summary["StreamStatus"] == "ACTIVE"
    assert summary["OpenShardCount"] == 3
    assert summary["RetentionPeriodHours"] == 24
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert summary["StreamARN"] == "arn:aws:kinesis:us-east-1:000000000000:stream/waited-for"
    kinesis.delete_stream(StreamName="waited-for")
    kinesis.get_waiter("stream_not_exists").wait(StreamName="waited-for",
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 5})


def test_shards_split_the_hash_key_space_evenly(kinesis: Any,
                                                make_stream: Callable[..., str]) -> None:
    name = make_stream(4)
    shards = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(4)]
    ranges = [(int(s["HashKeyRange"]["StartingHashKey"]),
               int(s["HashKeyRange"]["EndingHashKey"])) for s in shards]
    assert ranges[0][0] == 0 and ranges[-1][1] == TWO_128 - 1
    assert ranges[0][1] == TWO_128 // 4 - 1
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert all(len(s["SequenceNumberRange"]["StartingSequenceNumber"]) == 56 for s in shards)


def test_on_demand_streams_have_four_shards(kinesis: Any,
                                            make_stream: Callable[..., str]) -> None:
    name = make_stream(None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 4
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}


def test_describe_stream_pages_shards(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(5)
    first = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert [s["ShardId"][-1] for s in first["Shards"]] == ["0", "1"]
    assert first["HasMoreShards"] is True
    rest = kinesis.describe_stream(StreamName=name, ExclusiveStartShardId="shardId-000000000001",
                                   Limit=10)["StreamDescription"]
    assert [s["ShardId"][-1] for s in rest["Shards"]] == ["2", "3", "4"]
    assert rest["HasMoreShards"] is False


def test_stream_arn_works_in_place_of_the_name(kinesis: Any, stream: str) -> None:
    arn = kinesis.describe_stream_summary(StreamName=stream)[
        "StreamDescriptionSummary"]["StreamARN"]
    described = kinesis.describe_stream(StreamARN=arn)["StreamDescription"]
    assert described["StreamName"] == stream
    assert kinesis.put_record(StreamARN=arn, Data=b"x", PartitionKey="p")["SequenceNumber"]
    assert len(kinesis.list_shards(StreamARN=arn)["Shards"]) == 2


def test_list_streams_pages_with_next_token(kinesis: Any,
                                            make_client: Callable[..., Any]) -> None:
    client = make_client("kinesis", region_name="eu-west-3")  # a region of its own
    for name in ("list-a", "list-b", "list-c"):
        client.create_stream(StreamName=name, ShardCount=1)
    page = client.list_streams(Limit=2)
    assert page["StreamNames"] == ["list-a", "list-b"] and page["HasMoreStreams"] is True
    assert page["StreamSummaries"][0]["StreamARN"].endswith(":stream/list-a")
    rest = client.list_streams(NextToken=page["NextToken"])
    assert rest["StreamNames"] == ["list-c"] and rest["HasMoreStreams"] is False
    names = [n for p in client.get_paginator("list_streams").paginate(
        PaginationConfig={"PageSize": 1}) for n in p["StreamNames"]]
    assert names == ["list-a", "list-b", "list-c"]


def test_stream_errors(kinesis: Any, stream: str) -> None:
    code, message = error_code(lambda: kinesis.create_stream(StreamName=stream, ShardCount=1))
    assert code == "ResourceInUseException" and "already exists" in message
    code, message = error_code(lambda: kinesis.describe_stream(StreamName="nope"))
    assert (code, message) == ("ResourceNotFoundException",
                               "Stream nope under account 000000000000 not found.")
    code, _ = error_code(lambda: kinesis.delete_stream(StreamName="nope"))
    assert code == "ResourceNotFoundException"
    code, _ = error_code(lambda: kinesis.create_stream(StreamName="bad name!", ShardCount=1))
    assert code == "ValidationException"
    code, _ = error_code(lambda: kinesis.create_stream(StreamName="no-count"))
    assert code == "InvalidArgumentException"


def test_retention_period_grows_and_shrinks_within_bounds(kinesis: Any, stream: str) -> None:
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=48)
    summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 48
    code, _ = error_code(lambda: kinesis.increase_stream_retention_period(
        StreamName=stream, RetentionPeriodHours=30))
    assert code == "InvalidArgumentException"
    code, message = error_code(lambda: kinesis.increase_stream_retention_period(
        StreamName=stream, RetentionPeriodHours=8761))
    assert code == "InvalidArgumentException" and "8760" in message
    code, _ = error_code(lambda: kinesis.decrease_stream_retention_period(
        StreamName=stream, RetentionPeriodHours=72))
    assert code == "InvalidArgumentException"
    code, message = error_code(lambda: kinesis.decrease_stream_retention_period(
        StreamName=stream, RetentionPeriodHours=12))
    assert code == "InvalidArgumentException" and "24" in message
    kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=24)
    summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 24


def test_tags_by_stream_name_and_by_arn(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(1, Tags={"team": "data"})
    kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "dev", "cost": "1"})
    listed = kinesis.list_tags_for_stream(StreamName=name, Limit=2)
    assert listed["Tags"] == [{"Key": "cost", "Value": "1"}, {"Key": "env", "Value": "dev"}]
    assert listed["HasMoreTags"] is True
    rest = kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="env")
    assert rest["Tags"] == [{"Key": "team", "Value": "data"}] and not rest["HasMoreTags"]
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["cost", "team"])
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.tag_resource(ResourceARN=arn, Tags={"k": "v"})
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}, {"Key": "k", "Value": "v"}]
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["k"])
    assert kinesis.list_tags_for_stream(StreamName=name)["Tags"] == [
        {"Key": "env", "Value": "dev"}]
    code, _ = error_code(lambda: kinesis.add_tags_to_stream(
        StreamName=name, Tags={f"t{i}": "v" for i in range(50)}))
    assert code == "InvalidArgumentException"


def test_list_shards_pages_and_filters(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(3)
    page = kinesis.list_shards(StreamName=name, MaxResults=2)
    assert [s["ShardId"] for s in page["Shards"]] == ["shardId-000000000000",
                                                      "shardId-000000000001"]
    rest = kinesis.list_shards(NextToken=page["NextToken"])
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000002"]
    assert "NextToken" not in rest
    after = kinesis.list_shards(StreamName=name, ShardFilter={
        "Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000000"})
    assert len(after["Shards"]) == 2
    assert len(kinesis.list_shards(StreamName=name, ShardFilter={
        "Type": "AT_TRIM_HORIZON"})["Shards"]) == 3
    code, _ = error_code(lambda: kinesis.list_shards(StreamName=name,
                                                     NextToken=page["NextToken"]))
    assert code == "InvalidArgumentException"
