"""The DynamoDB Streams API: the provider over a real store file (records written through
the store, time moved by a clock the test holds), and boto3's ``dynamodbstreams`` client
against a real server (routing by X-Amz-Target, AWS's error codes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from nubes.edge.routing import route_service
from nubes.edge.sigv4 import Scope
from nubes.errors import ServiceError
from nubes.protocol.http import Request
from nubes.services.base import RequestContext
from nubes.services.dynamodb.schema import StreamViewType, Table
from nubes.services.dynamodb.store import DynamoStore
from nubes.services.dynamodb.streams.provider import DynamoDBStreamsProvider
from tests.services.dynamodb.store_fixtures import ACCOUNT, REGION, item, open_store, table_spec

NOW = 1_700_000_000.0
DAY = 24 * 3600


class Clock:
    """The provider's clock, moved by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DynamoStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.db.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW + 100)


@pytest.fixture
def api(store: DynamoStore, clock: Clock) -> Callable[..., dict[str, Any]]:
    """api("GetRecords", ShardIterator=...) -> the provider's output, as the edge gets it."""
    provider = DynamoDBStreamsProvider(store, clock=clock)

    def call(operation: str, account: str = ACCOUNT, **params: Any) -> dict[str, Any]:
        ctx = RequestContext(Request("POST", "/", "", {}), "request-id", "dynamodbstreams",
                             account_id=account, region=REGION)
        handler = provider.handler(operation)
        assert handler is not None
        result = handler[0](ctx, params)
        assert isinstance(result, dict)
        return result

    return call


def error_of(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(ServiceError) as raised:
        call()
    return raised.value.code, raised.value.message


def streamed(store: DynamoStore, view: StreamViewType, name: str = "t") -> Table:
    table = store.create_table(table_spec(name), stream=view, now=NOW)
    assert table.stream is not None
    return table


def arn_of(table: Table) -> str:
    assert table.stream is not None
    return table.stream.arn


def iterator(api: Callable[..., dict[str, Any]], table: Table, kind: str = "TRIM_HORIZON",
             **extra: str) -> str:
    arn = arn_of(table)
    shard = api("DescribeStream", StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    found = api("GetShardIterator", StreamArn=arn, ShardId=shard, ShardIteratorType=kind,
                **extra)
    token: str = found["ShardIterator"]
    return token


def write_changes(store: DynamoStore, table: Table) -> None:
    store.put_item(table, item("a", 1, v="one"), now=NOW + 1)
    store.put_item(table, item("b", 1, v="bee"), now=NOW + 2)
    store.put_item(table, item("a", 1, v="two"), now=NOW + 3)
    store.delete_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}}, now=NOW + 4)


# -- ListStreams and DescribeStream ---------------------------------------------------------


def test_list_streams_filters_pages_and_hides_other_accounts(store: DynamoStore,
                                                             api: Any) -> None:
    first = streamed(store, StreamViewType.KEYS_ONLY, "one")
    second = streamed(store, StreamViewType.NEW_IMAGE, "two")
    store.create_table(table_spec("plain"))
    listed = api("ListStreams")["Streams"]
    assert [(s["TableName"], s["StreamArn"]) for s in listed] == [
        ("one", arn_of(first)), ("two", arn_of(second))]
    assert listed[0]["StreamLabel"] == arn_of(first).rsplit("/", 1)[1]
    page = api("ListStreams", Limit=1)
    assert page["LastEvaluatedStreamArn"] == arn_of(first)
    rest = api("ListStreams", Limit=1, ExclusiveStartStreamArn=page["LastEvaluatedStreamArn"])
    assert [s["TableName"] for s in rest["Streams"]] == ["two"]
    assert "LastEvaluatedStreamArn" not in rest
    assert [s["TableName"] for s in api("ListStreams", TableName="two")["Streams"]] == ["two"]
    assert api("ListStreams", TableName="plain")["Streams"] == []
    assert error_of(lambda: api("ListStreams", TableName="nope"))[0] == (
        "ResourceNotFoundException")
    assert api("ListStreams", account="999999999999")["Streams"] == []
    assert error_of(lambda: api("ListStreams", Limit=0)) == ("ValidationException", (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"))


def test_describe_stream_reports_the_shard_open_then_closed(store: DynamoStore,
                                                            api: Any) -> None:
    table = streamed(store, StreamViewType.NEW_AND_OLD_IMAGES)
    empty = api("DescribeStream", StreamArn=arn_of(table))["StreamDescription"]
    assert empty["StreamStatus"] == "ENABLED"
    assert empty["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert empty["CreationRequestDateTime"] == NOW and empty["TableName"] == "t"
    assert empty["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    (shard,) = empty["Shards"]
    assert shard["ShardId"].startswith("shardId-")
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    write_changes(store, table)
    records = api("GetRecords", ShardIterator=iterator(api, table))["Records"]
    numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
    store.set_stream(table, None, now=NOW + 5)
    closed = api("DescribeStream", StreamArn=arn_of(table))["StreamDescription"]
    assert closed["StreamStatus"] == "DISABLED"
    assert closed["Shards"][0]["SequenceNumberRange"] == {
        "StartingSequenceNumber": numbers[0], "EndingSequenceNumber": numbers[-1]}
    after = api("DescribeStream", StreamArn=arn_of(table), ExclusiveStartShardId=shard["ShardId"])
    assert after["StreamDescription"]["Shards"] == []


def test_unknown_streams_and_other_accounts_are_not_found(store: DynamoStore,
                                                          api: Any) -> None:
    table = streamed(store, StreamViewType.KEYS_ONLY)
    missing = arn_of(table) + "x"
    assert error_of(lambda: api("DescribeStream", StreamArn=missing)) == (
        "ResourceNotFoundException", f"Requested resource not found: Stream: {missing} not found")
    assert error_of(lambda: api("DescribeStream", StreamArn=arn_of(table),
                                account="999999999999"))[0] == "ResourceNotFoundException"
    assert error_of(lambda: api("GetShardIterator", StreamArn=arn_of(table), ShardId="shardId-x",
                                ShardIteratorType="LATEST"))[0] == "ResourceNotFoundException"


# -- GetShardIterator and GetRecords ---------------------------------------------------------


def test_records_are_shaped_as_aws_shapes_them(store: DynamoStore, api: Any) -> None:
    table = streamed(store, StreamViewType.NEW_AND_OLD_IMAGES)
    write_changes(store, table)
    out = api("GetRecords", ShardIterator=iterator(api, table))
    insert, _other, modify, remove = out["Records"]
    assert [r["eventName"] for r in out["Records"]] == ["INSERT", "INSERT", "MODIFY", "REMOVE"]
    assert insert["eventVersion"] == "1.1" and insert["eventSource"] == "aws:dynamodb"
    assert insert["awsRegion"] == REGION and len(insert["eventID"]) == 32
    body = modify["dynamodb"]
    assert body["Keys"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert body["OldImage"] == item("a", 1, v="one") and body["NewImage"] == item("a", 1, v="two")
    assert body["ApproximateCreationDateTime"] == NOW + 3
    assert body["StreamViewType"] == "NEW_AND_OLD_IMAGES" and body["SizeBytes"] > 0
    assert "NewImage" not in remove["dynamodb"] and "OldImage" not in insert["dynamodb"]
    assert "userIdentity" not in remove
    numbers = [r["dynamodb"]["SequenceNumber"] for r in out["Records"]]
    assert numbers == sorted(numbers) and all(len(n) == 21 for n in numbers)
    again = api("GetRecords", ShardIterator=iterator(api, table))["Records"]
    assert [r["eventID"] for r in again] == [r["eventID"] for r in out["Records"]]


@pytest.mark.parametrize(("view", "old", "new"), [
    ("KEYS_ONLY", False, False), ("NEW_IMAGE", False, True),
    ("OLD_IMAGE", True, False), ("NEW_AND_OLD_IMAGES", True, True),
])
def test_images_follow_the_view_type(store: DynamoStore, api: Any, view: str, old: bool,
                                     new: bool) -> None:
    table = streamed(store, StreamViewType(view))
    write_changes(store, table)
    modify = api("GetRecords", ShardIterator=iterator(api, table))["Records"][2]["dynamodb"]
    assert ("OldImage" in modify, "NewImage" in modify) == (old, new)
    assert modify["StreamViewType"] == view


def test_iterators_page_and_start_where_asked(store: DynamoStore, api: Any) -> None:
    table = streamed(store, StreamViewType.KEYS_ONLY)
    write_changes(store, table)
    latest = iterator(api, table, "LATEST")
    first = api("GetRecords", ShardIterator=iterator(api, table), Limit=3)
    numbers = [r["dynamodb"]["SequenceNumber"] for r in first["Records"]]
    assert len(numbers) == 3
    last = api("GetRecords", ShardIterator=first["NextShardIterator"])
    assert [r["eventName"] for r in last["Records"]] == ["REMOVE"]
    assert api("GetRecords", ShardIterator=last["NextShardIterator"])["Records"] == []
    at = iterator(api, table, "AT_SEQUENCE_NUMBER", SequenceNumber=numbers[1])
    after = iterator(api, table, "AFTER_SEQUENCE_NUMBER", SequenceNumber=numbers[1])
    assert api("GetRecords", ShardIterator=at)["Records"][0]["dynamodb"][
        "SequenceNumber"] == numbers[1]
    assert api("GetRecords", ShardIterator=after)["Records"][0]["dynamodb"][
        "SequenceNumber"] == numbers[2]
    assert api("GetRecords", ShardIterator=latest)["Records"] == []
    store.put_item(table, item("c", 1), now=NOW + 50)
    fresh = api("GetRecords", ShardIterator=latest)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"] for r in fresh] == [{"S": "c"}]


def test_a_closed_shard_read_to_its_end_has_no_next_iterator(store: DynamoStore,
                                                              api: Any) -> None:
    table = streamed(store, StreamViewType.KEYS_ONLY)
    write_changes(store, table)
    store.set_stream(table, None, now=NOW + 5)
    partial = api("GetRecords", ShardIterator=iterator(api, table), Limit=2)
    assert "NextShardIterator" in partial
    rest = api("GetRecords", ShardIterator=partial["NextShardIterator"])
    assert len(rest["Records"]) == 2 and "NextShardIterator" not in rest


def test_ttl_deletions_name_the_service(store: DynamoStore, api: Any) -> None:
    table = store.set_ttl(streamed(store, StreamViewType.OLD_IMAGE), "exp")
    store.put_item(table, item("gone", 1, exp=f"#{NOW - 10:.0f}"), now=NOW + 1)
    store.delete_item(table, item("gone", 1), now=NOW + 2)
    store.put_item(table, item("gone", 1, exp=f"#{NOW - 10:.0f}"), now=NOW + 3)
    assert store.sweep_expired(now=NOW + 4) == 1
    records = api("GetRecords", ShardIterator=iterator(api, table))["Records"]
    by_user, by_service = records[1], records[3]
    assert "userIdentity" not in by_user and by_service["eventName"] == "REMOVE"
    assert by_service["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com",
                                          "Type": "Service"}


def test_iterators_expire_after_15_minutes(store: DynamoStore, api: Any,
                                           clock: Clock) -> None:
    table = streamed(store, StreamViewType.KEYS_ONLY)
    token = iterator(api, table)
    clock.now += 15 * 60
    token = api("GetRecords", ShardIterator=token)["NextShardIterator"]
    clock.now += 15 * 60 + 1
    code, message = error_of(lambda: api("GetRecords", ShardIterator=token))
    assert code == "ExpiredIteratorException"
    assert message.startswith("Iterator expired. The iterator was created at time ")
    assert "tolerated delay of 900000 milliseconds" in message


def test_mangled_iterators_and_sequence_numbers_are_refused(store: DynamoStore,
                                                            api: Any) -> None:
    table = streamed(store, StreamViewType.KEYS_ONLY)
    write_changes(store, table)
    token = iterator(api, table)
    arn, version, opaque = token.rsplit("|", 2)
    tampered = f"{arn}|{version}|{opaque[:-4]}AAAA"
    for bad in ("nonsense", tampered, token.replace("|1|", "|2|")):
        assert error_of(partial(api, "GetRecords", ShardIterator=bad)) == (
            "ValidationException", "Invalid ShardIterator")
    assert error_of(lambda: api("GetRecords", ShardIterator=token, Limit=1001))[0] == (
        "ValidationException")
    for kind, number in (("AT_SEQUENCE_NUMBER", None), ("AFTER_SEQUENCE_NUMBER", "12"),
                         ("AT_SEQUENCE_NUMBER", "x" * 21), ("AT_SEQUENCE_NUMBER", "9" * 21),
                         ("SOMEWHERE", None)):
        extra = {} if number is None else {"SequenceNumber": number}
        assert error_of(partial(iterator, api, table, kind, **extra))[0] == (
            "ValidationException")


def test_records_older_than_24_hours_are_trimmed(store: DynamoStore, api: Any,
                                                 clock: Clock) -> None:
    table = streamed(store, StreamViewType.KEYS_ONLY)
    write_changes(store, table)  # at NOW + 1 .. NOW + 4
    store.put_item(table, item("late", 1), now=NOW + DAY)
    all_numbers = [r["dynamodb"]["SequenceNumber"] for r in api(
        "GetRecords", ShardIterator=iterator(api, table))["Records"]]
    clock.now = NOW + DAY - 60
    waiting = iterator(api, table, "AT_SEQUENCE_NUMBER", SequenceNumber=all_numbers[0])
    clock.now = NOW + DAY + 10  # the first four records are past retention; waiting is not
    code, _ = error_of(lambda: api("GetRecords", ShardIterator=waiting))
    assert code == "TrimmedDataAccessException"
    assert error_of(lambda: iterator(api, table, "AT_SEQUENCE_NUMBER",
                                     SequenceNumber=all_numbers[0]))[0] == (
        "TrimmedDataAccessException")
    kept = api("GetRecords", ShardIterator=iterator(api, table))["Records"]
    assert [r["dynamodb"]["Keys"]["pk"] for r in kept] == [{"S": "late"}]
    clock.now = NOW + DAY + 15 * 60 + 10
    provider = DynamoDBStreamsProvider(store, clock=clock)
    assert provider.sweep() == 4
    assert error_of(lambda: iterator(api, table, "AFTER_SEQUENCE_NUMBER",
                                     SequenceNumber=all_numbers[1]))[0] == (
        "TrimmedDataAccessException")


# -- through boto3 and a real server ---------------------------------------------------------


def test_the_edge_routes_streams_by_target_prefix() -> None:
    request = Request("POST", "/", "", {"x-amz-target": "DynamoDBStreams_20120810.ListStreams"})
    scope = Scope("test", "20260101", "us-east-1", "dynamodb")
    assert route_service(request, scope).service == "dynamodbstreams"
    request.headers["x-amz-target"] = "DynamoDB_20120810.ListTables"
    assert route_service(request, scope).service == "dynamodb"


def test_boto3_streams_client_gets_aws_errors(make_client: Callable[..., Any]) -> None:
    streams = make_client("dynamodbstreams")
    assert streams.list_streams()["Streams"] == []
    arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/none/stream/2026-01-01T00:00:00.000"
    calls: list[Callable[[], object]] = [
        partial(streams.describe_stream, StreamArn=arn),
        partial(streams.get_shard_iterator, StreamArn=arn, ShardId="shardId-" + "0" * 29,
                ShardIteratorType="LATEST"),
        partial(streams.list_streams, TableName="none"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as invalid:
        streams.get_records(ShardIterator="x" * 30)
    assert invalid.value.response["Error"] == {"Code": "ValidationException",
                                               "Message": "Invalid ShardIterator"}


# -- end to end: DynamoDB writes read back through the Streams API ----------------------------

KEY_A = {"pk": {"S": "a"}, "sk": {"N": "1"}}


@pytest.fixture(scope="module")
def ddb(make_client: Callable[..., Any]) -> Any:
    return make_client("dynamodb")


@pytest.fixture(scope="module")
def streams(make_client: Callable[..., Any]) -> Any:
    return make_client("dynamodbstreams")


def create_streamed_table(ddb: Any, view: str) -> tuple[str, str]:
    """A new table with a stream of ``view``; returns (table name, stream ARN)."""
    name = f"streamed-{uuid.uuid4().hex[:12]}"
    out = ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    # Reads and writes are refused until the table is ACTIVE, as on AWS.
    ddb.get_waiter("table_exists").wait(TableName=name,
                                        WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
    arn: str = out["TableDescription"]["LatestStreamArn"]
    return name, arn


def read_all(streams: Any, arn: str) -> list[dict[str, Any]]:
    """Every record of the stream's shard from its trim horizon, through the paging."""
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    token = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records: list[dict[str, Any]] = []
    while token:
        page = streams.get_records(ShardIterator=token, Limit=2)
        records += page["Records"]
        if not page["Records"]:
            break
        token = page.get("NextShardIterator")
    return records


@pytest.mark.parametrize(("view", "old", "new"), [
    ("KEYS_ONLY", False, False), ("NEW_IMAGE", False, True),
    ("OLD_IMAGE", True, False), ("NEW_AND_OLD_IMAGES", True, True),
])
def test_boto3_reads_puts_updates_and_deletes(ddb: Any, streams: Any, view: str, old: bool,
                                              new: bool) -> None:
    name, arn = create_streamed_table(ddb, view)
    ddb.put_item(TableName=name, Item={**KEY_A, "v": {"S": "one"}})
    ddb.update_item(TableName=name, Key=KEY_A, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "two"}})
    ddb.delete_item(TableName=name, Key=KEY_A)
    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert (described["StreamStatus"], described["StreamViewType"]) == ("ENABLED", view)
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    modify = records[1]["dynamodb"]
    assert modify["Keys"] == KEY_A and modify["StreamViewType"] == view
    assert ("OldImage" in modify, "NewImage" in modify) == (old, new)
    if new:
        assert modify["NewImage"]["v"] == {"S": "two"}
    if old:
        assert records[2]["dynamodb"]["OldImage"]["v"] == {"S": "two"}
    assert records[0]["eventSource"] == "aws:dynamodb" and records[0]["eventVersion"] == "1.1"
    assert isinstance(modify["ApproximateCreationDateTime"], datetime)


def test_boto3_records_keep_each_items_order(ddb: Any, streams: Any) -> None:
    name, arn = create_streamed_table(ddb, "NEW_IMAGE")
    for round_ in range(5):
        for pk in ("a", "b", "c"):
            ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"N": "1"},
                                               "round": {"N": str(round_)}})
    records = read_all(streams, arn)
    for pk in ("a", "b", "c"):
        rounds = [int(r["dynamodb"]["NewImage"]["round"]["N"]) for r in records
                  if r["dynamodb"]["Keys"]["pk"] == {"S": pk}]
        assert rounds == [0, 1, 2, 3, 4]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 15


def test_boto3_replaced_and_deleted_tables_keep_their_streams(ddb: Any, streams: Any) -> None:
    name, first = create_streamed_table(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item=KEY_A)
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    second = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    assert second != first
    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [first, second]
    ddb.delete_table(TableName=name)
    for arn in (first, second):
        assert streams.describe_stream(StreamArn=arn)["StreamDescription"][
            "StreamStatus"] == "DISABLED"
    assert [r["eventName"] for r in read_all(streams, first)] == ["INSERT"]
